import FoundationEssentials

extension AuthService {
  /// Changes the caller's password (docs/api.md#password): every
  /// other session of the user ends; the one that made the change lives on.
  /// A wrong current password counts like a failed login, so a stolen access
  /// token cannot be used to guess the password.
  public func changePassword(
    claims: AuthenticatedUser, current: String, new: String, client: ClientInfo, deviceCookie: String? = nil
  ) throws {
    try policy.validate(new, field: "new_password")
    let now = clock.now()
    let presented = deviceCookie.flatMap {
      DeviceToken.decode($0, secrets: secrets, now: now, lifetime: settings.deviceCookieLifetime)
    }
    let (stored, keys) = try verifyPassword(
      current, emailKey: User.emailKey(claims.email), device: presented, client: client, now: now)
    guard let stored else { throw AuthError.invalidCredentials }
    guard stored.id == claims.userID else { throw AuthError.invalidToken }
    let hash = try hasher.hash(new)
    let revoked = try store.transaction { tx in
      try tx.updatePasswordHash(of: claims.userID, to: hash, now: now)
      try tx.deleteThrottleCounter(keys.budget)
      let revoked = try tx.revokeSessions(
        .userExcept(claims.userID, keep: claims.sessionID), reason: .passwordChange, now: now)
      try tx.recordAudit(
        AuditEvent(
          time: now, type: .passwordChange, userID: claims.userID, sessionID: claims.sessionID, ip: client.ip)
      )
      try publish(RevocationBatch(sessions: revoked), on: tx)
      return revoked
    }
    didRevoke(RevocationBatch(sessions: revoked), reason: .passwordChange)
  }
}
