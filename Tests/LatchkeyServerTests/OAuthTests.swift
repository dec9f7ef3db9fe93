import Foundation
import LatchkeyDomain
import LatchkeyHTTP
import LatchkeyServer
import LatchkeyTesting
import Testing

/// The OAuth endpoints over HTTP (docs/oauth.md): the token endpoint's
/// statuses and errors, client authentication, revocation, introspection,
/// removal, metadata, and user routes refusing client tokens.
@Suite struct OAuthTests {
  static let publicURL = "https://auth.example.test/base"

  /// A server with an OAuth service on its database, to register clients.
  func withOAuth<T>(
    _ environment: [String: String] = [:], _ body: (TestServer, OAuthService) throws -> T
  ) throws -> T {
    try withServer(["LATCHKEY_PUBLIC_URL": Self.publicURL].merging(environment) { $1 }) { server in
      try body(
        server, OAuthService(auth: server.app.service, clientTokenTTL: server.app.config.clientTokenTTL))
    }
  }

  func add(_ oauth: OAuthService, scopes: [String] = ["read", "write"]) throws -> (id: String, secret: String)
  {
    let added = try oauth.registerClient(
      name: "svc", isPublic: false, grants: [], scopes: scopes, redirectURIs: [])
    return (added.client.clientID, try #require(added.secret))
  }

  static func basic(_ id: String, _ secret: String) -> (String, String) {
    let raw =
      String(decoding: FormBody.encode([("", id)]).dropFirst(), as: UTF8.self) + ":"
      + String(decoding: FormBody.encode([("", secret)]).dropFirst(), as: UTF8.self)
    return ("Authorization", "Basic " + Data(raw.utf8).base64EncodedString())
  }

  /// POSTs a form; `raw` replaces the encoded fields.
  func post(
    _ http: TestHTTPClient, _ path: String, _ fields: [(String, String)], headers: [(String, String)] = [],
    contentType: String = "application/x-www-form-urlencoded", raw: String? = nil
  ) throws -> TestResponse {
    let body = raw.map { Array($0.utf8) } ?? FormBody.encode(fields.map { (name: $0.0, value: $0.1) })
    return try http.request("POST", path, headers: [("Content-Type", contentType)] + headers, body: body)
  }

  func token(_ http: TestHTTPClient, _ client: (id: String, secret: String), scope: String? = nil) throws
    -> String
  {
    var fields = [("grant_type", "client_credentials")]
    if let scope { fields.append(("scope", scope)) }
    let response = try post(http, "/oauth/token", fields, headers: [Self.basic(client.id, client.secret)])
    try #require(response.status == 200, "\(response.status) \(response.text)")
    return try #require(response.json["access_token"] as? String)
  }

  func expectError(
    _ response: TestResponse, _ status: Int, _ code: String, basicChallenge: Bool = false,
    sourceLocation: SourceLocation = #_sourceLocation
  ) {
    #expect(response.status == status, "\(response.text)", sourceLocation: sourceLocation)
    #expect(response.errorCode == code, "\(response.text)", sourceLocation: sourceLocation)
    #expect(
      Set(response.json.keys) == ["error", "error_description"], "\(response.text)",
      sourceLocation: sourceLocation)
    #expect(response.header("Cache-Control") == "no-store", sourceLocation: sourceLocation)
    #expect(response.header("Pragma") == "no-cache", sourceLocation: sourceLocation)
    #expect(
      (response.header("WWW-Authenticate") == "Basic realm=\"latchkey\"") == basicChallenge,
      sourceLocation: sourceLocation)
  }

  // MARK: - Token endpoint

  @Test func clientCredentialsWithBasicAndWithPost() throws {
    try withOAuth { server, oauth in
      let http = server.client()
      let client = try add(oauth)
      let basic = try post(
        http, "/oauth/token", [("grant_type", "client_credentials"), ("scope", "read")],
        headers: [Self.basic(client.id, client.secret)])
      #expect(basic.status == 200, "\(basic.text)")
      #expect(basic.header("Cache-Control") == "no-store" && basic.header("Pragma") == "no-cache")
      #expect(Set(basic.json.keys) == ["access_token", "token_type", "expires_in", "scope"])
      #expect(basic.json["token_type"] as? String == "Bearer" && basic.json["scope"] as? String == "read")
      #expect((basic.json["expires_in"] as? NSNumber)?.intValue == 900)
      let accessToken = try #require(basic.json["access_token"] as? String)
      let jwt = try #require(DecodedJWT(accessToken))
      #expect(jwt.header["typ"] as? String == "at+jwt" && jwt.header["kid"] != nil)
      #expect(jwt.string("sub") == client.id && jwt.string("client_id") == client.id)
      #expect(jwt.string("scope") == "read" && jwt.string("jti") != nil)
      #expect(jwt.int("exp")! - jwt.int("iat")! == 900)

      let viaPost = try post(
        http, "/oauth/token",
        [("grant_type", "client_credentials"), ("client_id", client.id), ("client_secret", client.secret)])
      #expect(viaPost.status == 200, "\(viaPost.text)")
      #expect(viaPost.json["scope"] as? String == "read write")
    }
  }

  @Test func everyErrorOfTheTokenEndpoint() throws {
    try withOAuth { server, oauth in
      let http = server.client()
      let client = try add(oauth)
      let pub = try oauth.registerClient(
        name: "spa", isPublic: true, grants: [.authorizationCode], scopes: [], redirectURIs: []
      ).client.clientID
      let basic = Self.basic(client.id, client.secret)
      let grant = ("grant_type", "client_credentials")
      expectError(
        try post(http, "/oauth/token", [grant, ("client_id", client.id)], headers: [basic]), 400,
        "invalid_request")
      expectError(
        try post(http, "/oauth/token", [grant, ("client_secret", client.secret)], headers: [basic]), 400,
        "invalid_request")
      expectError(
        try post(http, "/oauth/token", [grant], headers: [Self.basic(client.id, "wrong")]), 401,
        "invalid_client", basicChallenge: true)
      expectError(
        try post(http, "/oauth/token", [grant], headers: [("Authorization", "Basic !!!")]), 401,
        "invalid_client", basicChallenge: true)
      expectError(
        try post(http, "/oauth/token", [grant, ("client_id", client.id), ("client_secret", "wrong")]), 401,
        "invalid_client")
      expectError(
        try post(http, "/oauth/token", [grant, ("client_id", UUID().uuidString), ("client_secret", "x")]),
        401, "invalid_client")
      expectError(try post(http, "/oauth/token", [grant]), 401, "invalid_client")
      expectError(try post(http, "/oauth/token", [], headers: [basic]), 400, "invalid_request")
      for unsupported in ["password", "implicit", "urn:nope"] {
        expectError(
          try post(http, "/oauth/token", [("grant_type", unsupported)], headers: [basic]), 400,
          "unsupported_grant_type")
      }
      // Offered grants this client was not registered for.
      for notRegistered in [
        "authorization_code", "refresh_token", "urn:ietf:params:oauth:grant-type:device_code",
      ] {
        expectError(
          try post(http, "/oauth/token", [("grant_type", notRegistered)], headers: [basic]), 400,
          "unauthorized_client")
      }
      expectError(
        try post(http, "/oauth/token", [grant, ("scope", "read admin")], headers: [basic]), 400,
        "invalid_scope")
      expectError(try post(http, "/oauth/token", [grant, ("client_id", pub)]), 400, "unauthorized_client")
      expectError(
        try post(
          http, "/oauth/token", [], headers: [basic], raw: "grant_type=client_credentials&scope=a&scope=b"),
        400, "invalid_request")
      let json = try http.json("POST", "/oauth/token", ["grant_type": "client_credentials"], headers: [basic])
      #expect(json.status == 415)
      #expect(json.header("Cache-Control") == "no-store")
      #expect(try http.request("GET", "/oauth/token").status == 405)
    }
  }

  @Test func repeatedFailuresAreThrottled() throws {
    try withOAuth(["LATCHKEY_LOGIN_MAX_FAILURES_PER_ACCOUNT": "2"]) { server, oauth in
      let http = server.client()
      let client = try add(oauth)
      for _ in 0..<2 {
        expectError(
          try post(
            http, "/oauth/token", [("grant_type", "client_credentials")],
            headers: [Self.basic(client.id, "no")]),
          401, "invalid_client", basicChallenge: true)
      }
      let throttled = try post(
        http, "/oauth/token", [("grant_type", "client_credentials")],
        headers: [Self.basic(client.id, client.secret)])
      #expect(throttled.status == 429, "\(throttled.text)")
      #expect(throttled.header("Retry-After") != nil)
      #expect(throttled.header("Cache-Control") == "no-store")
    }
  }

  @Test func aLostDatabaseIs503() throws {
    let server = try TestServer(databaseURL: "postgres://latchkey@127.0.0.1:1/none?connect_timeout=1")
    defer { server.stop() }
    let http = server.client()
    let credentials = [("client_id", UUID().uuidString), ("client_secret", "x")]
    for (path, fields) in [
      ("/oauth/token", [("grant_type", "client_credentials")] + credentials),
      ("/oauth/introspect", [("token", "t")] + credentials),
      ("/oauth/revoke", [("token", "t")] + credentials),
    ] {
      let response = try post(http, path, fields)
      #expect(response.status == 503, "\(path): \(response.text)")
      #expect(response.errorCode == "temporarily_unavailable")
      #expect(response.header("Cache-Control") == "no-store")
    }
  }

  // MARK: - Introspection and revocation

  @Test func introspectionShapes() throws {
    try withOAuth { server, oauth in
      let http = server.client()
      let client = try add(oauth)
      let caller = try add(oauth, scopes: [])
      let basic = Self.basic(caller.id, caller.secret)
      let clientToken = try token(http, client, scope: "write")
      let active = try post(http, "/oauth/introspect", [("token", clientToken)], headers: [basic])
      #expect(active.status == 200 && active.header("Cache-Control") == "no-store")
      #expect(
        Set(active.json.keys) == [
          "active", "token_type", "sub", "client_id", "scope", "iss", "aud", "exp", "iat", "nbf", "jti",
        ])
      #expect(active.json["active"] as? Bool == true && active.json["client_id"] as? String == client.id)
      #expect(active.json["scope"] as? String == "write" && active.json["token_type"] as? String == "Bearer")

      let user = try http.signIn(uniqueEmail(), register: true)
      let userActive = try post(
        http, "/oauth/introspect",
        [
          ("token", user.access), ("token_type_hint", "access_token"), ("client_id", caller.id),
          ("client_secret", caller.secret),
        ])
      #expect(
        Set(userActive.json.keys) == [
          "active", "token_type", "sub", "username", "sid", "iss", "aud", "exp", "iat", "nbf", "jti",
        ], "\(userActive.text)")
      #expect(userActive.json["username"] as? String == DecodedJWT(user.access)?.string("email"))

      for inactive in [user.refresh, "garbage", clientToken + "x", "a.b.c"] {
        let answer = try post(http, "/oauth/introspect", [("token", inactive)], headers: [basic])
        #expect(answer.status == 200 && answer.text == "{\"active\":false}", "\(answer.text)")
        #expect(answer.header("Cache-Control") == "no-store" && answer.header("Pragma") == "no-cache")
      }
      expectError(try post(http, "/oauth/introspect", [], headers: [basic]), 400, "invalid_request")
      expectError(
        try post(http, "/oauth/introspect", [("token", clientToken)], headers: [Self.basic(caller.id, "x")]),
        401,
        "invalid_client", basicChallenge: true)
      let pub = try oauth.registerClient(
        name: "spa", isPublic: true, grants: [.authorizationCode], scopes: [], redirectURIs: [])
      expectError(
        try post(http, "/oauth/introspect", [("token", clientToken), ("client_id", pub.client.clientID)]),
        401,
        "invalid_client")
    }
  }

  @Test func revocationThenIntrospectionIsInactive() throws {
    try withOAuth { server, oauth in
      let http = server.client()
      let client = try add(oauth)
      let other = try add(oauth)
      let basic = Self.basic(client.id, client.secret)
      let clientToken = try token(http, client)
      let notYours = try post(
        http, "/oauth/revoke", [("token", clientToken)], headers: [Self.basic(other.id, other.secret)])
      expectError(notYours, 400, "unauthorized_client")
      let revoked = try post(
        http, "/oauth/revoke", [("token", clientToken), ("token_type_hint", "access_token")], headers: [basic]
      )
      #expect(revoked.status == 200 && revoked.body.isEmpty)
      #expect(revoked.header("Cache-Control") == "no-store")
      let after = try post(http, "/oauth/introspect", [("token", clientToken)], headers: [basic])
      #expect(after.text == "{\"active\":false}")
      for harmless in [clientToken, "garbage", String(repeating: "A", count: 43)] {
        #expect(try post(http, "/oauth/revoke", [("token", harmless)], headers: [basic]).status == 200)
      }
      expectError(try post(http, "/oauth/revoke", [], headers: [basic]), 400, "invalid_request")

      // A user's live tokens belong to no client: left alone.
      let user = try http.signIn(uniqueEmail(), register: true)
      expectError(
        try post(http, "/oauth/revoke", [("token", user.refresh)], headers: [basic]), 400,
        "unauthorized_client")
      expectError(
        try post(http, "/oauth/revoke", [("token", user.access)], headers: [basic]), 400,
        "unauthorized_client")
      #expect(try http.me(user.access).status == 200)
    }
  }

  @Test func removalDeactivatesTheClientsTokens() throws {
    try withOAuth { server, oauth in
      let http = server.client()
      let gone = try add(oauth)
      let caller = try add(oauth)
      let clientToken = try token(http, gone)
      #expect(try oauth.removeClient(id: gone.id))
      let answer = try post(
        http, "/oauth/introspect", [("token", clientToken)], headers: [Self.basic(caller.id, caller.secret)])
      #expect(answer.text == "{\"active\":false}")
      expectError(
        try post(
          http, "/oauth/token", [("grant_type", "client_credentials")],
          headers: [Self.basic(gone.id, gone.secret)]),
        401, "invalid_client", basicChallenge: true)
    }
  }

  @Test func userRoutesRefuseClientTokens() throws {
    try withOAuth { server, oauth in
      let http = server.client()
      let clientToken = try token(http, try add(oauth))
      let me = try http.me(clientToken)
      #expect(me.status == 401 && me.errorCode == "invalid_token")
      #expect(try http.get("/api/sessions", bearer: clientToken).status == 401)
    }
  }

  @Test func revocationAndRemovalHoldOnEveryInstance() throws {
    try TwoInstanceTests.withPair { a, b in
      let oauth = OAuthService(auth: a.app.service, clientTokenTTL: 900)
      let client = try add(oauth)
      let caller = try add(oauth)
      let introspectOnB = { (token: String) in
        try post(
          b.client(), "/oauth/introspect", [("token", token)], headers: [Self.basic(caller.id, caller.secret)]
        ).text
      }
      let revoked = try token(a.client(), client)
      let kept = try token(a.client(), client)
      #expect(try introspectOnB(revoked).hasPrefix("{\"active\":true"))
      #expect(
        try post(
          a.client(), "/oauth/revoke", [("token", revoked)], headers: [Self.basic(client.id, client.secret)]
        )
        .status == 200)
      #expect(try introspectOnB(revoked) == "{\"active\":false}")
      #expect(try introspectOnB(kept).hasPrefix("{\"active\":true"))
      #expect(try oauth.removeClient(id: client.id))
      #expect(try introspectOnB(kept) == "{\"active\":false}")
    }
  }

  // MARK: - Metadata

  @Test func metadataComesFromThePublicURLNotTheHost() throws {
    try withOAuth { server, _ in
      let response = try server.client().request(
        "GET", "/.well-known/oauth-authorization-server", headers: [("X-Forwarded-Host", "evil.example")])
      #expect(response.status == 200)
      let json = response.json
      #expect(json["token_endpoint"] as? String == Self.publicURL + "/oauth/token")
      #expect(json["jwks_uri"] as? String == Self.publicURL + "/.well-known/jwks.json")
      #expect(json["revocation_endpoint"] as? String == Self.publicURL + "/oauth/revoke")
      #expect(json["introspection_endpoint"] as? String == Self.publicURL + "/oauth/introspect")
      #expect(json["issuer"] as? String == "latchkey")
      #expect(
        json["grant_types_supported"] as? [String] == [
          "client_credentials", "authorization_code", "refresh_token",
          "urn:ietf:params:oauth:grant-type:device_code",
        ])
      #expect(json["response_types_supported"] as? [String] == ["code"])
      #expect(json["code_challenge_methods_supported"] as? [String] == ["S256"])
      #expect(json["authorization_endpoint"] as? String == Self.publicURL + "/oauth/authorize")
      #expect(
        json["device_authorization_endpoint"] as? String == Self.publicURL + "/oauth/device_authorization")
      #expect(json["authorization_response_iss_parameter_supported"] as? Bool == true)
      #expect(
        json["token_endpoint_auth_methods_supported"] as? [String] == [
          "client_secret_basic", "client_secret_post", "none",
        ])
      #expect(!response.text.contains("127.0.0.1"))
    }
  }
}
