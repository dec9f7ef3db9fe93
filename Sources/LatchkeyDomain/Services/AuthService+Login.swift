import FoundationEssentials

/// A successful login: the tokens, and the device cookie value that marks
/// this browser as one the account's owner uses.
public struct LoginResult: Sendable {
  public var grant: TokenGrant
  public var deviceToken: String
  public var deviceExpiresAt: Double
}

extension AuthService {
  /// Logs in with a password (docs/api.md#login): a throttle check against
  /// the failures on record, one argon2 verification whether or not the
  /// account exists, then a new session (token family).
  public func login(email: String, password: String, client: ClientInfo, deviceCookie: String? = nil) throws
    -> LoginResult
  {
    let started = try startWithPassword(
      email: email, password: password, kind: .browser, client: client, deviceCookie: deviceCookie)
    let (access, expiresIn) = issueAccessToken(
      user: started.user.id, email: started.user.email, role: started.user.role, session: started.session,
      now: started.now)
    let grant = TokenGrant(
      accessToken: access, expiresIn: expiresIn, refreshToken: started.refresh, sessionID: started.session)
    return LoginResult(
      grant: grant, deviceToken: started.deviceToken, deviceExpiresAt: started.deviceExpiresAt)
  }

  /// A session started by a password: who signed in, the session and its
  /// first token, and the renewed device cookie.
  struct PasswordSession {
    var user: User
    var session: UUID
    var refresh: IssuedRefreshToken
    var deviceToken: String
    var deviceExpiresAt: Double
    var now: Double
  }

  /// Verifies a password under the login throttle (device cookie included)
  /// and opens a session of `kind` for its user: `POST /login` and the
  /// sign-in form of the authorization pages draw on the same budgets.
  func startWithPassword(
    email: String, password: String, kind: SessionKind, client: ClientInfo, deviceCookie: String?
  ) throws -> PasswordSession {
    let now = clock.now()
    guard (try? PasswordPolicy.validateEmail(email)) != nil else {
      // No account can have this address: no lookup, but the same argon2
      // cost and answer as any other failure.
      _ = try hasher.verify(password, encoded: hasher.dummyHash)
      counter.increment("latchkey_logins_total", [("result", "failure")])
      throw AuthError.invalidCredentials
    }
    let emailKey = User.emailKey(email)
    let presented = deviceCookie.flatMap {
      DeviceToken.decode($0, secrets: secrets, now: now, lifetime: settings.deviceCookieLifetime)
    }
    let (user, keys) = try verifyPassword(
      password, emailKey: emailKey, device: presented, client: client, now: now)
    guard let user else {
      counter.increment("latchkey_logins_total", [("result", "failure")])
      throw AuthError.invalidCredentials
    }
    let rehashed = hasher.needsRehash(user.passwordHash) ? try hasher.hash(password) : nil
    let device =
      presented.flatMap { $0.userID == user.id ? $0 : nil }
      ?? DeviceToken(userID: user.id, nonce: secrets.newNonce(), issuedAt: 0)
    let renewed = DeviceToken(userID: user.id, nonce: device.nonce, issuedAt: Int64(now.rounded(.down)))

    let (session, refresh, evicted) = try store.transaction { tx in
      // The user row lock serialises this user's logins, so the cap holds.
      guard try tx.findUser(id: user.id, lock: true) != nil else { throw AuthError.invalidCredentials }
      if let rehashed { try tx.updatePasswordHash(of: user.id, to: rehashed, now: now) }
      return try openSession(
        on: tx, user: user.id, kind: kind, client: client, now: now, audit: .loginSuccess,
        clearing: keys.budget)
    }
    counter.increment("latchkey_logins_total", [("result", "success")])
    didRevoke(RevocationBatch(sessions: evicted), reason: .sessionLimit)
    return PasswordSession(
      user: user, session: session, refresh: refresh, deviceToken: renewed.encoded(with: secrets),
      deviceExpiresAt: now + Double(settings.deviceCookieLifetime), now: now)
  }

