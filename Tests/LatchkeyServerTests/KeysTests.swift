import Foundation
import LatchkeyCrypto
import LatchkeyDomain
import LatchkeyJWT
import LatchkeyServer
import LatchkeyTesting
import Testing

/// Asymmetric signing keys and `GET /.well-known/jwks.json` (docs/api.md#jwks,
/// docs/operations.md#signing-keys): tokens verify from the published set alone, forgeries are
/// refused, and a rotation logs nobody out.
@Suite("signing keys and the JWKS")
struct KeysTests {
  /// The published keys, by kid.
  func jwks(_ client: TestHTTPClient) throws -> (keys: [String: [String: Any]], response: TestResponse) {
    let response = try client.request("GET", "/.well-known/jwks.json")
    try #require(response.status == 200)
    let keys = try #require(response.json["keys"] as? [[String: Any]])
    var byKid: [String: [String: Any]] = [:]
    for key in keys { byKid[try #require(key["kid"] as? String)] = key }
    return (byKid, response)
  }

  /// Verifies `token` the way an offline resource server would: the key from the JWKS by `kid`, the
  /// algorithm from that key.
  func verifiesFromJWKS(_ token: String, _ keys: [String: [String: Any]], now: Double) throws -> Bool {
    let jwt = try #require(DecodedJWT(token))
    let kid = try #require(jwt.header["kid"] as? String)
    guard let jwk = keys[kid] else { return false }
    let x = try #require(Base64URL.decode(jwk["x"] as? String ?? ""))
    let publicKey: SigningPublicKey
    switch jwk["crv"] as? String {
    case "P-256":
      let y = try #require(Base64URL.decode(jwk["y"] as? String ?? ""))
      publicKey = try SigningPublicKey(p256X: x, y: y)
    case "Ed25519":
      publicKey = try SigningPublicKey(ed25519: x)
    default:
      return false
    }
    let key = try JWTKey(kid: kid, publicKey: publicKey)
    #expect(key.algorithm.rawValue == jwk["alg"] as? String)
    let verifier = JWTVerifier(keys: JWTKeySet(signing: key), issuer: "latchkey", audience: "latchkey-api")
    return (try? verifier.verify(token, now: Int64(now))) != nil
  }

  @Test("a login's token verifies from the JWKS alone", arguments: ["ES256", "EdDSA"])
  func tokensVerifyFromTheJWKS(algorithm: String) throws {
    try withServer(["LATCHKEY_JWT_ALG": algorithm]) { server in
      let client = server.client()
      let (keys, response) = try jwks(client)
      #expect(keys.count == 1)
      #expect(response.header("cache-control") == "public, max-age=300")
      let jwk = try #require(keys.values.first)
      #expect(jwk["alg"] as? String == algorithm)
      #expect(jwk["use"] as? String == "sig")
      #expect(jwk["kty"] as? String == (algorithm == "ES256" ? "EC" : "OKP"))
      #expect(jwk["d"] == nil)
      let metrics = try client.request("GET", "/metrics").text
      #expect(metrics.contains(#"latchkey_signing_keys{state="active"} 1"#))
      #expect(metrics.contains("latchkey_signing_key_fallback 0"))

      let tokens = try client.signIn(uniqueEmail(), register: true)
      let jwt = try #require(DecodedJWT(tokens.access))
      #expect(jwt.header["alg"] as? String == algorithm)
      #expect(jwt.header["typ"] as? String == "JWT")
      #expect(keys[jwt.header["kid"] as? String ?? ""] != nil)
      #expect(try verifiesFromJWKS(tokens.access, keys, now: server.clock.now()))
      #expect(try client.me(tokens.access).status == 200)

      let refreshed = try client.rotate(tokens.refresh)
      #expect(try verifiesFromJWKS(refreshed.access, keys, now: server.clock.now()))
      #expect(try client.me(refreshed.access).status == 200)
    }
  }

  @Test("forged tokens are refused: HS256 made with the public key, alg none, a foreign key")
  func forgeriesAreRefused() throws {
    try withServer(["LATCHKEY_JWT_ALG": "ES256"]) { server in
      let client = server.client()
      let tokens = try client.signIn(uniqueEmail(), register: true)
      let real = try #require(DecodedJWT(tokens.access))
      let kid = try #require(real.header["kid"] as? String)
      let jwk = try #require(try jwks(client).keys[kid])
      let jwkText = String(
        decoding: try JSONSerialization.data(withJSONObject: jwk, options: [.sortedKeys]), as: UTF8.self)
      let rawPublic =
        (Base64URL.decode(jwk["x"] as? String ?? "") ?? [])
        + (Base64URL.decode(jwk["y"] as? String ?? "") ?? [])

      // HS256 keyed with the public key, in the forms a confused verifier might use.
      for secret in [jwkText, String(decoding: rawPublic, as: UTF8.self), jwk["x"] as? String ?? ""] {
        let forged = forgeJWT(
          header: ["alg": "HS256", "typ": "JWT", "kid": kid], claims: real.claims, secret: secret)
        let me = try client.me(forged)
        #expect(me.status == 401)
        #expect(me.json["error"] as? String == "invalid_token")
      }
      for alg in ["none", "None", "ES384", "EdDSA"] {
        let forged = forgeJWT(
          header: ["alg": alg, "typ": "JWT", "kid": kid], claims: real.claims, secret: "", signature: "")
        #expect(try client.me(forged).status == 401, "\(alg)")
      }
      // Our header and claims, signed by a key that is not ours.
      let stranger = try JWTKey(kid: kid, privateKey: SigningPrivateKey.generate(.p256))
      let foreign = JWTSigner(keys: JWTKeySet(signing: stranger)).sign(
        AccessClaims(
          iss: "latchkey", sub: real.string("sub") ?? "", aud: "latchkey-api", exp: real.int("exp") ?? 0,
          iat: real.int("iat") ?? 0, nbf: real.int("nbf") ?? 0, jti: "foreign", sid: real.string("sid") ?? "",
          role: "admin", email: real.string("email") ?? ""))
      #expect(try client.me(foreign).status == 401)
      #expect(try client.me(tokens.access).status == 200)
    }
  }

  @Test("a rotation publishes first, then switches keys, and logs nobody out")
  func rotationLogsNobodyOut() throws {
    try withServer(["LATCHKEY_JWT_ALG": "ES256", "LATCHKEY_KEY_PUBLISH_DELAY": "10m"]) { server in
      let client = server.client()
      let email = uniqueEmail()
      let before = try client.signIn(email, register: true)
      let oldKid = try #require(DecodedJWT(before.access)?.header["kid"] as? String)
      let manager = try #require(server.app.keyManager)

      // What `latchkey keys rotate` does; the instance learns of it by NOTIFY.
      let newKid = try manager.service.rotate().record.kid
      #expect(server.app.keys.waitUntil(timeout: 5) { $0.publishedKids.contains(newKid) })
      #expect(Set(try jwks(client).keys.keys) == [oldKid, newKid])
      // Published, not signing yet.
      let during = try client.signIn(email)
      #expect(DecodedJWT(during.access)?.header["kid"] as? String == oldKid)

      server.clock.advance(600)
      let after = try client.signIn(email)
      #expect(DecodedJWT(after.access)?.header["kid"] as? String == newKid)
      #expect(try client.me(before.access).status == 200)
      #expect(try client.me(after.access).status == 200)
      let refreshed = try client.rotate(before.refresh)
      #expect(DecodedJWT(refreshed.access)?.header["kid"] as? String == newKid)
      let keys = try jwks(client).keys
      #expect(Set(keys.keys) == [oldKid, newKid])
      for token in [before.access, after.access, refreshed.access] {
        #expect(try verifiesFromJWKS(token, keys, now: server.clock.now()))
      }

      // Once every token the old key signed has expired (900 s + 30 s leeway), it is gone.
      server.clock.advance(930)
      try manager.reconcile()
      #expect(Set(try jwks(client).keys.keys) == [newKid])
      let rows = try withDatabase(server.databaseURL) { try $0.query("select kid from signing_keys").rows }
      #expect(rows.compactMap { $0.string("kid") } == [newKid])
    }
  }

  @Test("automatic rotation publishes a key one publish delay before it takes over")
  func automaticRotation() throws {
    let env = [
      "LATCHKEY_JWT_ALG": "EdDSA", "LATCHKEY_KEY_PUBLISH_DELAY": "10m",
      "LATCHKEY_KEY_ROTATION_INTERVAL": "1h",
    ]
    try withServer(env) { server in
      let client = server.client()
      let manager = try #require(server.app.keyManager)
      let first = server.app.keys.signingKid
      server.clock.advance(3000 - 1)
      try manager.reconcile()
      #expect(server.app.keys.publishedKids == [first])
      server.clock.advance(1)
      try manager.reconcile()
      let published = server.app.keys.publishedKids
      #expect(published.count == 2 && published.first == first)
      #expect(server.app.keys.signingKid == first)
      server.clock.advance(600)
      let second = server.app.keys.signingKid
      #expect(second != first && published.contains(second))
      let tokens = try client.signIn(uniqueEmail(), register: true)
      #expect(DecodedJWT(tokens.access)?.header["kid"] as? String == second)
    }
  }

  @Test("client tokens (at+jwt) are signed by the same key and never pass as a user's")
  func clientTokensShareTheKey() throws {
    try withServer(["LATCHKEY_JWT_ALG": "ES256"]) { server in
      let codec = JWTAccessTokenCodec(ring: server.app.keys)
      let now = Int64(server.clock.now())
      let token = codec.sign(
        ClientTokenClaims(
          issuer: "latchkey", subject: "svc", audience: "latchkey-api", expiresAt: now + 900, issuedAt: now,
          notBefore: now, jti: "client-jti", clientID: "svc", scope: "read"))
      let jwt = try #require(DecodedJWT(token))
      #expect(jwt.header["typ"] as? String == "at+jwt")
      #expect(jwt.header["alg"] as? String == "ES256")
      #expect(jwt.header["kid"] as? String == server.app.keys.signingKid)
      #expect(try codec.verifyClient(token, now: now).clientID == "svc")
      #expect(try server.client().me(token).status == 401)
    }
  }

  @Test("a key row that does not open with our secret is neither trusted nor published")
  func plantedKeysAreIgnored() throws {
    try withServer(["LATCHKEY_JWT_ALG": "ES256"]) { server in
      let client = server.client()
      let ours = server.app.keys.signingKid
      let tokens = try client.signIn(uniqueEmail(), register: true)
      let real = try #require(DecodedJWT(tokens.access))
      // Someone with write access to the table adds their own public key, "active" since a moment ago.
      let attacker = try SigningPrivateKey.generate(.p256)
      try withDatabase(server.databaseURL) { db in
        _ = try db.query(
          """
          insert into signing_keys (kid, alg, created_at, activates_at, sealed_private_key, public_key)
          values ('planted', 'ES256', now(), now() - interval '1 second', $1, $2)
          """,
          [.bytes([1] + Array(repeating: 0, count: 60)), .bytes(attacker.publicKey.rawRepresentation)])
      }
      try #require(server.app.keyManager).reconcile()
      #expect(server.app.keys.publishedKids == [ours])
      #expect(server.app.keys.signingKid == ours)
      let forged = JWTSigner(keys: JWTKeySet(signing: try JWTKey(kid: "planted", privateKey: attacker))).sign(
        AccessClaims(
          iss: "latchkey", sub: real.string("sub") ?? "", aud: "latchkey-api", exp: real.int("exp") ?? 0,
          iat: real.int("iat") ?? 0, nbf: real.int("nbf") ?? 0, jti: "planted", sid: real.string("sid") ?? "",
          role: "admin", email: real.string("email") ?? ""))
      #expect(try client.me(forged).status == 401)
      #expect(try client.me(tokens.access).status == 200)
    }
  }

  @Test("with the database down at start-up the server starts, not ready and publishing nothing")
  func startsWithoutTheDatabase() throws {
    let server = try TestServer(
      environment: ["LATCHKEY_JWT_ALG": "ES256"],
      databaseURL: "postgres://latchkey@127.0.0.1:1/none?connect_timeout=1")
    defer { server.stop() }
    let client = server.client()
    #expect(!server.app.keys.isLoaded)
    #expect(try client.request("GET", "/healthz").status == 200)
    #expect(try client.request("GET", "/readyz").status == 503)
    #expect(try client.request("GET", "/.well-known/jwks.json").text == #"{"keys":[]}"#)
    #expect(try client.request("GET", "/metrics").text.contains("latchkey_signing_key_fallback 1"))
  }

  @Test("HS256 publishes an empty key set and stores no key")
  func hs256HasAnEmptySet() throws {
    try withServer { server in
      let client = server.client()
      let response = try client.request("GET", "/.well-known/jwks.json")
      #expect(response.status == 200)
      #expect(response.text == #"{"keys":[]}"#)
      #expect(response.header("cache-control")?.hasPrefix("public, max-age=") == true)
      let tokens = try client.signIn(uniqueEmail(), register: true)
      #expect(DecodedJWT(tokens.access)?.header["alg"] as? String == "HS256")
      let rows = try withDatabase(server.databaseURL) { try $0.query("select kid from signing_keys").rows }
      #expect(rows.isEmpty)
    }
  }

  @Test("switching HS256 to ES256 keeps sessions and the HS256 tokens already issued")
  func switchingAlgorithmKeepsSessions() throws {
    try TestDatabase.withDatabase { url in
      let first = try TestServer(databaseURL: url)
      let tokens = try first.client().signIn(uniqueEmail(), register: true)
      first.stop()

      let second = try TestServer(environment: ["LATCHKEY_JWT_ALG": "ES256"], databaseURL: url)
      defer { second.stop() }
      let client = second.client()
      #expect(try client.me(tokens.access).status == 200)
      let refreshed = try client.rotate(tokens.refresh)
      #expect(DecodedJWT(refreshed.access)?.header["alg"] as? String == "ES256")
      #expect(try verifiesFromJWKS(refreshed.access, try jwks(client).keys, now: second.clock.now()))
    }
  }

  @Test("instances on one database share one key")
  func instancesShareKeys() throws {
    try TestDatabase.withDatabase { url in
      let a = try TestServer(environment: ["LATCHKEY_JWT_ALG": "EdDSA"], databaseURL: url)
      defer { a.stop() }
      let b = try TestServer(environment: ["LATCHKEY_JWT_ALG": "EdDSA"], databaseURL: url)
      defer { b.stop() }
      let kidsA = Set(try jwks(a.client()).keys.keys)
      #expect(kidsA.count == 1)
      #expect(Set(try jwks(b.client()).keys.keys) == kidsA)
      let tokens = try a.client().signIn(uniqueEmail(), register: true)
      #expect(try b.client().me(tokens.access).status == 200)
    }
  }
}
