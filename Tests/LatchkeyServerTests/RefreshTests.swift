import Foundation
import LatchkeyTesting
import Testing

/// `POST /refresh`, rotation and reuse detection (docs/api.md#refresh, docs/api.md#rotation).
@Suite("POST /refresh: rotation and reuse")
struct RefreshTests {
  /// The answer every refresh failure must have: 401 invalid_grant, a
  /// cookie-clearing Set-Cookie and no tokens.
  static func expectRefused(_ response: TestResponse, _ comment: Comment? = nil) {
    #expect(response.status == 401, comment)
    #expect(response.errorCode == "invalid_grant", comment)
    #expect(response.accessToken == nil, comment)
    let cookie = response.refreshCookie
    #expect(cookie?.name == plainCookieName, comment)
    #expect(cookie?.value == "", comment)
    #expect(cookie?.maxAge == 0, comment)
    #expect(cookie?.attributes["path"] == "/", comment)
  }

  @Test("a refresh rotates: new cookie, new access token, same session; the old cookie is then used")
  func rotation() throws {
    try withServer(["LATCHKEY_REFRESH_REUSE_INTERVAL": "0"]) { server in
      let client = server.client()
      let login = try client.signIn(uniqueEmail(), register: true)
      let next = try client.rotate(login.refresh)
      #expect(next.refresh != login.refresh)
      #expect(next.access != login.access)
      #expect(next.response.header("cache-control") == "no-store")
      #expect(next.response.header("pragma") == "no-cache")
      #expect(Set(next.response.json.keys) == ["access_token", "token_type", "expires_in"])
      #expect(next.response.json["token_type"] as? String == "Bearer")
      let cookie = try #require(next.response.refreshCookie)
      #expect(cookie.has("HttpOnly"))
      #expect(cookie.attributes["samesite"]?.lowercased() == "strict")
      #expect(cookie.attributes["path"] == "/")
      #expect((604_790...604_800).contains(cookie.maxAge ?? 0))
      #expect(DecodedJWT(next.access)?.string("sid") == DecodedJWT(login.access)?.string("sid"))
      #expect(try client.me(next.access).status == 200)
      // Both access tokens stay valid while the family lives.
      #expect(try client.me(login.access).status == 200)

      // The chain continues.
      let third = try client.rotate(next.refresh)
      #expect(third.refresh != next.refresh)
      #expect(try client.me(third.access).status == 200)
    }
  }

  @Test("no, empty, malformed or unknown cookie: 401 invalid_grant with a clearing cookie")
  func missingOrUnknown() throws {
    try withServer { server in
      let client = server.client()
      Self.expectRefused(try client.refresh(cookie: nil), "no cookie")
      Self.expectRefused(try client.refresh(cookie: ""), "empty")
      Self.expectRefused(try client.refresh(cookie: "garbage"), "garbage")
      Self.expectRefused(try client.refresh(cookie: String(repeating: "A", count: 43)), "unknown")
      let other = try client.request("POST", "/refresh", headers: [("Cookie", "session=abc; theme=dark")])
      Self.expectRefused(other, "other cookies only")
      #expect(other.header("cache-control") == "no-store")
    }
  }

  @Test("reuse after the interval revokes the whole family, access tokens included")
  func reuseAfterInterval() throws {
    try withServer(["LATCHKEY_REFRESH_REUSE_INTERVAL": "10"]) { server in
      let client = server.client()
      let login = try client.signIn(uniqueEmail(), register: true)
      let second = try client.rotate(login.refresh)
      let third = try client.rotate(second.refresh)
      #expect(try client.me(third.access).status == 200)

      server.clock.advance(11)
      Self.expectRefused(try client.refresh(cookie: second.refresh), "reuse")
      // Every token of the family is dead now, the newest one included.
      Self.expectRefused(try client.refresh(cookie: third.refresh), "newest after reuse")
      Self.expectRefused(try client.refresh(cookie: login.refresh), "first after reuse")
      for access in [login.access, second.access, third.access] {
        let me = try client.me(access)
        #expect(me.status == 401)
        #expect(me.errorCode == "invalid_token")
      }
    }
  }

