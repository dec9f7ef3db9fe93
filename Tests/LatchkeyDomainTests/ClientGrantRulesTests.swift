import Testing

@testable import LatchkeyDomain

@Suite struct ClientGrantRulesTests {
  static let service = OAuthClientRegistration(
    clientID: "svc", isPublic: false, grants: [.clientCredentials], scopes: ["read", "write", "admin:keys"])

  @Test func omittedScopeGrantsEveryRegisteredScope() throws {
    #expect(
      try ClientGrantRules.clientCredentials(client: Self.service, requestedScope: nil) == Self.service.scopes
    )
  }

  @Test func requestedScopesMustBeASubset() throws {
    #expect(
      try ClientGrantRules.clientCredentials(client: Self.service, requestedScope: "write read") == [
        "write", "read",
      ])
    #expect(
      try ClientGrantRules.clientCredentials(client: Self.service, requestedScope: "read read") == ["read"])
    #expect(
      try ClientGrantRules.clientCredentials(client: Self.service, requestedScope: "admin:keys") == [
        "admin:keys"
      ])
    #expect(throws: OAuthError.invalidScope("scope not registered for this client")) {
      try ClientGrantRules.clientCredentials(client: Self.service, requestedScope: "read delete")
    }
    #expect(throws: OAuthError.self) {
      try ClientGrantRules.clientCredentials(client: Self.service, requestedScope: "READ")
    }
  }

  @Test(arguments: [
    "", " ", "read  write", " read", "read ", "read\twrite", "re\"ad", "re\\ad", "lecture\u{e9}", "a\u{7f}",
  ])
  func malformedScopeIsInvalidScope(scope: String) {
    #expect(throws: OAuthError.self) { try ClientGrantRules.parseScope(scope) }
    do {
      _ = try ClientGrantRules.parseScope(scope)
    } catch {
      #expect(error.code == "invalid_scope")
    }
  }

  @Test func scopeTokensAllowEveryPrintableCharacterButQuoteAndBackslash() throws {
    let token = "!#$%&'()*+,-./0123456789:;<=>?@AZ[]^_`az{|}~"
    #expect(try ClientGrantRules.parseScope(token) == [token])
    #expect(try ClientGrantRules.parseScope(nil) == nil)
  }

  @Test func publicClientsCannotUseClientCredentials() {
    let app = OAuthClientRegistration(
      clientID: "app", isPublic: true, grants: [.clientCredentials, .authorizationCode], scopes: ["read"])
    #expect(throws: OAuthError.unauthorizedClient("public clients cannot use client_credentials")) {
      try ClientGrantRules.clientCredentials(client: app, requestedScope: nil)
    }
  }

  @Test func aGrantTheClientIsNotRegisteredForIsUnauthorized() {
    let web = OAuthClientRegistration(
      clientID: "web", isPublic: false, grants: [.authorizationCode], scopes: [])
    #expect(throws: OAuthError.unauthorizedClient("grant not allowed for this client")) {
      try ClientGrantRules.clientCredentials(client: web, requestedScope: nil)
    }
    #expect(throws: Never.self) { try ClientGrantRules.authorize(web, for: .authorizationCode) }
  }

  @Test func grantTypeValues() throws {
    let offered: Set<OAuthGrantType> = [.clientCredentials]
    #expect(try ClientGrantRules.grantType("client_credentials", offered: offered) == .clientCredentials)
    for value in [
      "password", "implicit", "token", "CLIENT_CREDENTIALS", "refresh_token", "authorization_code",
    ] {
      #expect(throws: OAuthError.unsupportedGrantType("grant_type not supported")) {
        try ClientGrantRules.grantType(value, offered: offered)
      }
    }
    #expect(try ClientGrantRules.grantType("refresh_token", offered: [.refreshToken]) == .refreshToken)
    #expect(throws: OAuthError.invalidRequest("grant_type is required")) {
      try ClientGrantRules.grantType(nil, offered: offered)
    }
    #expect(throws: OAuthError.invalidRequest("grant_type is required")) {
      try ClientGrantRules.grantType("", offered: offered)
    }
  }

  @Test func registrationRules() throws {
    let confidential = try ClientGrantRules.registration(
      clientID: "c", isPublic: false, grants: [], scopes: ["read", "write", "read"])
    #expect(confidential.grants == [.clientCredentials])
    #expect(confidential.scopes == ["read", "write"])
    #expect(throws: OAuthError.self) {
      try ClientGrantRules.registration(
        clientID: "p", isPublic: true, grants: [.clientCredentials], scopes: [])
    }
    #expect(throws: OAuthError.self) {
      try ClientGrantRules.registration(clientID: "p", isPublic: true, grants: [], scopes: [])
    }
    #expect(throws: OAuthError.self) {
      try ClientGrantRules.registration(clientID: "c", isPublic: false, grants: [], scopes: ["bad scope"])
    }
    let app = try ClientGrantRules.registration(
      clientID: "p", isPublic: true, grants: [.authorizationCode, .refreshToken], scopes: [])
    #expect(app.isPublic && app.grants == [.authorizationCode, .refreshToken])
  }

  @Test func errorCodesAreRFC6749s() {
    let all: [OAuthError] = [
      .invalidRequest("a"), .invalidClient("b"), .invalidGrant("c"), .unauthorizedClient("d"),
      .unsupportedGrantType("e"), .invalidScope("f"),
    ]
    #expect(
      all.map(\.code) == [
        "invalid_request", "invalid_client", "invalid_grant", "unauthorized_client", "unsupported_grant_type",
        "invalid_scope",
      ])
    #expect(all.map(\.errorDescription) == ["a", "b", "c", "d", "e", "f"])
  }
}
