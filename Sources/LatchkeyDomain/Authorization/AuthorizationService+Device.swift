import FoundationEssentials

extension AuthorizationService {
  /// `POST /oauth/device_authorization` (RFC 8628 §3.1–3.2): the client
  /// authenticated (or named, when public) and allowed the device grant, the
  /// scopes checked, and a device code (256 bits, stored as a hash) with a
  /// user code no live authorization holds.
  public func startDevice(scope: String?, credentials: ClientCredentials?, address: String) throws
    -> DeviceAuthorizationStart
  {
    let client = try oauth.authenticate(credentials, address: address, accept: .anyClient)
    try ClientGrantRules.authorize(client.registration, for: .deviceCode)
    let scopes = try ClientGrantRules.grantedScopes(requested: scope, registered: client.scopes)
    let now = clock.now()
    let deviceCode = secrets.newRefreshToken()
    // A clash needs two live codes among 20^8: a few draws always suffice.
    for _ in 0..<8 {
      let userCode = UserCode.generate(random: random)
      let authorization = DeviceAuthorization(
        clientID: client.clientID, scopes: scopes, userCode: userCode, now: now, settings: deviceFlow)
      let stored = try store.transaction { tx in
        try tx.insertDeviceAuthorization(
          id: secrets.newID(), deviceCodeHash: secrets.refreshHash(deviceCode), authorization)
      }
      if stored {
        counter.increment("latchkey_device_authorizations_total")
        return DeviceAuthorizationStart(
          deviceCode: deviceCode, userCode: userCode, verificationURI: verificationURI,
          verificationURIComplete: userCode.verificationURIComplete(verificationURI),
          expiresIn: authorization.expiresIn(now: now), interval: authorization.interval)
      }
    }
    throw OAuthError.invalidRequest("no user code is free; retry")
  }

  /// The `/device` page's first step: the typed code, if it names an open
  /// authorization. Wrong codes are throttled per address (they are short
  /// enough to guess otherwise): a spent budget is `AuthError.throttled`;
  /// nil is a wrong, expired or already decided code, recorded as a failure.
  public func reviewDevice(userCode typed: String, address: String) throws -> DeviceReview? {
    let now = clock.now()
    let key = "user-code-address:" + address
    if let wait = userCodeThrottle.retryAfter(try store.read { try $0.throttleCounter(key) }, now: now) {
      throw AuthError.throttled(retryAfter: wait)
    }
    let open = try UserCode(normalizing: typed).flatMap { code in
      try store.read { try $0.lockDeviceAuthorization(userCode: code, now: now) }
    }.flatMap { $0.authorization.isOpen(now: now) ? $0.authorization : nil }
    guard let open, let client = try findClient(open.clientID) else {
      try store.transaction { tx in
        try tx.saveThrottleCounter(
          key, userCodeThrottle.recordingFailure(try tx.lockThrottleCounter(key), now: now))
      }
      counter.increment("latchkey_device_user_code_failures_total")
      return nil
    }
    return DeviceReview(userCode: open.userCode, clientName: client.name, scopes: open.scopes)
  }

  /// The user approved or denied on `/device`. False when the code is no
  /// longer open (expired, or decided already): one decision per code.
  /// Approval remembers the consent, as the authorization pages do.
  public func decideDevice(userCode: UserCode, user: SignedInUser, approve: Bool) throws -> Bool {
    let now = clock.now()
    return try store.transaction { tx in
      guard let stored = try tx.lockDeviceAuthorization(userCode: userCode, now: now) else { return false }
      let current = stored.authorization
      guard
        let next =
          approve
          ? current.approved(by: user.userID, session: user.sessionID, now: now) : current.denied(now: now)
      else { return false }
      try tx.updateDeviceAuthorization(id: stored.id, next)
      if approve, let client = UUID.parse(current.clientID) {
        let granted = try tx.consentedScopes(user: user.userID, client: client)
        try tx.saveConsent(
          user: user.userID, client: client,
          scopes: ConsentMemory.remembering(granted: granted, requested: current.scopes), now: now)
      }
      return true
    }
  }

  private enum Poll {
    case issued(UserTokenGrant, evicted: [UUID])
    case refused(OAuthError)
  }

  /// The device code grant (RFC 8628 §3.4–3.5): the authorization read under
  /// its row lock, `DevicePolling.poll` applied and its new state saved in
  /// the same transaction (with the grant's session when it issues), so the
  /// tokens go out exactly once however many polls race.
  func pollDevice(_ request: TokenRequest, client: OAuthClient, info: ClientInfo) throws -> UserTokenGrant {
    guard let deviceCode = request.deviceCode else {
      throw OAuthError.invalidRequest("device_code is required")
    }
    let now = clock.now()
    let poll = try store.transaction { tx -> Poll in
      guard let stored = try tx.lockDeviceAuthorization(deviceCodeHash: secrets.refreshHash(deviceCode))
      else {
        return .refused(.invalidGrant("device code is not valid"))
      }
      var (answer, next) = DevicePolling.poll(
        stored.authorization, clientID: client.clientID, now: now, settings: deviceFlow)
      // The sign-in that approved it must still be live: a logout or a
      // revoke-all since the approval withdraws it.
      if case .issue = answer, let session = stored.authorization.approvedSessionID,
        try !tx.isSessionLive(session, now: now)
      {
        answer = .accessDenied
        next.status = .denied
      }
      if next != stored.authorization { try tx.updateDeviceAuthorization(id: stored.id, next) }
      switch answer {
      case .issue(let userID, let scopes):
        guard try tx.findUser(id: userID, lock: true) != nil else {
          return .refused(.invalidGrant("device code is not valid"))
        }
        let (session, refresh, evicted) = try auth.openSession(
          on: tx, user: userID, kind: .grant(client: client.id, scopes: scopes), client: info, now: now)
        return .issued(
          issueGrantToken(
            user: userID, client: client, scopes: scopes, session: session, refresh: refresh.value, now: now),
          evicted: evicted)
      case .authorizationPending: return .refused(.authorizationPending(answer.errorDescription ?? ""))
      case .slowDown: return .refused(.slowDown(answer.errorDescription ?? ""))
      case .accessDenied: return .refused(.accessDenied(answer.errorDescription ?? ""))
      case .expiredToken: return .refused(.expiredToken(answer.errorDescription ?? ""))
      case .invalidGrant(let text): return .refused(.invalidGrant(text))
      }
    }
    switch poll {
    case .issued(let grant, let evicted):
      return committed(grant, evicted: evicted, by: .deviceCode)
    case .refused(let error):
      throw error
    }
  }
}
