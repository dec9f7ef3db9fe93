import Foundation
import Testing

@testable import LatchkeyDomain

/// The OAuth service's orchestration on the in-memory store: registration,
/// client authentication and its throttle, the client-credentials grant,
/// revocation, introspection and removal.
@Suite struct OAuthServiceTests {
  struct OAuthHarness {
    let h: Harness
    let oauth: OAuthService
    let address = "198.51.100.7"

    init(_ configure: (inout AuthSettings) -> Void = { _ in }) {
      h = Harness(configure)
      oauth = OAuthService(auth: h.service, clientTokenTTL: 600)
    }

    func add(scopes: [String] = ["read", "write"], isPublic: Bool = false, grants: [OAuthGrantType] = [])
      throws -> RegisteredClient
    {
      try oauth.registerClient(
        name: "svc", isPublic: isPublic, grants: grants, scopes: scopes, redirectURIs: [])
    }

    func token(_ client: RegisteredClient, scope: String? = nil, secret: String? = nil) throws
      -> ClientTokenGrant
    {
      try oauth.token(
        grantType: "client_credentials", scope: scope,
        credentials: ClientCredentials(clientID: client.client.clientID, secret: secret ?? client.secret),
        address: address)
    }

    func credentials(_ client: RegisteredClient) -> ClientCredentials {
      ClientCredentials(clientID: client.client.clientID, secret: client.secret)
    }
  }

  // MARK: - Registration

  @Test func registrationStoresADigestAndDefaultsToClientCredentials() throws {
    let o = OAuthHarness()
    let added = try o.add()
    let secret = try #require(added.secret)
    let stored = try #require(o.h.store.snapshot.clients[added.client.id])
    #expect(stored.grants == [.clientCredentials])
    #expect(stored.secretDigest == o.h.secrets.clientSecretDigest(secret))
    #expect(stored.secretDigest != Array(secret.utf8))
    #expect(try o.oauth.listClients().map(\.id) == [added.client.id])
  }

