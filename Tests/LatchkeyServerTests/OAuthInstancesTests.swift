import Foundation
import LatchkeyDomain
import LatchkeyServer
import LatchkeyTesting
import Testing

/// OAuth across two instances on one database: every change made through
/// one instance (a new client, a failure, a revocation, a removal, a key
/// rotation) holds on the other at once, with no retry.
@Suite struct OAuthInstancesTests {
  let o = OAuthTests()

  func introspect(_ server: TestServer, _ token: String, as caller: (id: String, secret: String)) throws
    -> TestResponse
  {
    try o.post(
      server.client(), "/oauth/introspect", [("token", token)],
      headers: [OAuthTests.basic(caller.id, caller.secret)])
  }

  @Test func aClientAddedThroughAIsServedByB() throws {
    try TwoInstanceTests.withPair { a, b in
      let client = try o.add(OAuthService(auth: a.app.service, clientTokenTTL: 900))
      #expect(try o.token(b.client(), client).isEmpty == false)
    }
  }

  @Test func failuresOnAThrottleOnB() throws {
    try TwoInstanceTests.withPair(["LATCHKEY_LOGIN_MAX_FAILURES_PER_ACCOUNT": "2"]) { a, b in
      let client = try o.add(OAuthService(auth: a.app.service, clientTokenTTL: 900))
      // B has served the client already, so the failures must reach its memory.
      _ = try o.token(b.client(), client)
      for _ in 0..<2 {
        let failed = try o.post(
          a.client(), "/oauth/token", [("grant_type", "client_credentials")],
          headers: [OAuthTests.basic(client.id, "wrong")])
        #expect(failed.status == 401)
      }
      // Failures travel as notices without acknowledgement (a counter was
      // never read atomically with the attempt either): B must hear of them
      // within a moment, then refuse even the right secret.
      let registry = try #require(b.app.clients)
      #expect(registry.waitUntil(timeout: 5) { $0.mayHaveFailures(["client:" + client.id]) })
      let throttled = try o.post(
        b.client(), "/oauth/token", [("grant_type", "client_credentials")],
        headers: [OAuthTests.basic(client.id, client.secret)])
      #expect(throttled.status == 429, "\(throttled.text)")
    }
  }

  @Test func aUsersLogoutOnAIsInactiveOnBsIntrospection() throws {
    try TwoInstanceTests.withPair { a, b in
      let caller = try o.add(OAuthService(auth: a.app.service, clientTokenTTL: 900))
      let user = try a.client().signIn(uniqueEmail(), register: true)
      #expect(try introspect(b, user.access, as: caller).json["active"] as? Bool == true)
      #expect(try a.client().logout(cookie: user.refresh, bearer: user.access).status == 204)
      #expect(try introspect(b, user.access, as: caller).text == "{\"active\":false}")
    }
  }

  @Test func aRemovalOnAIsRefusedByBAtOnce() throws {
    try TwoInstanceTests.withPair { a, b in
      let oauth = OAuthService(auth: a.app.service, clientTokenTTL: 900)
      let gone = try o.add(oauth)
      let caller = try o.add(oauth)
      let token = try o.token(b.client(), gone)
      #expect(try introspect(b, token, as: caller).json["active"] as? Bool == true)
      #expect(try oauth.removeClient(id: gone.id))
      let refused = try o.post(
        b.client(), "/oauth/token", [("grant_type", "client_credentials")],
        headers: [OAuthTests.basic(gone.id, gone.secret)])
      o.expectError(refused, 401, "invalid_client", basicChallenge: true)
      #expect(try introspect(b, token, as: caller).text == "{\"active\":false}")
      // The removed client cannot introspect either.
      o.expectError(try introspect(b, token, as: gone), 401, "invalid_client", basicChallenge: true)
    }
  }
}
