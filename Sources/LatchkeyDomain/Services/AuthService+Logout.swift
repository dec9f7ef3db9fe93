import FoundationEssentials
import LatchkeyText

extension AuthService {
  /// Ends the cookie's session (and the sign-in cookie's, which the same
  /// browser's authorization pages set), or with `global` every session of
  /// the user (docs/api.md#logout). Idempotent: nothing to revoke is still
  /// success; `global` needs a live cookie or a valid bearer token to name
  /// the user. A token of another kind of session in a cookie (a grant's
  /// refresh token pasted in) is ignored.
  public func logout(
    refreshToken: String?, signInToken: String? = nil, bearer: String?, global: Bool, client: ClientInfo
  ) throws {
    let now = clock.now()
    // A bearer token that verifies (signature, claims) is denylisted even if
    // revoked already; one that does not is ignored for a plain logout.
    let claims = try? codec.verify(bearer ?? "", now: Int64(now.rounded(.down)))
    let authenticated = bearer == nil ? nil : try? authenticate(bearer: bearer)
    let cookies = [(refreshToken, SessionKind.browser), (signInToken, .signIn)].compactMap { token, kind in
      token.flatMap { secrets.isWellFormedRefreshToken($0) ? (secrets.refreshHash($0), kind) : nil }
    }

    let batch = try store.transaction { tx -> RevocationBatch in
      var cookieSessions: [(session: UUID, user: UUID)] = []
      for (hash, kind) in cookies {
        guard let locked = try tx.lockRefreshToken(hash: hash), locked.kind == kind else { continue }
        let usable = !locked.state.sessionRevoked && now < locked.state.sessionExpiresAt
        if usable { cookieSessions.append((locked.sessionID, locked.userID)) }
      }
      let cookieSession = cookieSessions.first
      var batch = RevocationBatch()
      if global {
        guard let user = cookieSession?.user ?? authenticated?.userID else { throw AuthError.invalidToken }
        // The user's row first, as admin revoke does: revoke-alls of one user
        // queue there instead of deadlocking on the sessions they both update.
        _ = try tx.findUser(id: user, lock: true)
        batch.sessions = try tx.revokeSessions(.user(user), reason: .logoutGlobal, now: now)
        if let cutoff = try tx.invalidateTokens(of: user, now: now) { batch.userCutoffs = [(user, cutoff)] }
        try tx.recordAudit(
          AuditEvent(
            time: now, type: .logoutGlobal, userID: user,
            sessionID: cookieSession?.session ?? authenticated?.sessionID, ip: client.ip))
      } else {
        var sessions: [(UUID, UUID)] = cookieSessions.map { ($0.session, $0.user) }
        if let claims, let sid = UUID.parse(claims.sessionID), let sub = UUID.parse(claims.subject) {
          if try tx.denylist(jti: claims.jti, expiresAt: Double(claims.expiresAt)) {
            batch.tokens.append((claims.jti, Double(claims.expiresAt)))
          }
          if cookieSession == nil || cookieSessions.contains(where: { $0.session == sid }) {
            sessions.append((sid, sub))
          }
        }
        for (session, user) in sessions {
          let revoked = try tx.revokeSessions(.ownedSession(session, owner: user), reason: .logout, now: now)
          if !revoked.isEmpty {
            batch.sessions += revoked
            try tx.recordAudit(
              AuditEvent(time: now, type: .logout, userID: user, sessionID: session, ip: client.ip))
          }
        }
      }
      try publish(batch, on: tx)
      return batch
    }
    didRevoke(batch, reason: global ? .logoutGlobal : .logout)
  }
}
