import Foundation
import LatchkeyDomain
import LatchkeyServer
import LatchkeyTesting
import Testing

/// A key rotation under load on two instances (ES256): logins, refreshes,
/// `/api/me` and client credentials keep succeeding on both while a new key
/// is published and then takes over, whichever instance issued the token.
@Suite struct KeyRotationLoadTests {
  struct Failed: Error, CustomStringConvertible {
    let description: String
  }

  static func require(_ response: TestResponse, _ what: String) throws -> TestResponse {
    guard response.status == 200 else {
      throw Failed(description: "\(what): \(response.status) \(response.text)")
    }
    return response
  }

  @Test func everyRequestSucceedsThroughTwoRotations() throws {
    try TwoInstanceTests.withPair(["LATCHKEY_JWT_ALG": "ES256", "LATCHKEY_KEY_PUBLISH_DELAY": "10m"]) {
      a, b in
      let o = OAuthTests()
      let oauth = OAuthService(auth: a.app.service, clientTokenTTL: 900)
      let client = try o.add(oauth)
      let caller = try o.add(oauth)
      let servers = [a, b]
      let ports = servers.map(\.port)
      let lanes = 8
      let emails = (0..<lanes).map { _ in uniqueEmail() }
      for email in emails { try a.client().register(email) }
      let manager = try #require(a.app.keyManager)

      /// One burst: each lane logs in on one instance, refreshes, and uses
      /// the token (and one issued before the burst) on the other; odd lanes
      /// also get a client token and have it introspected on the other.
      func burst(old: [String], oldClient: String) throws -> [String] {
        let results = concurrently(lanes, ports: ports) { lane, http in
          let require = KeyRotationLoadTests.require
          let other = TestHTTPClient(port: ports[(lane + 1) % 2])
          defer { other.disconnect() }
          let login = try require(try http.login(emails[lane]), "login")
          let cookie = try #require(login.refreshCookie).value
          let refreshed = try require(try http.refresh(cookie: cookie), "refresh")
          let access = try #require(refreshed.accessToken)
          _ = try require(try other.me(access), "me on the other instance")
          _ = try require(try other.me(old[lane]), "me with a token from before")
          if lane % 2 == 1 {
            let token = try o.token(http, client)
            for presented in [token, oldClient] {
              let answer = try require(
                try o.post(
                  other, "/oauth/introspect", [("token", presented)],
                  headers: [OAuthTests.basic(caller.id, caller.secret)]),
                "introspect")
              guard answer.json["active"] as? Bool == true else {
                throw Failed(description: "inactive: \(answer.text)")
              }
            }
          }
          return refreshed
        }
        return try results.map { try #require($0.get().accessToken) }
      }

      var tokens = try emails.map { try a.client().signIn($0).access }
      var clientToken = try o.token(b.client(), client)
      for _ in 0..<2 {
        let oldKid = a.app.keys.signingKid
        let newKid = try manager.service.rotate().record.kid
        for server in servers {
          #expect(server.app.keys.waitUntil(timeout: 5) { $0.publishedKids.contains(newKid) })
        }
        // Published, not signing: the burst is signed by the old key.
        tokens = try burst(old: tokens, oldClient: clientToken)
        #expect(tokens.allSatisfy { DecodedJWT($0)?.header["kid"] as? String == oldKid })
        a.clock.advance(600)
        // Both instances switch at the same moment; the old key still verifies.
        tokens = try burst(old: tokens, oldClient: clientToken)
        #expect(tokens.allSatisfy { DecodedJWT($0)?.header["kid"] as? String == newKid })
        #expect(servers.allSatisfy { $0.app.keys.signingKid == newKid })
        clientToken = try o.token(a.client(), client)
        #expect(DecodedJWT(clientToken)?.header["kid"] as? String == newKid)
      }
    }
  }
}
