import Foundation
import LatchkeyTesting
import Testing

/// Access tokens and `GET /api/me` (docs/api.md#access-tokens, docs/api.md#me).
@Suite("access tokens and /api/me")
struct AccessTokenTests {
  @Test("the JWT header and claims")
  func claims() throws {
    try withServer { server in
      let client = server.client()
      let email = uniqueEmail()
      let created = try client.register(email)
      let userID = try #require(created.json["id"] as? String)
      let tokens = try client.signIn(email)
      let jwt = try #require(DecodedJWT(tokens.access))

      #expect(jwt.header["alg"] as? String == "HS256")
      #expect(jwt.header["typ"] as? String == "JWT")
      #expect((jwt.header["kid"] as? String)?.isEmpty == false)

      #expect(jwt.string("iss") == "latchkey")
      #expect(jwt.string("aud") == "latchkey-api")
      #expect(jwt.string("sub") == userID)
      #expect(jwt.string("email") == email)
      #expect(jwt.string("role") == "user")
      let iat = try #require(jwt.int("iat"))
      let exp = try #require(jwt.int("exp"))
      let nbf = try #require(jwt.int("nbf"))
      #expect(exp - iat == 900)
      #expect(nbf <= iat)
      #expect(abs(Double(iat) - server.clock.now()) < 5)
      let sid = try #require(jwt.string("sid"))
      #expect(UUID(uuidString: sid) != nil)
      #expect(jwt.string("jti")?.isEmpty == false)

      let me = try client.me(tokens.access)
      #expect(me.json["session_id"] as? String == sid)
    }
  }

  @Test("jti is unique across logins and refreshes; the kid is stable")
  func uniqueJTI() throws {
    try withServer { server in
      let client = server.client()
      let email = uniqueEmail()
      try client.register(email)
      var tokens: [String] = []
      var cookie = ""
      for index in 0..<5 {
        let login = try client.signIn(email)
        tokens.append(login.access)
        cookie = index == 0 ? login.refresh : cookie
      }
      for _ in 0..<3 {
        let next = try client.rotate(cookie)
        tokens.append(next.access)
        cookie = next.refresh
      }
      let decoded = tokens.compactMap(DecodedJWT.init)
      #expect(decoded.count == tokens.count)
      #expect(Set(decoded.compactMap { $0.string("jti") }).count == tokens.count)
      #expect(Set(decoded.compactMap { $0.header["kid"] as? String }).count == 1)
    }
  }

  @Test("issuer, audience and access TTL follow the configuration")
  func configuredClaims() throws {
    let environment = [
      "LATCHKEY_ISSUER": "https://auth.example", "LATCHKEY_AUDIENCE": "my-api", "LATCHKEY_ACCESS_TTL": "5m",
    ]
    try withServer(environment) { server in
      let client = server.client()
      let tokens = try client.signIn(uniqueEmail(), register: true)
      #expect(tokens.response.json["expires_in"] as? Int == 300)
      let jwt = try #require(DecodedJWT(tokens.access))
      #expect(jwt.string("iss") == "https://auth.example")
      #expect(jwt.string("aud") == "my-api")
      #expect(jwt.int("exp")! - jwt.int("iat")! == 300)
      #expect(try client.me(tokens.access).status == 200)
      server.clock.advance(300 + 31)
      #expect(try client.me(tokens.access).status == 401)
    }
  }

  @Test("/api/me answers the token's identity")
  func me() throws {
    try withServer { server in
      let client = server.client()
      let email = uniqueEmail()
      let id = try #require(try client.register(email).json["id"] as? String)
      let tokens = try client.signIn(email)
      let me = try client.me(tokens.access)
      #expect(me.status == 200)
      #expect(Set(me.json.keys) == ["id", "email", "role", "session_id"])
      #expect(me.json["id"] as? String == id)
      #expect(me.json["email"] as? String == email)
      #expect(me.json["role"] as? String == "user")
      #expect(me.json["session_id"] as? String == DecodedJWT(tokens.access)?.string("sid"))
      // The auth scheme is case-insensitive.
      let lower = try client.request(
        "GET", "/api/me", headers: [("Authorization", "bearer \(tokens.access)")])
      #expect(lower.status == 200)
    }
  }