  /// Opens a session of `kind` for `user` with its first refresh token,
  /// inside the caller's transaction, which must hold the user's row lock
  /// (so the session cap holds). A login's audit event and the throttle
  /// counter it clears ride along in the same store step. The cap's
  /// evictions are published here and returned for `didRevoke` after the
  /// commit.
  func openSession(
    on tx: any StoreTransaction, id: UUID? = nil, user: UUID, kind: SessionKind, client: ClientInfo,
    now: Double, audit: AuditType? = nil, clearing: String? = nil
  ) throws -> (UUID, IssuedRefreshToken, [UUID]) {
    let session = id ?? secrets.newID()
    let refresh = secrets.newRefreshToken()
    let sessionExpiry = now + Double(settings.sessionMaxAge)
    let refreshExpiry = min(now + Double(settings.refreshTTL), sessionExpiry)
    let live = try tx.openSession(
      SessionOpening(
        id: session, user: user, kind: kind, client: client, now: now, absoluteExpiry: sessionExpiry,
        refreshHash: secrets.refreshHash(refresh), refreshExpiry: refreshExpiry, audit: audit,
        clearing: clearing))
    // The list only when the cap is exceeded: most logins need just the count.
    let excess =
      sessionCap.isExceeded(live: live)
      ? sessionCap.evictions(live: try tx.cappedSessions(of: user, now: now), keep: session) : []
    let evicted =
      excess.isEmpty ? [] : try tx.revokeSessions(.sessions(excess), reason: .sessionLimit, now: now)
    try publish(RevocationBatch(sessions: evicted), on: tx)
    return (session, IssuedRefreshToken(value: refresh, expiresAt: refreshExpiry), evicted)
  }

  /// The password phase of a login or password change, in one hashing slot:
  /// the throttle check against the failures on record, one verification
  /// (of a dummy hash when there is no account), and a failure recorded
  /// before the slot is freed. So the attempts that passed a check without
  /// a recorded verdict never outnumber the slots, which bounds how far
  /// concurrent guesses can overshoot a limit. Returns the verified user, or
  /// nil after a recorded failure.
  func verifyPassword(
    _ password: String, emailKey: String, device: DeviceToken?, client: ClientInfo, now: Double
  ) throws -> (User?, LoginThrottle.Keys) {
    try hasher.withSlot { [self] in
      let (user, keys) = try checkThrottle(emailKey: emailKey, device: device, client: client, now: now)
      guard hasher.verifyInSlot(password, encoded: user?.passwordHash ?? hasher.dummyHash), let user else {
        try recordFailure(keys, user: user?.id, client: client, now: now)
        return (nil, keys)
      }
      return (user, keys)
    }
  }

  /// Finds the account and refuses the attempt when a budget it draws on is
  /// spent. Nothing is written: only verified failures are recorded. One
  /// read: the device's budget is fetched before it is known to count.
  func checkThrottle(emailKey: String, device: DeviceToken?, client: ClientInfo, now: Double) throws
    -> (User?, LoginThrottle.Keys)
  {
    let candidates = LoginThrottle.candidateKeys(emailKey: emailKey, device: device, ip: client.ip)
    let (user, counters) = try store.read { tx in try tx.findUser(emailKey: emailKey, counters: candidates) }
    // A device cookie counts only for the account it was issued to.
    let known = device.flatMap { $0.userID == user?.id ? $0 : nil }
    let keys = LoginThrottle.keys(emailKey: emailKey, device: known, ip: client.ip)
    if let wait = throttle.retryAfter(
      budget: counters[keys.budget], address: counters[keys.address], now: now)
    {
      counter.increment("latchkey_logins_total", [("result", "throttled")])
      throw AuthError.throttled(retryAfter: wait)
    }
    return (user, keys)
  }

  /// Records one verified failure against the attempt's budgets, with its
  /// audit event, in one atomic store step.
  func recordFailure(_ keys: LoginThrottle.Keys, user: UUID?, client: ClientInfo, now: Double) throws {
    let audit = AuditEvent(time: now, type: .loginFailure, userID: user, sessionID: nil, ip: client.ip)
    try store.read { tx in try tx.recordLoginFailure(keys, throttle: throttle, audit: audit) }
  }
}
