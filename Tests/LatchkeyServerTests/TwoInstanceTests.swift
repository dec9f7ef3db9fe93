import Foundation
import LatchkeyTesting
import Testing

/// Two servers on one database (DESIGN §6): revocations and reuse detection
/// hold across instances.
@Suite("two instances on one database")
struct TwoInstanceTests {
  /// Runs `body` with two servers sharing a database and a clock.
  static func withPair(_ environment: [String: String] = [:], _ body: (TestServer, TestServer) throws -> Void)
    throws
  {
    let url = try TestDatabase.create()
    defer { TestDatabase.drop(url) }
    let clock = TestClock()
    let a = try TestServer(environment: environment, databaseURL: url, clock: clock)
    defer { a.stop() }
    let b = try TestServer(environment: environment, databaseURL: url, clock: clock)
    defer { b.stop() }
    #expect(a.port != b.port)
    try body(a, b)
  }

  /// `/api/me` on `server`, asked once: the other instance must already
  /// refuse the token. The revoking instance answers only after its own
  /// NOTIFY came back (so the commit has signalled every listener), and the
  /// other instance reads whatever notifications already reached its socket
  /// before it answers, so no retry is needed.
  static func meOnceRevoked(_ server: TestServer, _ access: String) throws -> TestResponse {
    try server.client().me(access)
  }

  @Test("a login on A works on B; logout on A is honoured by B at once")
  func logoutAcrossInstances() throws {
    try Self.withPair { a, b in
      let tokens = try a.client().signIn(uniqueEmail(), register: true)
      #expect(try b.client().me(tokens.access).status == 200)
      #expect(try a.client().logout(cookie: tokens.refresh, bearer: tokens.access).status == 204)
      let me = try Self.meOnceRevoked(b, tokens.access)
      #expect(me.status == 401)
      #expect(me.errorCode == "invalid_token")
      RefreshTests.expectRefused(try b.client().refresh(cookie: tokens.refresh))
    }
  }

  @Test("refresh on A, then reuse of the old token on B, kills the family on both")
  func reuseAcrossInstances() throws {
    try Self.withPair(["LATCHKEY_REFRESH_REUSE_INTERVAL": "10"]) { a, b in
      let login = try a.client().signIn(uniqueEmail(), register: true)
      let rotated = try a.client().rotate(login.refresh)
      // Within the interval B answers with the same successor.
      let grace = try b.client().rotate(login.refresh)
      #expect(grace.refresh == rotated.refresh)

      a.clock.advance(11)
      RefreshTests.expectRefused(try b.client().refresh(cookie: login.refresh))
      RefreshTests.expectRefused(try a.client().refresh(cookie: rotated.refresh))
      #expect(try Self.meOnceRevoked(a, rotated.access).status == 401)
      #expect(try Self.meOnceRevoked(b, grace.access).status == 401)
    }
  }

  @Test("global logout on one instance applies on the other; a later login works on both")
  func globalAcrossInstances() throws {
    try Self.withPair { a, b in
      let email = uniqueEmail()
      let first = try a.client().signIn(email, register: true)
      let second = try b.client().signIn(email)
      #expect(try b.client().logout(cookie: second.refresh, global: true).status == 204)
      #expect(try Self.meOnceRevoked(a, first.access).status == 401)
      #expect(try Self.meOnceRevoked(a, second.access).status == 401)
      let again = try a.client().signIn(email)
      #expect(try b.client().me(again.access).status == 200)
      #expect(try a.client().me(again.access).status == 200)
    }
  }

  @Test("admin revoke on one instance applies on the other")
  func adminRevokeAcrossInstances() throws {
    try Self.withPair { a, b in
      let admin = try AdminTests.admin(a)
      let email = uniqueEmail("target")
      let id = try #require(try a.client().register(email).json["id"] as? String)
      let target = try b.client().signIn(email)
      let revoke = try AdminTests.post(a.client(), "/api/admin/users/\(id)/revoke", bearer: admin.access)
      #expect(revoke.status == 204)
      #expect(try Self.meOnceRevoked(b, target.access).status == 401)
      RefreshTests.expectRefused(try b.client().refresh(cookie: target.refresh))
      let again = try b.client().signIn(email)
      #expect(try a.client().me(again.access).status == 200)
    }
  }

  @Test(
    "concurrent refreshes split across both instances: one winner with interval 0, one successor with grace")
  func concurrentRefreshAcrossInstances() throws {
    try Self.withPair(["LATCHKEY_REFRESH_REUSE_INTERVAL": "0"]) { a, b in
      let login = try a.client().signIn(uniqueEmail(), register: true)
      let results = concurrently(16, ports: [a.port, b.port]) { _, client in
        try client.refresh(cookie: login.refresh)
      }
      let statuses = results.compactMap { try? $0.get().status }
      #expect(statuses.count == 16)
      #expect(statuses.filter { $0 == 200 }.count == 1, "\(statuses)")
      #expect(statuses.filter { $0 == 401 }.count == 15, "\(statuses)")
      #expect(try Self.meOnceRevoked(b, login.access).status == 401)
    }
    try Self.withPair(["LATCHKEY_REFRESH_REUSE_INTERVAL": "10"]) { a, b in
      let login = try a.client().signIn(uniqueEmail(), register: true)
      let results = concurrently(16, ports: [a.port, b.port]) { _, client in
        try client.refresh(cookie: login.refresh)
      }
      let responses = results.compactMap { try? $0.get() }
      #expect(responses.count == 16)
      #expect(responses.allSatisfy { $0.status == 200 }, "\(responses.map(\.status))")
      let successors = Set(responses.compactMap { $0.refreshCookie?.value })
      #expect(successors.count == 1)
      let next = try b.client().rotate(try #require(successors.first))
      #expect(try a.client().me(next.access).status == 200)
    }
  }
}
