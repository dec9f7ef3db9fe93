import Foundation
import LatchkeyConcurrency
import LatchkeyCrypto
import LatchkeyTesting
import Testing

/// Races between requests that touch the same account or session, each on
/// its own connection and thread, released together.
@Suite("concurrent requests")
struct ConcurrencyTests {
  @Test("concurrent registrations of one email: exactly one 201, the rest 409")
  func registerRace() throws {
    try withServer { server in
      let email = uniqueEmail("race")
      let results = concurrently(12, port: server.port) { index, client in
        try client.register(index % 2 == 0 ? email : email.uppercased(), "password number \(index)")
      }
      let statuses = results.compactMap { try? $0.get().status }
      #expect(statuses.count == 12)
      #expect(statuses.filter { $0 == 201 }.count == 1, "\(statuses)")
      #expect(statuses.filter { $0 == 409 }.count == 11, "\(statuses)")
    }
  }

  @Test("concurrent logins beyond LATCHKEY_MAX_SESSIONS leave at most that many live sessions")
  func sessionCapRace() throws {
    try withServer(["LATCHKEY_MAX_SESSIONS": "2"]) { server in
      let email = uniqueEmail()
      try server.client().register(email)
      let results = concurrently(10, port: server.port) { _, client in try client.login(email) }
      let responses = results.compactMap { try? $0.get() }
      #expect(responses.count == 10)
      #expect(responses.allSatisfy { $0.status == 200 }, "\(responses.map(\.status))")
      let live = try responses.filter { try server.client().me($0.accessToken).status == 200 }
      #expect(live.count == 2)
      let login = try server.client().signIn(email)
      let sessions = try server.client().get("/api/sessions", bearer: login.access).json["sessions"] as? [Any]
      #expect(sessions?.count == 2)
    }
  }

  @Test("a login never evicts the session it just created, however logins interleave")
  func loginKeepsItsOwnSession() throws {
    try withServer(["LATCHKEY_MAX_SESSIONS": "1"]) { server in
      for _ in 0..<4 {
        let email = uniqueEmail()
        try server.client().register(email)
        let results = concurrently(8, port: server.port) { _, client in try client.login(email) }
        #expect(results.compactMap { try? $0.get().status }.filter { $0 == 200 }.count == 8)
      }
      // A session revoked for the cap at the very instant it was created was
      // evicted by its own login, which then handed out its dead tokens.
      let selfEvicted = try withDatabase(server.databaseURL) { db in
        try db.query(
          "select count(*) from sessions where revoked_reason = 'session_limit' and revoked_at = created_at"
        ).rows.first?.int(0)
      }
      #expect(selfEvicted == 0)
    }
  }

