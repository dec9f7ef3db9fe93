import FoundationEssentials

/// The flows a person takes part in (docs/oauth.md#authorization-code-flow
/// and #device-flow): the authorization endpoint's sign-in and consent,
/// the device flow, and the token endpoint's grants for them. Built on
/// `OAuthService` (clients, client authentication) and its `AuthService`
/// (passwords, throttling, sessions, rotation), so a grant is a session
/// like any other: listed, rotated and revoked by the same rules. Split by
/// use case (`+Token`, `+Device`).
public final class AuthorizationService: Sendable {
  let oauth: OAuthService
  let digests: any Digests
  let random: any RandomByteSource
  public let deviceFlow: DeviceFlowSettings
  /// `verification_uri`: the `/device` page under the public URL.
  public let verificationURI: String
  /// Failed user-code entries per address (docs/oauth.md#device-flow).
  let userCodeThrottle: ThrottleWindow

  public init(
    oauth: OAuthService, digests: any Digests, random: any RandomByteSource, verificationURI: String,
    deviceFlow: DeviceFlowSettings = DeviceFlowSettings()
  ) {
    self.oauth = oauth
    self.digests = digests
    self.random = random
    self.verificationURI = verificationURI
    self.deviceFlow = deviceFlow
    // A person mistypes a code a few times, not dozens: the smaller of the
    // per-account and per-address login limits (10 by default).
    self.userCodeThrottle = ThrottleWindow(
      limit: min(oauth.settings.loginMaxFailuresPerAddress, oauth.settings.loginMaxFailuresPerAccount),
      length: Double(oauth.settings.loginFailureWindow))
  }

  var auth: AuthService { oauth.auth }
  var store: any Store { oauth.store }
  var secrets: any TokenSecrets { oauth.secrets }
  var clock: any WallClock { oauth.clock }
  var counter: any EventCounter { oauth.counter }
  public var issuer: String { oauth.settings.issuer }

  // MARK: - The authorization endpoint

  /// Checks an authorization request against the client it names
  /// (`AuthorizationRequest.validate`).
  public func review(query: [(String, String)]) throws -> AuthorizationReview {
    let client = try AuthorizationRequest.clientID(in: query).flatMap(findClient)
    let outcome = AuthorizationRequest.validate(
      query: query,
      client: client.map { AuthorizationClient(registration: $0.registration, redirectURIs: $0.redirectURIs) }
    )
    return AuthorizationReview(outcome: outcome, clientName: client?.name)
  }

  /// A registered client by its `client_id` text, or nil; a removal this
  /// instance has heard of wins over a registry that has not caught up.
  func findClient(_ text: String) throws -> OAuthClient? {
    guard let id = UUID.parse(text), !auth.revocations.isClientRemoved(id) else { return nil }
    return try oauth.lookUpClient(id)
  }

  /// The user a sign-in cookie names while its session is live; nil for a
  /// missing, unknown, expired or revoked one, or any other kind of token.
  public func signedIn(cookie: String?) throws -> SignedInUser? {
    guard let cookie, secrets.isWellFormedRefreshToken(cookie) else { return nil }
    let now = clock.now()
    guard let token = try store.read({ try $0.findLiveToken(hash: secrets.refreshHash(cookie), now: now) }),
      token.kind == .signIn
    else { return nil }
    return SignedInUser(userID: token.userID, sessionID: token.sessionID, email: token.email)
  }

  /// The sign-in form: the password checked under the same throttle as
  /// `POST /login` (device cookie included), and a sign-in session opened,
  /// whose one token is the sign-in cookie.
  public func signIn(email: String, password: String, client: ClientInfo, deviceCookie: String?) throws
    -> SignInResult
  {
    let started = try auth.startWithPassword(
      email: email, password: password, kind: .signIn, client: client, deviceCookie: deviceCookie)
    return SignInResult(
      user: SignedInUser(userID: started.user.id, sessionID: started.session, email: started.user.email),
      cookie: started.refresh, deviceToken: started.deviceToken, deviceExpiresAt: started.deviceExpiresAt)
  }

  /// The next step for a valid request: sign in, consent, or back to the
  /// client with a code or an error (`AuthorizationStep`).
  public func proceed(_ request: ValidatedAuthorization, user: SignedInUser?, signedInNow: Bool) throws
    -> AuthorizationAnswer
  {
    var consented = false
    if let user, let client = UUID.parse(request.clientID) {
      let granted = try store.read { try $0.consentedScopes(user: user.userID, client: client) }
      consented = ConsentMemory.covers(granted: granted, requested: request.scopes)
    }
    let step = AuthorizationStep.decide(
      prompt: request.prompt, signedIn: user != nil, signedInNow: signedInNow, consented: consented)
    switch step {
    case .showSignIn: return .showSignIn
    case .showConsent: return .showConsent
    case .fail(let error): return .redirect(request.errorRedirect(error, issuer: issuer))
    case .issueCode:
      guard let user else { return .showSignIn }
      return .redirect(try issueCode(request, user: user))
    }
  }

  /// The user allowed the client: the consent is remembered (added to what
  /// was granted before) and a code issued, in one transaction.
  public func approve(_ request: ValidatedAuthorization, user: SignedInUser) throws -> String {
    guard let client = UUID.parse(request.clientID) else {
      return request.errorRedirect(.invalidRequest("unknown client"), issuer: issuer)
    }
    return try issueCode(request, user: user) { tx, now in
      let granted = try tx.consentedScopes(user: user.userID, client: client)
      try tx.saveConsent(
        user: user.userID, client: client,
        scopes: ConsentMemory.remembering(granted: granted, requested: request.scopes), now: now)
    }
  }

  /// The user refused: back to the client with `access_denied`.
  public func deny(_ request: ValidatedAuthorization) -> String {
    request.errorRedirect(.accessDenied("the user denied the request"), issuer: issuer)
  }

  /// A fresh code (256 bits, stored only as its hash, bound to everything
  /// the exchange checks) and the redirect that carries it.
  private func issueCode(
    _ request: ValidatedAuthorization, user: SignedInUser,
    also: (any StoreTransaction, Double) throws -> Void = { _, _ in }
  ) throws -> String {
    let now = clock.now()
    let code = secrets.newRefreshToken()
    let pending = PendingAuthorizationCode(
      approving: request, userID: user.userID, grantID: secrets.newID(), now: now,
      signInSession: user.sessionID)
    try store.transaction { tx in
      try also(tx, now)
      try tx.insertAuthorizationCode(hash: secrets.refreshHash(code), pending)
    }
    counter.increment("latchkey_authorization_codes_issued_total")
    return request.successRedirect(code: code, issuer: issuer)
  }
}
