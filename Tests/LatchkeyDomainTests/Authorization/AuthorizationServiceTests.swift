import Foundation
import Testing

@testable import LatchkeyDomain

/// The browser flows' orchestration on the in-memory store: sign-in
/// sessions, consent, code issue and exchange (single use, replay revoking
/// the grant), refresh of a grant by its client only, and the device flow
/// exactly once.
@Suite struct AuthorizationServiceTests {
  struct Flows {
    let h: Harness
    let oauth: OAuthService
    let flows: AuthorizationService
    let digests = SoftwareSHA256()
    let verifier = String(repeating: "v", count: 43)
    let redirect = "https://app.example/callback"

    init(_ configure: (inout AuthSettings) -> Void = { _ in }) {
      h = Harness(configure)
      oauth = OAuthService(auth: h.service, clientTokenTTL: 600)
      flows = AuthorizationService(
        oauth: oauth, digests: digests, random: ScriptedRandom(Array(repeating: 7, count: 4096)),
        verificationURI: "https://auth.example/device")
    }

    func addClient(grants: [OAuthGrantType] = [.authorizationCode], scopes: [String] = ["read", "write"])
      throws -> OAuthClient
    {
      try oauth.registerClient(
        name: "app", isPublic: true, grants: grants, scopes: scopes, redirectURIs: [redirect]
      ).client
    }

    func query(_ client: OAuthClient, scope: String = "read", extra: [(String, String)] = []) -> [(
      String, String
    )] {
      [
        ("response_type", "code"), ("client_id", client.clientID), ("redirect_uri", redirect),
        ("scope", scope),
        ("state", "s1"), ("code_challenge", PKCE.challenge(for: verifier, digests: digests)),
        ("code_challenge_method", "S256"),
      ] + extra
    }

    func valid(_ query: [(String, String)]) throws -> ValidatedAuthorization {
      guard case .valid(let valid) = try flows.review(query: query).outcome else {
        throw OAuthError.invalidRequest("not valid")
      }
      return valid
    }

    func signIn() throws -> SignInResult {
      try flows.signIn(
        email: "ann@example.com", password: "correct horse", client: h.client, deviceCookie: nil)
    }

    static func code(in location: String) -> String? {
      URLComponents(string: location)?.queryItems?.first { $0.name == "code" }?.value
    }

    func exchange(_ code: String, _ client: OAuthClient, verifier: String? = nil) throws -> TokenAnswer {
      try flows.token(
        TokenRequest(
          grantType: "authorization_code", code: code, redirectURI: redirect,
          codeVerifier: verifier ?? self.verifier),
        credentials: ClientCredentials(clientID: client.clientID, secret: nil), client: h.client)
    }

    func refresh(_ token: String, _ client: OAuthClient, scope: String? = nil) throws -> UserTokenGrant {
      let answer = try flows.token(
        TokenRequest(grantType: "refresh_token", scope: scope, refreshToken: token),
        credentials: ClientCredentials(clientID: client.clientID, secret: nil), client: h.client)
      guard case .user(let grant) = answer else { throw OAuthError.invalidGrant("not a user grant") }
      return grant
    }
  }

  /// Signs in, approves and exchanges: the grant's tokens.
  func grant(_ f: Flows, _ client: OAuthClient) throws -> UserTokenGrant {
    let user = try f.signIn().user
    let location = try f.flows.approve(try f.valid(f.query(client)), user: user)
    let answer = try f.exchange(try #require(Flows.code(in: location)), client)
    guard case .user(let grant) = answer else { throw OAuthError.invalidGrant("not a user grant") }
    return grant
  }

  @Test func aSignInIsASessionOfItsOwnKindThatLogoutEnds() throws {
    let f = Flows()
    try f.h.register()
    let signedIn = try f.signIn()
    #expect(try f.flows.signedIn(cookie: signedIn.cookie.value) == signedIn.user)
    #expect(f.h.store.snapshot.sessions[signedIn.user.sessionID]?.kind == .signIn)
    // Not a refresh cookie.
    #expect(throws: AuthError.invalidGrant) {
      try f.h.service.refresh(token: signedIn.cookie.value, client: f.h.client)
    }
    try f.h.service.logout(
      refreshToken: nil, signInToken: signedIn.cookie.value, bearer: nil, global: false, client: f.h.client)
    #expect(try f.flows.signedIn(cookie: signedIn.cookie.value) == nil)
  }