  @Test("refresh racing logout: whatever the order, the session ends dead")
  func refreshVersusLogout() throws {
    try withServer(["LATCHKEY_REFRESH_REUSE_INTERVAL": "10"]) { server in
      for _ in 0..<5 {
        let login = try server.client().signIn(uniqueEmail(), register: true)
        let results = concurrently(6, port: server.port) { index, client in
          index % 2 == 0
            ? try client.refresh(cookie: login.refresh) : try client.logout(cookie: login.refresh)
        }
        let responses = results.compactMap { try? $0.get() }
        #expect(responses.count == 6)
        #expect(responses.allSatisfy { $0.status < 500 }, "\(responses.map(\.status))")
        let client = server.client()
        for response in responses {
          if let access = response.accessToken { #expect(try client.me(access).status == 401) }
          if let cookie = response.refreshCookie?.value, !cookie.isEmpty {
            RefreshTests.expectRefused(try client.refresh(cookie: cookie))
          }
        }
        #expect(try client.me(login.access).status == 401)
      }
    }
  }

  @Test("refreshes racing a global logout: every session ends dead, whichever commits first")
  func refreshVersusGlobalLogout() throws {
    // A global logout revokes by user without the refresh token's lock, so
    // only the session row orders it against a one-statement rotation.
    try withServer(["LATCHKEY_REFRESH_REUSE_INTERVAL": "0"]) { server in
      for _ in 0..<5 {
        let email = uniqueEmail()
        let first = try server.client().signIn(email, register: true)
        let second = try server.client().signIn(email)
        let results = concurrently(6, port: server.port) { index, client in
          switch index % 3 {
          case 0: try client.refresh(cookie: first.refresh)
          case 1: try client.refresh(cookie: second.refresh)
          default: try client.logout(bearer: first.access, global: true)
          }
        }
        let responses = results.compactMap { try? $0.get() }
        #expect(responses.count == 6)
        #expect(responses.allSatisfy { $0.status < 500 }, "\(responses.map(\.status))")
        let client = server.client()
        for response in responses {
          if let access = response.accessToken { #expect(try client.me(access).status == 401) }
          if let cookie = response.refreshCookie?.value, !cookie.isEmpty {
            RefreshTests.expectRefused(try client.refresh(cookie: cookie))
          }
        }
        #expect(try client.me(second.access).status == 401)
      }
    }
  }

  @Test("concurrent wrong passwords overshoot the account's limit by at most the verifications in flight")
  func throttleRace() throws {
    // Each verification holds a hashing slot from its throttle check until
    // its failure is recorded, so at most `width - 1` guesses can pass the
    // check while the limit's last failure is being recorded.
    let width = BoundedThreadPool.defaultThreadCount
    try withServer(["LATCHKEY_LOGIN_MAX_FAILURES_PER_ACCOUNT": "3"]) { server in
      for _ in 0..<3 {
        let email = uniqueEmail()
        try server.client().register(email)
        let results = concurrently(12, port: server.port) { _, client in
          try client.login(email, "wrong password!")
        }
        let statuses = results.compactMap { try? $0.get().status }
        #expect(statuses.count == 12)
        let verdicts = statuses.filter { $0 == 401 }.count
        #expect((3...3 + width - 1).contains(verdicts), "\(statuses)")
        #expect(statuses.filter { $0 == 429 }.count == 12 - verdicts, "\(statuses)")
        // The account is locked, even for the right password.
        #expect(try server.client().login(email).status == 429)
      }
      // Another account from the same address still logs in.
      #expect(try server.client().signIn(uniqueEmail(), register: true).access.isEmpty == false)
    }
  }

  @Test("correct passwords sent at once are never answered 429")
  func correctPasswordsAtOnce() throws {
    try withServer(["LATCHKEY_LOGIN_MAX_FAILURES_PER_ACCOUNT": "3"]) { server in
      let email = uniqueEmail()
      try server.client().register(email)
      // Two failures on record, below the limit of three.
      for _ in 0..<2 { #expect(try server.client().login(email, "wrong password!").status == 401) }
      let results = concurrently(52, port: server.port) { _, client in try client.login(email) }
      let statuses = results.compactMap { try? $0.get().status }
      #expect(statuses.count == 52)
      #expect(statuses.allSatisfy { $0 == 200 }, "\(statuses)")
    }
  }

  @Test("successful logins never add up to an address lock")
  func successesDoNotCountAgainstTheAddress() throws {
    try withServer(["LATCHKEY_LOGIN_MAX_FAILURES_PER_ADDRESS": "3"]) { server in
      let email = uniqueEmail()
      try server.client().register(email)
      let results = concurrently(8, port: server.port) { _, client in try client.login(email) }
      #expect(results.compactMap { try? $0.get().status }.allSatisfy { $0 == 200 })
      for _ in 0..<5 { #expect(try server.client().login(email).status == 200) }
      // Failures still count: three, then the address is locked.
      for _ in 0..<3 { #expect(try server.client().login(email, "wrong password!").status == 401) }
      #expect(try server.client().login(email).status == 429)
    }
  }
}
