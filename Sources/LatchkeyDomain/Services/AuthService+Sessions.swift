import FoundationEssentials

extension AuthService {
  /// The caller's live sessions, newest first (docs/api.md#sessions).
  public func sessions(of user: AuthenticatedUser) throws -> [SessionInfo] {
    let now = clock.now()
    return try store.read { try $0.liveSessions(of: user.userID, now: now) }
  }

  /// Revokes one of the caller's own sessions; any other id is not found.
  public func revokeSession(_ session: UUID, by user: AuthenticatedUser, client: ClientInfo) throws {
    let now = clock.now()
    let revoked = try store.transaction { tx in
      let revoked = try tx.revokeSessions(
        .ownedSession(session, owner: user.userID), reason: .userRevoke, now: now)
      if !revoked.isEmpty {
        try tx.recordAudit(
          AuditEvent(time: now, type: .sessionRevoked, userID: user.userID, sessionID: session, ip: client.ip)
        )
      }
      try publish(RevocationBatch(sessions: revoked), on: tx)
      return revoked
    }
    guard !revoked.isEmpty else { throw AuthError.notFound }
    didRevoke(RevocationBatch(sessions: revoked), reason: .userRevoke)
  }

  /// An administrator ends every session and access token of a user
  /// (docs/api.md#admin-revoke).
  public func adminRevoke(user target: UUID, by admin: Administrator, client: ClientInfo) throws {
    let now = clock.now()
    let batch = try store.transaction { tx in
      guard try tx.findUser(id: target, lock: true) != nil else { throw AuthError.notFound }
      var batch = RevocationBatch()
      batch.sessions = try tx.revokeSessions(.user(target), reason: .adminRevoke, now: now)
      if let cutoff = try tx.invalidateTokens(of: target, now: now) { batch.userCutoffs = [(target, cutoff)] }
      try tx.recordAudit(
        AuditEvent(time: now, type: .adminRevoke, userID: target, sessionID: nil, ip: client.ip))
      try publish(batch, on: tx)
      return batch
    }
    didRevoke(batch, reason: .adminRevoke)
  }

  /// Security events, newest first (docs/api.md#audit).
  public func audit(user: UUID?, limit: Int, by admin: Administrator) throws -> [AuditEvent] {
    return try store.read { try $0.auditEvents(of: user, limit: limit) }
  }
}
