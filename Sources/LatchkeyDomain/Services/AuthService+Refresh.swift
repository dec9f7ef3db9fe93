import FoundationEssentials

/// A rotated refresh token with what its new access token needs: the
/// browser's refresh makes a user token of it, a client's refresh a grant
/// token.
struct Rotation {
  var userID: UUID
  var email: String
  var role: Role
  var sessionID: UUID
  var kind: SessionKind
  var refresh: IssuedRefreshToken
  var now: Double
}

extension AuthService {
  private enum RefreshOutcome {
    case granted(Rotation)
    case refused(reuse: UUID?)
  }

  /// Rotates a refresh cookie (docs/api.md#refresh).
  public func refresh(token: String?, client: ClientInfo) throws -> TokenGrant {
    let rotation = try rotate(token: token, holder: .browser, client: client)
    let (access, expiresIn) = issueAccessToken(
      user: rotation.userID, email: rotation.email, role: rotation.role, session: rotation.sessionID,
      now: rotation.now)
    return TokenGrant(
      accessToken: access, expiresIn: expiresIn, refreshToken: rotation.refresh, sessionID: rotation.sessionID
    )
  }

  /// Rotates a refresh token that `holder` presented, by the rules of
  /// docs/api.md#rotation whoever holds it. The common case, the family's
  /// current token, is one atomic compare-and-set in the store
  /// (`rotateIfCurrent`), a single round trip. Everything else (grace,
  /// reuse, expiry, revocation, unknown tokens, tokens of another holder,
  /// and the losers of a race for one token) falls back to deciding with
  /// `RefreshDecision` (pure) inside one transaction holding the family's
  /// row lock.
  func rotate(token: String?, holder: RefreshHolder, client: ClientInfo) throws -> Rotation {
    guard let token, secrets.isWellFormedRefreshToken(token) else {
      counter.increment("latchkey_refreshes_total", [("result", "invalid")])
      throw AuthError.invalidGrant
    }
    let now = clock.now()
    let hash = secrets.refreshHash(token)
    // Derived, not random: a grace-window racer gets this same successor.
    let next = secrets.successor(of: token)
    // One statement is atomic on its own, so it needs no BEGIN/COMMIT:
    // `read` runs it outside an explicit transaction.
    let rotated = try store.read { tx in
      try tx.rotateIfCurrent(
        hash: hash, successorHash: secrets.refreshHash(next), now: now,
        refreshTTL: Double(settings.refreshTTL), holder: holder)
    }
    let outcome: RefreshOutcome
    if let rotated {
      outcome = .granted(
        Rotation(
          userID: rotated.userID, email: rotated.email, role: rotated.role, sessionID: rotated.sessionID,
          kind: rotated.kind, refresh: IssuedRefreshToken(value: next, expiresAt: rotated.successorExpiresAt),
          now: now))
    } else {
      outcome = try decideUnderLock(hash: hash, next: next, holder: holder, now: now, client: client)
    }
    switch outcome {
    case .granted(let rotation):
      counter.increment("latchkey_refreshes_total", [("result", "success")])
      return rotation
    case .refused(let reuse):
      if let reuse {
        counter.increment("latchkey_refresh_reuse_detected_total")
        counter.increment("latchkey_refreshes_total", [("result", "reuse")])
        didRevoke(RevocationBatch(sessions: [reuse]), reason: .reuse)
      } else {
        counter.increment("latchkey_refreshes_total", [("result", "invalid")])
      }
      throw AuthError.invalidGrant
    }
  }

  /// The path that keeps every rule: the token read under its session's row
  /// lock, `RefreshDecision` applied in the same transaction. A token the
  /// compare-and-set refused is usually not `.rotate` here, but may be (it
  /// changed in between, or the store offers no fast path), and rotating
  /// under the lock is always correct.
  private func decideUnderLock(
    hash: [UInt8], next: String, holder: RefreshHolder, now: Double, client: ClientInfo
  ) throws -> RefreshOutcome {
    try store.transaction { tx in
      // Another holder's token is as good as unknown: presenting it where it
      // does not belong proves nothing about its family, so nothing changes.
      guard let locked = try tx.lockRefreshToken(hash: hash), holder.accepts(locked.kind) else {
        return .refused(reuse: nil)
      }
      let decision = RefreshDecision.decide(
        locked.state, now: now, reuseInterval: Double(settings.refreshReuseInterval))
      func granted(_ expiry: Double) -> RefreshOutcome {
        .granted(
          Rotation(
            userID: locked.userID, email: locked.email, role: locked.role, sessionID: locked.sessionID,
            kind: locked.kind, refresh: IssuedRefreshToken(value: next, expiresAt: expiry), now: now))
      }
      switch decision {
      case .rotate:
        let expiry = RefreshDecision.successorExpiry(
          now: now, refreshTTL: Double(settings.refreshTTL), sessionExpiresAt: locked.state.sessionExpiresAt)
        let nextID = try tx.insertRefreshToken(
          session: locked.sessionID, hash: secrets.refreshHash(next), parent: locked.id, issuedAt: now,
          expiresAt: expiry)
        try tx.markRotated(token: locked.id, successor: nextID, now: now)
        try tx.touchSession(locked.sessionID, now: now)
        return granted(expiry)
      case .grace:
        return granted(locked.successorExpiresAt ?? now)
      case .reuse:
        let revoked = try tx.revokeSessions(.session(locked.sessionID), reason: .reuse, now: now)
        try tx.recordAudit(
          AuditEvent(
            time: now, type: .refreshReuse, userID: locked.userID, sessionID: locked.sessionID, ip: client.ip)
        )
        try publish(RevocationBatch(sessions: revoked), on: tx)
        return .refused(reuse: locked.sessionID)
      case .reject:
        return .refused(reuse: nil)
      }
    }
  }
}