  @Test func aWrongPasswordOnTheSignInFormCountsLikeALoginFailure() throws {
    let f = Flows { $0.loginMaxFailuresPerAccount = 2 }
    try f.h.register()
    for _ in 0..<2 {
      #expect(throws: AuthError.invalidCredentials) {
        try f.flows.signIn(email: "ann@example.com", password: "nope", client: f.h.client, deviceCookie: nil)
      }
    }
    #expect(throws: AuthError.self) { try f.h.login() }
  }

  @Test func consentIsAskedThenRememberedAsTheUnion() throws {
    let f = Flows()
    try f.h.register()
    let client = try f.addClient()
    let user = try f.signIn().user
    #expect(try f.flows.proceed(try f.valid(f.query(client)), user: user, signedInNow: false) == .showConsent)
    _ = try f.flows.approve(try f.valid(f.query(client, scope: "write")), user: user)
    _ = try f.flows.approve(try f.valid(f.query(client, scope: "read")), user: user)
    let both = try f.flows.proceed(
      try f.valid(f.query(client, scope: "read write")), user: user, signedInNow: false)
    guard case .redirect(let location) = both else {
      Issue.record("expected a redirect, got \(both)")
      return
    }
    #expect(Flows.code(in: location) != nil)
    #expect(location.contains("state=s1") && location.contains("iss=latchkey"))
  }

  @Test func aCodeIsSingleUseAndAReplayRevokesWhatItIssued() throws {
    let f = Flows()
    try f.h.register()
    let client = try f.addClient(grants: [.authorizationCode])
    let user = try f.signIn().user
    let location = try f.flows.approve(try f.valid(f.query(client)), user: user)
    let code = try #require(Flows.code(in: location))
    #expect(!f.h.store.snapshot.codes.keys.contains(Array(code.utf8)))
    guard case .user(let first) = try f.exchange(code, client) else {
      Issue.record("expected user tokens")
      return
    }
    #expect(first.scope == "read")
    #expect(f.h.store.snapshot.sessions[first.sessionID]?.kind == .grant(client: client.id, scopes: ["read"]))
    #expect(throws: OAuthError.invalidGrant("authorization code is not valid")) {
      try f.exchange(code, client)
    }
    #expect(f.h.store.snapshot.sessions[first.sessionID]?.revokedAt != nil)
    #expect(throws: OAuthError.self) { try f.refresh(first.refreshToken, client) }
  }

  @Test func aWrongVerifierLeavesTheCodeUsable() throws {
    let f = Flows()
    try f.h.register()
    let client = try f.addClient()
    let user = try f.signIn().user
    let code = try #require(Flows.code(in: try f.flows.approve(try f.valid(f.query(client)), user: user)))
    #expect(throws: OAuthError.invalidGrant(CodeExchange.Reason.verifierMismatch.errorDescription)) {
      try f.exchange(code, client, verifier: String(repeating: "w", count: 43))
    }
    // No verifier at all fails the PKCE check the same way.
    #expect(throws: OAuthError.invalidGrant(CodeExchange.Reason.verifierMismatch.errorDescription)) {
      try f.flows.token(
        TokenRequest(grantType: "authorization_code", code: code, redirectURI: f.redirect),
        credentials: ClientCredentials(clientID: client.clientID, secret: nil), client: f.h.client)
    }
    _ = try f.exchange(code, client)
  }

  @Test func aGrantRefreshesOnlyForItsClientAndNeverWidens() throws {
    let f = Flows()
    try f.h.register()
    let client = try f.addClient(grants: [.authorizationCode])
    let other = try f.addClient(grants: [.authorizationCode])
    let first = try grant(f, client)
    #expect(throws: OAuthError.self) { try f.refresh(first.refreshToken, other) }
    #expect(throws: OAuthError.invalidScope("scope exceeds what was granted")) {
      try f.refresh(first.refreshToken, client, scope: "read write")
    }
    // Neither refusal spent the token.
    let next = try f.refresh(first.refreshToken, client)
    #expect(next.refreshToken != first.refreshToken && next.sessionID == first.sessionID)
    // Nor is a grant's token a cookie, or a cookie's a grant's.
    #expect(throws: AuthError.invalidGrant) {
      try f.h.service.refresh(token: next.refreshToken, client: f.h.client)
    }
    let cookie = try f.h.login().grant.refreshToken.value
    #expect(throws: OAuthError.self) { try f.refresh(cookie, client) }
    _ = try f.h.service.refresh(token: cookie, client: f.h.client)
  }

  @Test func grantsAreSessionsThatRevokeAllEnds() throws {
    let f = Flows()
    let ann = try f.h.register()
    let client = try f.addClient()
    let first = try grant(f, client)
    let listed = try f.h.store.read { try $0.liveSessions(of: ann.id, now: f.h.clock.now()) }
    #expect(listed.contains { $0.id == first.sessionID && $0.clientID == client.id })
    let login = try f.h.login()
    try f.h.service.logout(
      refreshToken: login.grant.refreshToken.value, bearer: nil, global: true, client: f.h.client)
    #expect(throws: OAuthError.self) { try f.refresh(first.refreshToken, client) }
  }

  @Test func aGrantsTokensIntrospectWithTheUserAndDieWithTheGrant() throws {
    let f = Flows()
    try f.h.register()
    let client = try f.addClient()
    let first = try grant(f, client)
    let resource = try f.oauth.registerClient(
      name: "api", isPublic: false, grants: [], scopes: [], redirectURIs: [])
    let caller = ClientCredentials(clientID: resource.client.clientID, secret: resource.secret)
    let found = try f.oauth.introspect(token: first.accessToken, credentials: caller, address: "198.51.100.1")
    guard case .grant(let claims, let username) = found else {
      Issue.record("expected a grant token, got \(found)")
      return
    }
    #expect(username == "ann@example.com" && claims.clientID == client.clientID)
    #expect(claims.sessionID == first.sessionID.uuidString.lowercased())
    // Another client's refresh token is nothing to this caller.
    #expect(
      try f.oauth.introspect(token: first.refreshToken, credentials: caller, address: "198.51.100.1")
        == .inactive)
    _ = try f.h.store.transaction {
      try $0.revokeSessions(.session(first.sessionID), reason: .logout, now: 1)
    }
    #expect(
      try f.oauth.introspect(token: first.accessToken, credentials: caller, address: "198.51.100.1")
        == .inactive)
  }

  @Test func aPendingCodeDiesWithTheSignInThatApprovedIt() throws {
    let f = Flows()
    try f.h.register()
    let client = try f.addClient()
    let signedIn = try f.signIn()
    let code = try #require(
      Flows.code(in: try f.flows.approve(try f.valid(f.query(client)), user: signedIn.user)))
    let login = try f.h.login()
    try f.h.service.logout(
      refreshToken: login.grant.refreshToken.value, bearer: nil, global: true, client: f.h.client)
    #expect(throws: OAuthError.invalidGrant("authorization code is not valid")) {
      try f.exchange(code, client)
    }
  }

  @Test func aDeviceApprovalDiesWithTheSignInThatGaveIt() throws {
    let f = Flows()
    try f.h.register()
    let client = try f.addClient(grants: [.deviceCode])
    let credentials = ClientCredentials(clientID: client.clientID, secret: nil)
    let started = try f.flows.startDevice(scope: nil, credentials: credentials, address: "203.0.113.9")
    let signedIn = try f.signIn()
    #expect(try f.flows.decideDevice(userCode: started.userCode, user: signedIn.user, approve: true))
    try f.h.service.logout(
      refreshToken: nil, signInToken: signedIn.cookie.value, bearer: nil, global: false, client: f.h.client)
    #expect(throws: OAuthError.accessDenied("the user denied the request")) {
      try f.flows.token(
        TokenRequest(grantType: OAuthGrantType.deviceCode.rawValue, deviceCode: started.deviceCode),
        credentials: credentials, client: f.h.client)
    }
  }

  @Test func removingTheClientEndsItsGrants() throws {
    let f = Flows()
    try f.h.register()
    let client = try f.addClient()
    let first = try grant(f, client)
    #expect(try f.oauth.removeClient(id: client.clientID))
    #expect(f.h.store.snapshot.sessions[first.sessionID]?.revokedAt != nil)
  }

  @Test func theDeviceFlowIssuesExactlyOnce() throws {
    let f = Flows()
    try f.h.register()
    let client = try f.addClient(grants: [.deviceCode])
    let credentials = ClientCredentials(clientID: client.clientID, secret: nil)
    let started = try f.flows.startDevice(scope: "read", credentials: credentials, address: "203.0.113.9")
    #expect(
      started.verificationURIComplete == "https://auth.example/device?user_code=" + started.userCode.display)
    let poll = {
      try f.flows.token(
        TokenRequest(grantType: OAuthGrantType.deviceCode.rawValue, deviceCode: started.deviceCode),
        credentials: credentials, client: f.h.client)
    }
    #expect(throws: OAuthError.authorizationPending("the user has not yet acted")) { try poll() }
    #expect(throws: OAuthError.slowDown("polling too fast; wait longer between requests")) { try poll() }
    let review = try #require(
      try f.flows.reviewDevice(userCode: started.userCode.normalized.lowercased(), address: "203.0.113.9"))
    #expect(review.clientName == "app" && review.scopes == ["read"])
    #expect(try f.flows.decideDevice(userCode: review.userCode, user: try f.signIn().user, approve: true))
    // One decision per code.
    #expect(try !f.flows.decideDevice(userCode: review.userCode, user: try f.signIn().user, approve: false))
    guard case .user(let tokens) = try poll() else {
      Issue.record("expected user tokens")
      return
    }
    #expect(tokens.scope == "read")
    #expect(throws: OAuthError.invalidGrant("device code has already been used")) { try poll() }
  }

  @Test func wrongUserCodesAreThrottledPerAddress() throws {
    let f = Flows { $0.loginMaxFailuresPerAddress = 3 }
    for _ in 0..<3 {
      #expect(try f.flows.reviewDevice(userCode: "BCDF-GHJK", address: "203.0.113.9") == nil)
    }
    #expect(throws: AuthError.self) {
      try f.flows.reviewDevice(userCode: "BCDF-GHJK", address: "203.0.113.9")
    }
    #expect(try f.flows.reviewDevice(userCode: "BCDF-GHJK", address: "203.0.113.10") == nil)
  }
}
