import Foundation
import LatchkeyPostgres

extension AuthService {
  /// SPEC §3 `POST /logout`. Idempotent: nothing to revoke is still success.
  /// `global` needs a live cookie or a valid bearer token to name the user.
  public func logout(refreshToken: String?, bearer: String?, global: Bool, client: ClientInfo) throws {
    let now = clock.now()
    // A bearer token that verifies (signature, claims) is denylisted even if
    // revoked already; one that does not is ignored for a plain logout.
    let claims = try? verifier.verify(bearer ?? "", now: Int64(now.rounded(.down)))
    let authenticated = bearer == nil ? nil : try? authenticate(bearer: bearer)
    let hash = refreshToken.flatMap { Self.isWellFormedRefreshToken($0) ? Self.refreshHash($0) : nil }

    let batch = try pool.transaction { db -> RevocationBatch in
      var cookieSession: (session: UUID, user: UUID)? = nil
      if let hash, let locked = try SessionStore.lockToken(hash: hash, on: db) {
        let usable = !locked.state.sessionRevoked && now < locked.state.sessionExpiresAt
        if usable { cookieSession = (locked.sessionID, locked.userID) }
      }
      if global {
        guard let user = cookieSession?.user ?? authenticated?.userID else { throw AuthError.invalidToken }
        let revoked = try SessionStore.revoke(.user(user), reason: .logoutGlobal, now: now, on: db)
        try UserStore.invalidateTokens(of: user, on: db, now: now)
        try AuditLog.record(
          .logoutGlobal, user: user, session: cookieSession?.session ?? authenticated?.sessionID,
          ip: client.ip,
          on: db, now: now)
        return RevocationBatch(sessions: revoked, userCutoffs: [(user, now)])
      }
      var batch = RevocationBatch()
      var sessions: [(UUID, UUID)] = []
      if let cookieSession { sessions.append(cookieSession) }
      if let claims, let sid = UUID(uuidString: claims.sid), let sub = UUID(uuidString: claims.sub) {
        try SessionStore.denylist(jti: claims.jti, expiresAt: Double(claims.exp), on: db)
        batch.tokens.append((claims.jti, Double(claims.exp)))
        if cookieSession == nil || cookieSession?.session == sid { sessions.append((sid, sub)) }
      }
      for (session, user) in sessions {
        let revoked = try SessionStore.revoke(
          .ownedSession(session, owner: user), reason: .logout, now: now, on: db)
        if !revoked.isEmpty {
          batch.sessions += revoked
          try AuditLog.record(.logout, user: user, session: session, ip: client.ip, on: db, now: now)
        }
      }
      return batch
    }
    didRevoke(batch, reason: global ? .logoutGlobal : .logout)
  }

  /// SPEC §7 `GET /api/sessions`.
  public func sessions(of user: AuthenticatedUser) throws -> [SessionInfo] {
    let now = clock.now()
    return try pool.withConnection { try SessionStore.liveSessions(userID: user.userID, now: now, on: $0) }
  }

  /// SPEC §7 `DELETE /api/sessions/{id}`: only the caller's own sessions.
  public func revokeSession(_ session: UUID, by user: AuthenticatedUser, client: ClientInfo) throws {
    let now = clock.now()
    let revoked = try pool.transaction { db in
      let revoked = try SessionStore.revoke(
        .ownedSession(session, owner: user.userID), reason: .userRevoke, now: now, on: db)
      if !revoked.isEmpty {
        try AuditLog.record(
          .sessionRevoked, user: user.userID, session: session, ip: client.ip, on: db, now: now)
      }
      return revoked
    }
    guard !revoked.isEmpty else { throw AuthError.notFound }
    didRevoke(RevocationBatch(sessions: revoked), reason: .userRevoke)
  }

  /// SPEC §7 admin revoke: every session and every access token of the user.
  public func adminRevoke(user target: UUID, by admin: AuthenticatedUser, client: ClientInfo) throws {
    guard admin.role == "admin" else { throw AuthError.insufficientScope }
    let now = clock.now()
    let revoked = try pool.transaction { db in
      guard try UserStore.find(id: target, on: db, forUpdate: true) != nil else { throw AuthError.notFound }
      let revoked = try SessionStore.revoke(.user(target), reason: .adminRevoke, now: now, on: db)
      try UserStore.invalidateTokens(of: target, on: db, now: now)
      try AuditLog.record(.adminRevoke, user: target, session: nil, ip: client.ip, on: db, now: now)
      return revoked
    }
    didRevoke(RevocationBatch(sessions: revoked, userCutoffs: [(target, now)]), reason: .adminRevoke)
  }

  /// SPEC §7 admin audit, newest first.
  public func audit(user: UUID?, limit: Int, by admin: AuthenticatedUser) throws -> [AuditEvent] {
    guard admin.role == "admin" else { throw AuthError.insufficientScope }
    return try pool.withConnection { try AuditLog.events(for: user, limit: limit, on: $0) }
  }
}
