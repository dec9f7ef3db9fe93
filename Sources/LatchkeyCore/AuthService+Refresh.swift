import Foundation
import LatchkeyPostgres

extension AuthService {
  private enum RefreshOutcome {
    case granted(TokenGrant)
    case refused(reuse: UUID?)
  }

  /// SPEC §3/§4 `POST /refresh`: the decision is `RefreshDecision` (pure);
  /// this applies it inside one transaction holding the family's row lock.
  public func refresh(token: String?, client: ClientInfo) throws -> TokenGrant {
    guard let token, Self.isWellFormedRefreshToken(token) else {
      metrics.increment("latchkey_refreshes_total", [("result", "invalid")])
      throw AuthError.invalidGrant
    }
    let now = clock.now()
    let outcome: RefreshOutcome = try pool.transaction { db in
      guard let locked = try SessionStore.lockToken(hash: Self.refreshHash(token), on: db) else {
        return .refused(reuse: nil)
      }
      let decision = RefreshDecision.decide(
        locked.state, now: now, reuseInterval: Double(config.refreshReuseInterval))
      switch decision {
      case .rotate:
        let next = successor(of: token)
        let expiry = min(now + Double(config.refreshTTL), locked.state.sessionExpiresAt)
        let nextID = try SessionStore.insertRefreshToken(
          session: locked.sessionID, hash: Self.refreshHash(next), parent: locked.id, issuedAt: now,
          expiresAt: expiry, on: db)
        try SessionStore.markRotated(token: locked.id, successor: nextID, now: now, on: db)
        try SessionStore.touch(session: locked.sessionID, now: now, on: db)
        return .granted(grant(locked, refresh: IssuedRefreshToken(value: next, expiresAt: expiry), now: now))
      case .grace:
        let next = successor(of: token)
        let expiry = locked.successorExpiresAt ?? now
        return .granted(grant(locked, refresh: IssuedRefreshToken(value: next, expiresAt: expiry), now: now))
      case .reuse:
        _ = try SessionStore.revoke(.session(locked.sessionID), reason: .reuse, now: now, on: db)
        try AuditLog.record(
          .refreshReuse, user: locked.userID, session: locked.sessionID, ip: client.ip, on: db, now: now)
        return .refused(reuse: locked.sessionID)
      case .reject:
        return .refused(reuse: nil)
      }
    }
    switch outcome {
    case .granted(let grant):
      metrics.increment("latchkey_refreshes_total", [("result", "success")])
      return grant
    case .refused(let reuse):
      if let reuse {
        metrics.increment("latchkey_refresh_reuse_detected_total")
        metrics.increment("latchkey_refreshes_total", [("result", "reuse")])
        didRevoke(RevocationBatch(sessions: [reuse]), reason: .reuse)
      } else {
        metrics.increment("latchkey_refreshes_total", [("result", "invalid")])
      }
      throw AuthError.invalidGrant
    }
  }

  private func grant(_ locked: SessionStore.LockedToken, refresh: IssuedRefreshToken, now: Double)
    -> TokenGrant
  {
    let (access, expiresIn) = issueAccessToken(
      user: locked.userID, email: locked.email, role: locked.role, session: locked.sessionID, now: now)
    return TokenGrant(
      accessToken: access, expiresIn: expiresIn, refreshToken: refresh, sessionID: locked.sessionID)
  }
}