  @Test func redirectURIsThatRunCodeOrCarryAFragmentAreRefused() throws {
    let o = OAuthHarness()
    for uri in [
      "javascript:alert(1)", "data:text/html,x", "https://app.example/cb#x", "relative/path", "https://a b",
    ] {
      #expect(throws: OAuthError.self) {
        try o.oauth.registerClient(
          name: "app", isPublic: true, grants: [.authorizationCode], scopes: [], redirectURIs: [uri])
      }
    }
    _ = try o.oauth.registerClient(
      name: "app", isPublic: true, grants: [.authorizationCode], scopes: [],
      redirectURIs: ["https://app.example/cb?x=1", "com.example.app:/callback", "http://127.0.0.1:8000/cb"])
  }

  @Test func publicClientsHaveNoSecretAndNoClientCredentials() throws {
    let o = OAuthHarness()
    let pub = try o.add(isPublic: true, grants: [.authorizationCode])
    #expect(pub.secret == nil && pub.client.isPublic)
    #expect(throws: OAuthError.self) { try o.add(isPublic: true, grants: [.clientCredentials]) }
    #expect(throws: OAuthError.self) { try o.add(isPublic: true) }
    #expect(throws: OAuthError.self) {
      try o.oauth.registerClient(
        name: "x", isPublic: true, grants: [.authorizationCode], scopes: [], redirectURIs: ["https://a/#frag"]
      )
    }
    #expect(throws: OAuthError.self) { try o.add(scopes: ["bad\"scope"]) }
  }

  // MARK: - Client credentials

  @Test func clientCredentialsIssuesAScopedClientToken() throws {
    let o = OAuthHarness()
    let added = try o.add()
    let all = try o.token(added)
    #expect(all.scope == "read write" && all.expiresIn == 600)
    let claims = try FakeCodec().verifyClient(all.accessToken, now: Int64(o.h.clock.now()))
    #expect(claims.clientID == added.client.clientID && claims.subject == added.client.clientID)
    #expect(claims.expiresAt - claims.issuedAt == 600)
    #expect(try o.token(added, scope: "write").scope == "write")
    #expect(throws: OAuthError.invalidScope("scope not registered for this client")) {
      try o.token(added, scope: "read admin")
    }
    #expect(throws: OAuthError.self) { try o.token(added, scope: "") }
  }

  @Test func grantTypesAreCheckedBeforeTheClient() throws {
    let o = OAuthHarness()
    let added = try o.add()
    for (grant, code) in [
      (nil, "invalid_request"), ("password", "unsupported_grant_type"),
      ("authorization_code", "unsupported_grant_type"), ("nonsense", "unsupported_grant_type"),
    ] as [(String?, String)] {
      do {
        _ = try o.oauth.token(grantType: grant, scope: nil, credentials: nil, address: o.address)
        Issue.record("\(grant ?? "nil") was accepted")
      } catch let error as OAuthError {
        #expect(error.code == code)
      }
    }
    let pub = try o.add(isPublic: true, grants: [.authorizationCode])
    #expect(throws: OAuthError.unauthorizedClient("public clients cannot use client_credentials")) {
      try o.token(pub)
    }
    _ = added
  }

  @Test func unknownClientAndWrongSecretAreOneAnswer() throws {
    let o = OAuthHarness()
    let added = try o.add()
    var errors: [OAuthError] = []
    for credentials in [
      ClientCredentials(clientID: added.client.clientID, secret: "wrong"),
      ClientCredentials(clientID: added.client.clientID, secret: nil),
      ClientCredentials(clientID: UUID().uuidString, secret: added.secret),
      ClientCredentials(clientID: "not-a-uuid", secret: "x"),
    ] {
      do {
        _ = try o.oauth.token(
          grantType: "client_credentials", scope: nil, credentials: credentials, address: o.address)
      } catch let error as OAuthError {
        errors.append(error)
      }
    }
    #expect(errors == Array(repeating: OAuthService.authenticationFailed, count: 4))
    #expect(throws: OAuthError.self) {
      try o.oauth.token(grantType: "client_credentials", scope: nil, credentials: nil, address: o.address)
    }
  }

  @Test func failuresAreThrottledPerClientAndPerAddress() throws {
    let o = OAuthHarness {
      $0.loginMaxFailuresPerAccount = 3
      $0.loginMaxFailuresPerAddress = 5
    }
    let added = try o.add()
    for _ in 0..<3 { #expect(throws: OAuthError.self) { try o.token(added, secret: "wrong") } }
    // The right secret is refused too while the client's budget is spent.
    #expect(throws: AuthError.throttled(retryAfter: 900)) { try o.token(added) }
    o.h.clock.advance(901)
    #expect(try o.token(added).scope == "read write")
    // Another client from the same address spends the address budget.
    let other = try o.add()
    for _ in 0..<5 {
      _ = try? o.oauth.token(
        grantType: "client_credentials", scope: nil,
        credentials: ClientCredentials(clientID: UUID().uuidString, secret: "guess"), address: o.address)
    }
    #expect(throws: AuthError.self) { try o.token(other) }
    // Login budgets are separate.
    #expect(o.h.store.snapshot.throttle.keys.allSatisfy { $0.hasPrefix("client") })
  }

  @Test func aSuccessResetsTheClientsBudget() throws {
    let o = OAuthHarness { $0.loginMaxFailuresPerAccount = 3 }
    let added = try o.add()
    for _ in 0..<2 { #expect(throws: OAuthError.self) { try o.token(added, secret: "wrong") } }
    _ = try o.token(added)
    for _ in 0..<2 { #expect(throws: OAuthError.self) { try o.token(added, secret: "wrong") } }
    _ = try o.token(added)
  }

  // MARK: - Revocation and introspection

  @Test func revokingAClientTokenDenylistsItAndTellsEveryInstance() throws {
    let o = OAuthHarness()
    let added = try o.add()
    let token = try o.token(added).accessToken
    #expect(
      try o.oauth.introspect(token: token, credentials: o.credentials(added), address: o.address) != .inactive
    )
    try o.oauth.revoke(token: token, credentials: o.credentials(added), address: o.address)
    let claims = try FakeCodec().verifyClient(token, now: Int64(o.h.clock.now()))
    #expect(o.h.store.snapshot.published == [.token(jti: claims.jti, expiresAt: Double(claims.expiresAt))])
    #expect(
      try o.oauth.introspect(token: token, credentials: o.credentials(added), address: o.address) == .inactive
    )
    // Again, and unknown or malformed tokens: still fine, nothing more published.
    for again in [token, "rt-unknown", "garbage", "a.b.c"] {
      try o.oauth.revoke(token: again, credentials: o.credentials(added), address: o.address)
    }
    #expect(o.h.store.snapshot.published.count == 1)
    #expect(throws: OAuthError.invalidRequest("token is required")) {
      try o.oauth.revoke(token: nil, credentials: o.credentials(added), address: o.address)
    }
  }

  @Test func anotherClientsTokenIsLeftAlone() throws {
    let o = OAuthHarness()
    let a = try o.add()
    let b = try o.add()
    let token = try o.token(a).accessToken
    #expect(throws: OAuthService.notYours) {
      try o.oauth.revoke(token: token, credentials: o.credentials(b), address: o.address)
    }
    #expect(o.h.store.snapshot.denylist.isEmpty)
    // But any confidential client may introspect it.
    guard
      case .client(let claims) = try o.oauth.introspect(
        token: token, credentials: o.credentials(b), address: o.address)
    else { throw Failure("inactive") }
    #expect(claims.clientID == a.client.clientID && claims.scope == "read write")
  }

  @Test func usersTokensAreAnotherClientsUntilTheyDie() throws {
    let o = OAuthHarness()
    let added = try o.add()
    try o.h.register()
    let login = try o.h.login()
    let refresh = login.grant.refreshToken.value
    for token in [refresh, login.grant.accessToken] {
      #expect(throws: OAuthService.notYours) {
        try o.oauth.revoke(token: token, credentials: o.credentials(added), address: o.address)
      }
    }
    // The session lives on.
    _ = try o.h.service.authenticate(bearer: login.grant.accessToken)
    // A user's access token introspects as active; a refresh token is never
    // issued to a client, so it is inactive.
    guard
      case .user(let claims) = try o.oauth.introspect(
        token: login.grant.accessToken, credentials: o.credentials(added), address: o.address)
    else { throw Failure("inactive") }
    #expect(
      claims.email == "ann@example.com" && claims.sessionID == login.grant.sessionID.uuidString.lowercased())
    #expect(
      try o.oauth.introspect(token: refresh, credentials: o.credentials(added), address: o.address)
        == .inactive)
    // After logout the user's tokens are dead: revoking them is a no-op 200,
    // introspection says inactive.
    try o.h.service.logout(
      refreshToken: refresh, bearer: login.grant.accessToken, global: false, client: o.h.client)
    try o.oauth.revoke(token: refresh, credentials: o.credentials(added), address: o.address)
    try o.oauth.revoke(token: login.grant.accessToken, credentials: o.credentials(added), address: o.address)
    #expect(
      try o.oauth.introspect(
        token: login.grant.accessToken, credentials: o.credentials(added), address: o.address)
        == .inactive)
  }

  @Test func introspectionNeedsAConfidentialClient() throws {
    let o = OAuthHarness()
    let pub = try o.add(isPublic: true, grants: [.authorizationCode])
    #expect(throws: OAuthService.authenticationFailed) {
      try o.oauth.introspect(token: "x", credentials: o.credentials(pub), address: o.address)
    }
    // A public client may revoke (its own tokens; it has none yet).
    try o.oauth.revoke(token: "x", credentials: o.credentials(pub), address: o.address)
    // But not with a secret it cannot have.
    #expect(throws: OAuthService.authenticationFailed) {
      try o.oauth.revoke(
        token: "x", credentials: ClientCredentials(clientID: pub.client.clientID, secret: "s"),
        address: o.address)
    }
  }

  @Test func expiredAndForgedTokensAreInactive() throws {
    let o = OAuthHarness()
    let added = try o.add()
    let token = try o.token(added).accessToken
    // The fake codec has no signature; a forgery is a token it cannot read.
    for bad in ["garbage", "client|" + added.client.clientID] {
      #expect(
        try o.oauth.introspect(token: bad, credentials: o.credentials(added), address: o.address) == .inactive
      )
    }
    o.h.clock.advance(601)
    #expect(
      try o.oauth.introspect(token: token, credentials: o.credentials(added), address: o.address) == .inactive
    )
  }

  // MARK: - Removal

  @Test func removingAClientDeactivatesItsTokensAndCredentials() throws {
    let o = OAuthHarness()
    let gone = try o.add()
    let stays = try o.add()
    let token = try o.token(gone).accessToken
    #expect(try o.oauth.removeClient(id: gone.client.clientID))
    #expect(try !o.oauth.removeClient(id: gone.client.clientID))
    #expect(try !o.oauth.removeClient(id: "nonsense"))
    #expect(
      try o.oauth.introspect(token: token, credentials: o.credentials(stays), address: o.address) == .inactive
    )
    #expect(throws: OAuthService.authenticationFailed) { try o.token(gone) }
    #expect(try o.oauth.listClients().map(\.id) == [stays.client.id])
  }
}

struct Failure: Error, CustomStringConvertible {
  let description: String
  init(_ description: String) { self.description = description }
}