  @Test("with interval 0 any second use is reuse")
  func strictReuse() throws {
    try withServer(["LATCHKEY_REFRESH_REUSE_INTERVAL": "0"]) { server in
      let client = server.client()
      let login = try client.signIn(uniqueEmail(), register: true)
      let next = try client.rotate(login.refresh)
      Self.expectRefused(try client.refresh(cookie: login.refresh))
      Self.expectRefused(try client.refresh(cookie: next.refresh))
      #expect(try client.me(next.access).status == 401)
    }
  }

  @Test("within the interval the just-rotated token gets the same successor; the family survives")
  func graceSequential() throws {
    try withServer(["LATCHKEY_REFRESH_REUSE_INTERVAL": "10"]) { server in
      let client = server.client()
      let login = try client.signIn(uniqueEmail(), register: true)
      let first = try client.rotate(login.refresh)
      server.clock.advance(5)
      let again = try client.rotate(login.refresh)
      #expect(again.refresh == first.refresh)
      #expect(try client.me(again.access).status == 200)
      #expect(try client.me(first.access).status == 200)
      // The cookie's Max-Age is the successor's remaining life, not a fresh one.
      let maxAge = try #require(again.response.refreshCookie?.maxAge)
      #expect((604_785...604_796).contains(maxAge))

      // The session goes on with that value.
      let next = try client.rotate(first.refresh)
      #expect(next.refresh != first.refresh)
      #expect(try client.me(next.access).status == 200)
      let after = try client.rotate(next.refresh)
      #expect(try client.me(after.access).status == 200)
    }
  }

  @Test("concurrent refreshes with one token inside the interval all get the same successor")
  func graceConcurrent() throws {
    try withServer(["LATCHKEY_REFRESH_REUSE_INTERVAL": "10"]) { server in
      let login = try server.client().signIn(uniqueEmail(), register: true)
      let cookie = login.refresh
      for round in 0..<3 {
        let current = round == 0 ? cookie : try server.client().signIn(uniqueEmail(), register: true).refresh
        let results = concurrently(8, port: server.port) { _, client in try client.refresh(cookie: current) }
        let responses = results.compactMap { try? $0.get() }
        #expect(responses.count == 8)
        #expect(responses.allSatisfy { $0.status == 200 }, "\(responses.map { "\($0.status) \($0.text)" })")
        let values = Set(responses.compactMap { $0.refreshCookie?.value })
        #expect(values.count == 1, "every racer gets the same successor")
        let successor = try #require(values.first)
        #expect(successor != current)
        // The family lives on with that value.
        let client = server.client()
        let next = try client.rotate(successor)
        #expect(try client.me(next.access).status == 200)
        for response in responses {
          #expect(try client.me(response.accessToken).status == 200)
        }
      }
    }
  }

  @Test("inside the interval, a token older than the immediate parent is reuse")
  func olderThanParent() throws {
    try withServer(["LATCHKEY_REFRESH_REUSE_INTERVAL": "10"]) { server in
      let client = server.client()
      let login = try client.signIn(uniqueEmail(), register: true)
      let second = try client.rotate(login.refresh)
      let third = try client.rotate(second.refresh)
      Self.expectRefused(try client.refresh(cookie: login.refresh), "grandparent")
      Self.expectRefused(try client.refresh(cookie: third.refresh), "family revoked")
      Self.expectRefused(try client.refresh(cookie: second.refresh), "family revoked")
      #expect(try client.me(third.access).status == 401)
    }
  }

