import Foundation
import LatchkeyCrypto
import LatchkeyPostgres

extension AuthService {
  /// SPEC §3 `POST /register`.
  public func register(email: String, password: String, role: String = "user", client: ClientInfo?) throws
    -> User
  {
    if client != nil && !config.registrationOpen { throw AuthError.registrationClosed }
    try PasswordPolicy.validateEmail(email)
    try policy.validate(password)
    let user = User(
      id: SecureRandom.uuid(), email: email.trimmingCharacters(in: .whitespacesAndNewlines), role: role,
      passwordHash: try hashPassword(password))
    let now = clock.now()
    let inserted = try pool.transaction { db in
      guard try UserStore.insert(user, on: db, now: now) else { return false }
      try AuditLog.record(.register, user: user.id, session: nil, ip: client?.ip ?? "", on: db, now: now)
      return true
    }
    metrics.increment("latchkey_registrations_total", [("result", inserted ? "created" : "email_taken")])
    guard inserted else { throw AuthError.emailTaken }
    return user
  }

  /// SPEC §3 `POST /login`: throttle check, one argon2 verification whether
  /// or not the account exists, then a new session (token family).
  public func login(email: String, password: String, client: ClientInfo) throws -> TokenGrant {
    let now = clock.now()
    guard (try? PasswordPolicy.validateEmail(email)) != nil else {
      // No account can have this address (a NUL, a space, no '@'): no lookup,
      // but the same argon2 cost and answer as any other failure.
      _ = try verifyPassword(password, encoded: hasher.dummyHash())
      metrics.increment("latchkey_logins_total", [("result", "failure")])
      throw AuthError.invalidCredentials
    }
    let emailKey = UserStore.emailKey(email)
    let accountKey = LoginThrottle.accountKey(emailKey)
    let addressKey = LoginThrottle.addressKey(client.ip)
    // The attempt counts against the account before argon2 runs (reset on
    // success), so N concurrent guesses cannot overshoot the account's limit.
    let user: User?
    do {
      user = try pool.transaction { db in
        if let wait = try throttle.reserve(account: accountKey, address: addressKey, now: now, on: db) {
          throw AuthError.throttled(retryAfter: wait)  // rolls the reservation back
        }
        return try UserStore.find(email: email, on: db)
      }
    } catch AuthError.throttled(let wait) {
      metrics.increment("latchkey_logins_total", [("result", "throttled")])
      throw AuthError.throttled(retryAfter: wait)
    }
    let candidate = user?.passwordHash ?? hasher.dummyHash()
    let verified: Bool
    do {
      verified = try verifyPassword(password, encoded: candidate)
    } catch {
      // No verdict (hashing pool full): the attempt does not count.
      _ = try? pool.withConnection { try throttle.giveBack(accountKey, on: $0) }
      throw error
    }
    guard verified, let user else {
      try pool.transaction { db in
        _ = try throttle.countFailure(addressKey, now: now, on: db)  // the account's was counted up front
        try AuditLog.record(.loginFailure, user: user?.id, session: nil, ip: client.ip, on: db, now: now)
      }
      metrics.increment("latchkey_logins_total", [("result", "failure")])
      throw AuthError.invalidCredentials
    }
    let rehashed = hasher.needsRehash(user.passwordHash) ? try hashPassword(password) : nil

    let session = SecureRandom.uuid()
    let refresh = SecureRandom.token(byteCount: 32)
    let sessionExpiry = now + Double(config.sessionMaxAge)
    let refreshExpiry = min(now + Double(config.refreshTTL), sessionExpiry)
    let evicted = try pool.transaction { db in
      // The user row lock serialises this user's logins, so the session cap holds.
      guard try UserStore.find(id: user.id, on: db, forUpdate: true) != nil else {
        throw AuthError.invalidCredentials
      }
      if let rehashed { try UserStore.updatePasswordHash(user.id, hash: rehashed, on: db, now: now) }
      try throttle.reset(account: accountKey, on: db)
      try SessionStore.createSession(
        id: session, userID: user.id, client: client, now: now, absoluteExpiry: sessionExpiry, on: db)
      try SessionStore.insertRefreshToken(
        session: session, hash: Self.refreshHash(refresh), parent: nil, issuedAt: now,
        expiresAt: refreshExpiry,
        on: db)
      try AuditLog.record(.loginSuccess, user: user.id, session: session, ip: client.ip, on: db, now: now)
      return try SessionStore.enforceLimit(
        userID: user.id, keep: session, limit: config.maxSessions, now: now, on: db)
    }
    metrics.increment("latchkey_logins_total", [("result", "success")])
    didRevoke(RevocationBatch(sessions: evicted), reason: .sessionLimit)
    let (access, expiresIn) = issueAccessToken(
      user: user.id, email: user.email, role: user.role, session: session, now: now)
    return TokenGrant(
      accessToken: access, expiresIn: expiresIn,
      refreshToken: IssuedRefreshToken(value: refresh, expiresAt: refreshExpiry), sessionID: session)
  }