  @Test("a missing token: 401 with exactly Bearer realm=\"latchkey\"")
  func missingToken() throws {
    try withServer { server in
      let client = server.client()
      for headers in [[], [("Authorization", "Basic dXNlcjpwYXNz")], [("Authorization", "Bearer")]] {
        let response = try client.request("GET", "/api/me", headers: headers)
        #expect(response.status == 401, "\(headers)")
        #expect(response.header("www-authenticate") == #"Bearer realm="latchkey""#, "\(headers)")
        #expect(response.errorCode != nil)
      }
    }
  }

  @Test("garbage, wrong-signature, wrong-audience and expired tokens: 401 invalid_token")
  func invalidTokens() throws {
    try withServer { server in
      let client = server.client()
      let tokens = try client.signIn(uniqueEmail(), register: true)
      let jwt = try #require(DecodedJWT(tokens.access))
      let otherSecret = "another-secret-0123456789abcdef-0123456789"
      let badAudience = jwt.claims.merging(["aud": "someone-else"]) { $1 }
      let badIssuer = jwt.claims.merging(["iss": "evil"]) { $1 }
      let future = jwt.claims.merging(["nbf": Int(server.clock.now()) + 120]) { $1 }
      let candidates = [
        "garbage",
        "a.b.c",
        tokens.access + "x",
        String(tokens.access.dropLast(2)),
        forgeJWT(header: jwt.header, claims: jwt.claims, secret: otherSecret),
        forgeJWT(header: jwt.header, claims: badAudience, secret: TestServer.secret),
        forgeJWT(header: jwt.header, claims: badIssuer, secret: TestServer.secret),
        forgeJWT(header: jwt.header, claims: future, secret: TestServer.secret),
      ]
      for token in candidates {
        let response = try client.me(token)
        #expect(response.status == 401, "\(token)")
        #expect(response.errorCode == "invalid_token", "\(token)")
        #expect(response.header("www-authenticate")?.contains(#"error="invalid_token""#) == true, "\(token)")
        #expect(response.header("www-authenticate")?.hasPrefix(#"Bearer realm="latchkey""#) == true)
      }
      // The genuine token re-signed with the right key still passes (the forgeries fail for their claims).
      #expect(
        try client.me(forgeJWT(header: jwt.header, claims: jwt.claims, secret: TestServer.secret)).status
          == 200)

      // Expiry, past the 30 s leeway.
      #expect(try client.me(tokens.access).status == 200)
      server.clock.advance(900 + 20)
      #expect(try client.me(tokens.access).status == 200, "within the 30 s leeway")
      server.clock.advance(15)
      let expired = try client.me(tokens.access)
      #expect(expired.status == 401)
      #expect(expired.errorCode == "invalid_token")
      #expect(expired.header("www-authenticate")?.contains(#"error="invalid_token""#) == true)
    }
  }

  @Test("a token signed with a previous secret still verifies during a rotation")
  func previousSecret() throws {
    let oldSecret = "old-secret-for-rotation-0123456789abcdef"
    let url = try TestDatabase.create()
    defer { TestDatabase.drop(url) }
    let old = try TestServer(environment: ["LATCHKEY_JWT_SECRET": oldSecret], databaseURL: url)
    let tokens = try old.client().signIn(uniqueEmail(), register: true)
    old.stop()
    let rotated = try TestServer(
      environment: ["LATCHKEY_JWT_PREVIOUS_SECRETS": oldSecret], databaseURL: url)
    defer { rotated.stop() }
    #expect(try rotated.client().me(tokens.access).status == 200)
    let fresh = try rotated.client().rotate(tokens.refresh)
    #expect(
      DecodedJWT(fresh.access)?.header["kid"] as? String != DecodedJWT(tokens.access)?.header["kid"]
        as? String)
    #expect(try rotated.client().me(fresh.access).status == 200)
  }
}
