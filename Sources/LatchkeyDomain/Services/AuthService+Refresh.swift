import Foundation

extension AuthService {
  private enum RefreshOutcome {
    case granted(TokenGrant)
    case refused(reuse: UUID?)
  }

  /// Rotates a refresh token (docs/api.md#refresh). The common case, the
  /// family's current token, is one atomic compare-and-set in the store
  /// (`rotateIfCurrent`), a single round trip. Everything else (grace,
  /// reuse, expiry, revocation, unknown tokens, and the losers of a race for
  /// one token) falls back to deciding with `RefreshDecision` (pure) inside
  /// one transaction holding the family's row lock.
  public func refresh(token: String?, client: ClientInfo) throws -> TokenGrant {
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
        refreshTTL: Double(settings.refreshTTL))
    }
    let outcome: RefreshOutcome
    if let rotated {
      outcome = .granted(
        grant(
          user: rotated.userID, email: rotated.email, role: rotated.role, session: rotated.sessionID,
          refresh: IssuedRefreshToken(value: next, expiresAt: rotated.successorExpiresAt), now: now))
    } else {
      outcome = try decideUnderLock(hash: hash, next: next, now: now, client: client)
    }
    switch outcome {
    case .granted(let grant):
      counter.increment("latchkey_refreshes_total", [("result", "success")])
      return grant
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
  private func decideUnderLock(hash: [UInt8], next: String, now: Double, client: ClientInfo) throws
    -> RefreshOutcome
  {
    try store.transaction { tx in
      guard let locked = try tx.lockRefreshToken(hash: hash) else {
        return .refused(reuse: nil)
      }
      let decision = RefreshDecision.decide(
        locked.state, now: now, reuseInterval: Double(settings.refreshReuseInterval))
      switch decision {
      case .rotate:
        let expiry = RefreshDecision.successorExpiry(
          now: now, refreshTTL: Double(settings.refreshTTL), sessionExpiresAt: locked.state.sessionExpiresAt)
        let nextID = try tx.insertRefreshToken(
          session: locked.sessionID, hash: secrets.refreshHash(next), parent: locked.id, issuedAt: now,
          expiresAt: expiry)
        try tx.markRotated(token: locked.id, successor: nextID, now: now)
        try tx.touchSession(locked.sessionID, now: now)
        return .granted(grant(locked, refresh: IssuedRefreshToken(value: next, expiresAt: expiry), now: now))
      case .grace:
        let expiry = locked.successorExpiresAt ?? now
        return .granted(grant(locked, refresh: IssuedRefreshToken(value: next, expiresAt: expiry), now: now))
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

  private func grant(_ locked: LockedRefreshToken, refresh: IssuedRefreshToken, now: Double) -> TokenGrant {
    grant(
      user: locked.userID, email: locked.email, role: locked.role, session: locked.sessionID,
      refresh: refresh,
      now: now)
  }

  private func grant(
    user: UUID, email: String, role: Role, session: UUID, refresh: IssuedRefreshToken, now: Double
  ) -> TokenGrant {
    let (access, expiresIn) = issueAccessToken(
      user: user, email: email, role: role, session: session, now: now)
    return TokenGrant(accessToken: access, expiresIn: expiresIn, refreshToken: refresh, sessionID: session)
  }
}