  /// SPEC §7 `POST /api/password`: every other session of the user ends;
  /// the one that made the change lives on.
  public func changePassword(
    claims: AuthenticatedUser, current: String, new: String, client: ClientInfo
  ) throws {
    try policy.validate(new, field: "new_password")
    let now = clock.now()
    // Wrong current passwords count against the account like failed logins,
    // so a stolen access token cannot be used to guess the password.
    let accountKey = LoginThrottle.accountKey(UserStore.emailKey(claims.email))
    let addressKey = LoginThrottle.addressKey(client.ip)
    // As for login: the attempt counts before argon2 runs, so concurrent
    // guesses cannot overshoot the limit; a success resets the count.
    let stored = try pool.transaction { db -> User? in
      if let wait = try throttle.reserve(account: accountKey, address: addressKey, now: now, on: db) {
        throw AuthError.throttled(retryAfter: wait)  // rolls the reservation back
      }
      return try UserStore.find(id: claims.userID, on: db)
    }
    guard let stored else { throw AuthError.invalidToken }
    let verified: Bool
    do {
      verified = try verifyPassword(current, encoded: stored.passwordHash)
    } catch {
      _ = try? pool.withConnection { try throttle.giveBack(accountKey, on: $0) }
      throw error
    }
    guard verified else {
      try pool.withConnection { _ = try throttle.countFailure(addressKey, now: now, on: $0) }
      throw AuthError.invalidCredentials
    }
    let hash = try hashPassword(new)
    let revoked = try pool.transaction { db in
      try UserStore.updatePasswordHash(claims.userID, hash: hash, on: db, now: now)
      try throttle.reset(account: accountKey, on: db)
      let revoked = try SessionStore.revoke(
        .userExcept(claims.userID, keep: claims.sessionID), reason: .passwordChange, now: now, on: db)
      try AuditLog.record(
        .passwordChange, user: claims.userID, session: claims.sessionID, ip: client.ip, on: db, now: now)
      return revoked
    }
    didRevoke(RevocationBatch(sessions: revoked), reason: .passwordChange)
  }

  /// Counts committed revocations and tells the revocation checker, which
  /// applies them locally at once.
  func didRevoke(_ batch: RevocationBatch, reason: RevocationReason) {
    if !batch.sessions.isEmpty {
      metrics.increment(
        "latchkey_revocations_total", [("reason", reason.rawValue)], by: Double(batch.sessions.count))
    }
    if !batch.isEmpty { revocations.revoked(batch) }
  }
}

/// The identity an access token proved, as the handlers need it.
public struct AuthenticatedUser: Sendable {
  public var userID: UUID
  public var sessionID: UUID
  public var email: String
  public var role: String
  public var jti: String
  public var issuedAt: Int64
  public var expiresAt: Int64
  /// `sub` and `sid` as the token spelled them (canonical lower case, as
  /// issued), so answers need not format the UUIDs again.
  public var userIDText: String
  public var sessionIDText: String
}
