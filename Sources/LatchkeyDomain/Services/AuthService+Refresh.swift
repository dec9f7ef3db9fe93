import Foundation

extension AuthService {
  private enum RefreshOutcome {
    case granted(TokenGrant)
    case refused(reuse: UUID?)
  }

  /// Rotates a refresh token (docs/api.md#refresh). The decision is
  /// `RefreshDecision` (pure); this applies it inside one transaction
  /// holding the family's row lock.
  public func refresh(token: String?, client: ClientInfo) throws -> TokenGrant {
    guard let token, secrets.isWellFormedRefreshToken(token) else {
      counter.increment("latchkey_refreshes_total", [("result", "invalid")])
      throw AuthError.invalidGrant
    }
    let now = clock.now()
    let outcome: RefreshOutcome = try store.transaction { tx in
      guard let locked = try tx.lockRefreshToken(hash: secrets.refreshHash(token)) else {
        return .refused(reuse: nil)
      }
      let decision = RefreshDecision.decide(
        locked.state, now: now, reuseInterval: Double(settings.refreshReuseInterval))
      switch decision {
      case .rotate:
        let next = secrets.successor(of: token)
        let expiry = min(now + Double(settings.refreshTTL), locked.state.sessionExpiresAt)
        let nextID = try tx.insertRefreshToken(
          session: locked.sessionID, hash: secrets.refreshHash(next), parent: locked.id, issuedAt: now,
          expiresAt: expiry)
        try tx.markRotated(token: locked.id, successor: nextID, now: now)
        try tx.touchSession(locked.sessionID, now: now)
        return .granted(grant(locked, refresh: IssuedRefreshToken(value: next, expiresAt: expiry), now: now))
      case .grace:
        let next = secrets.successor(of: token)
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

  private func grant(_ locked: LockedRefreshToken, refresh: IssuedRefreshToken, now: Double) -> TokenGrant {
    let (access, expiresIn) = issueAccessToken(
      user: locked.userID, email: locked.email, role: locked.role, session: locked.sessionID, now: now)
    return TokenGrant(
      accessToken: access, expiresIn: expiresIn, refreshToken: refresh, sessionID: locked.sessionID)
  }
}