  @Test("N concurrent refreshes with interval 0: exactly one wins, then the family is revoked")
  func strictConcurrent() throws {
    try withServer(["LATCHKEY_REFRESH_REUSE_INTERVAL": "0"]) { server in
      for round in 0..<3 {
        let login = try server.client().signIn(uniqueEmail("round\(round)"), register: true)
        let results = concurrently(20, port: server.port) { _, client in
          try client.refresh(cookie: login.refresh)
        }
        let responses = results.compactMap { try? $0.get() }
        #expect(responses.count == 20)
        let statuses = responses.map(\.status)
        #expect(statuses.filter { $0 == 200 }.count == 1, "\(statuses)")
        #expect(statuses.filter { $0 == 401 }.count == 19, "\(statuses)")
        for response in responses where response.status == 401 {
          #expect(response.errorCode == "invalid_grant")
        }
        let winner = try #require(responses.first { $0.status == 200 })
        let client = server.client()
        Self.expectRefused(
          try client.refresh(cookie: winner.refreshCookie?.value), "winner's token after reuse")
        #expect(try client.me(winner.accessToken).status == 401)
        #expect(try client.me(login.access).status == 401)
      }
    }
  }

  @Test("an unused refresh token past LATCHKEY_REFRESH_TTL is refused; each rotation restarts it")
  func idleExpiry() throws {
    let environment = ["LATCHKEY_REFRESH_TTL": "60", "LATCHKEY_REFRESH_REUSE_INTERVAL": "0"]
    try withServer(environment) { server in
      let client = server.client()
      let email = uniqueEmail()
      let login = try client.signIn(email, register: true)
      #expect(login.response.refreshCookie?.maxAge.map { (55...60).contains($0) } == true)
      server.clock.advance(50)
      let next = try client.rotate(login.refresh)
      #expect(next.response.refreshCookie?.maxAge.map { (55...60).contains($0) } == true)
      server.clock.advance(50)
      let third = try client.rotate(next.refresh)
      server.clock.advance(61)
      Self.expectRefused(try client.refresh(cookie: third.refresh), "idle past the TTL")

      // Expiry is not reuse: another session of the user is unaffected, and
      // expired sessions are no longer listed.
      let other = try client.signIn(email)
      #expect(try client.me(other.access).status == 200)
      let sessions =
        try client.get("/api/sessions", bearer: other.access).json["sessions"] as? [[String: Any]]
      #expect(sessions?.count == 1)
    }
  }

  @Test("LATCHKEY_SESSION_MAX_AGE bounds the family across rotations")
  func absoluteLifetime() throws {
    let environment = [
      "LATCHKEY_SESSION_MAX_AGE": "100", "LATCHKEY_REFRESH_TTL": "60", "LATCHKEY_REFRESH_REUSE_INTERVAL": "0",
    ]
    try withServer(environment) { server in
      let client = server.client()
      let login = try client.signIn(uniqueEmail(), register: true)
      server.clock.advance(50)
      let second = try client.rotate(login.refresh)
      server.clock.advance(40)
      let third = try client.rotate(second.refresh)
      // The cookie's Max-Age is capped by the session's remaining life (about 10 s).
      let maxAge = try #require(third.response.refreshCookie?.maxAge)
      #expect((5...10).contains(maxAge), "\(maxAge)")
      server.clock.advance(11)
      Self.expectRefused(try client.refresh(cookie: third.refresh), "past the absolute lifetime")
    }
  }

  @Test("a refresh TTL longer than the session's max age is capped by it, from the login on")
  func refreshTTLCappedBySessionMaxAge() throws {
    let environment = ["LATCHKEY_SESSION_MAX_AGE": "100", "LATCHKEY_REFRESH_TTL": "1000"]
    try withServer(environment) { server in
      let client = server.client()
      let login = try client.signIn(uniqueEmail(), register: true)
      let maxAge = try #require(login.response.refreshCookie?.maxAge)
      #expect((95...100).contains(maxAge), "\(maxAge)")
      server.clock.advance(101)
      Self.expectRefused(try client.refresh(cookie: login.refresh))
    }
  }
}
