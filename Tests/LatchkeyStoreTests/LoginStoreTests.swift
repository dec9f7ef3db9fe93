import Foundation
import LatchkeyDomain
import LatchkeyPostgres
import LatchkeyStore
import LatchkeyTesting
import Synchronization
import Testing

/// The one-statement steps of a password login against a real PostgreSQL:
/// the read before hashing, a recorded failure, a session opened.
@Suite struct LoginStoreTests {
  func withStore<T>(_ body: (PostgresStore, String) throws -> T) throws -> T {
    let url = try TestDatabase.create(prefix: "login")
    defer { TestDatabase.drop(url) }
    _ = try Migrations.apply(url: url, directory: TestServer.migrationsDirectory)
    let pool = PostgresPool(url: url, size: 8)
    defer { pool.close() }
    return try body(PostgresStore(pool: pool), url)
  }

  let keys = LoginThrottle.keys(emailKey: "ann@example.com", device: nil, ip: "192.0.2.1")
  /// Different lengths, so a mix-up of the two windows shows.
  let throttle = {
    var settings = AuthSettings()
    settings.loginFailureWindow = 100
    var throttle = LoginThrottle(settings: settings)
    throttle.address.length = 50
    return throttle
  }()

  func failure(at time: Double, user: UUID? = nil, ip: String = "192.0.2.1") -> AuditEvent {
    AuditEvent(time: time, type: .loginFailure, userID: user, sessionID: nil, ip: ip)
  }

  func counters(_ store: PostgresStore) throws -> [String: ThrottleCounter] {
    try store.read { tx in
      var found: [String: ThrottleCounter] = [:]
      for key in [keys.budget, keys.address] { found[key] = try tx.throttleCounter(key) }
      return found
    }
  }

  @Test func theReadBeforeHashingFindsTheAccountAndOnlyTheAskedCounters() throws {
    try withStore { store, _ throws in
      let none = try store.read { try $0.findUser(emailKey: "ann@example.com", counters: [keys.budget]) }
      #expect(none.0 == nil && none.1.isEmpty)
      try store.transaction { tx in
        try tx.saveThrottleCounter(keys.budget, ThrottleCounter(failures: 2, windowStartedAt: 1000.25))
        try tx.saveThrottleCounter(keys.address, ThrottleCounter(failures: 5, windowStartedAt: 999))
        try tx.saveThrottleCounter("device:n1", ThrottleCounter(failures: 1, windowStartedAt: 998))
      }
      // Counters without an account (an unknown address still has budgets).
      let strangers = try store.read {
        try $0.findUser(emailKey: "ann@example.com", counters: [keys.budget, "device:n2", keys.address])
      }
      #expect(strangers.0 == nil)
      #expect(
        strangers.1 == [
          keys.budget: ThrottleCounter(failures: 2, windowStartedAt: 1000.25),
          keys.address: ThrottleCounter(failures: 5, windowStartedAt: 999),
        ])
      let ann = User(id: UUID(), email: "Ann@example.com", role: .admin, passwordHash: "$argon2id$fake")
      #expect(try store.transaction { try $0.insertUser(ann, now: 1000) })
      let found = try store.read {
        try $0.findUser(emailKey: "ann@example.com", counters: [keys.budget, "device:n1", keys.address])
      }
      #expect(found.0 == ann)
      #expect(found.1.keys.sorted() == [keys.address, keys.budget, "device:n1"].sorted())
      // An account without counters.
      let quiet = try store.read { try $0.findUser(emailKey: "ann@example.com", counters: ["address:x"]) }
      #expect(quiet.0 == ann && quiet.1.isEmpty)
    }
  }

  @Test func aFailureMovesEachCounterByItsOwnWindowAsTheRuleDoes() throws {
    try withStore { store, _ throws in
      func record(at now: Double) throws -> [String: ThrottleCounter] {
        let before = try counters(store)
        try store.read { try $0.recordLoginFailure(keys, throttle: throttle, audit: failure(at: now)) }
        let after = try counters(store)
        // The SQL agrees with the domain's rule, window by window.
        #expect(after[keys.budget] == throttle.account.recordingFailure(before[keys.budget], now: now))
        #expect(after[keys.address] == throttle.address.recordingFailure(before[keys.address], now: now))
        return after
      }
      // No rows yet: each opens a window of one.
      #expect(try record(at: 1000.5)[keys.budget] == ThrottleCounter(failures: 1, windowStartedAt: 1000.5))
      _ = try record(at: 1030)
      // The address's 50-second window has ended, the budget's 100 has not.
      let third = try record(at: 1060)
      #expect(third[keys.budget] == ThrottleCounter(failures: 3, windowStartedAt: 1000.5))
      #expect(third[keys.address] == ThrottleCounter(failures: 1, windowStartedAt: 1060))
      // Exactly at the end a window is over (`started + length > now` is false).
      #expect(try record(at: 1100.5)[keys.budget] == ThrottleCounter(failures: 1, windowStartedAt: 1100.5))
      // The empty row `lockThrottleCounter` leaves reads as an ended window.
      try store.transaction { tx in
        _ = try tx.lockThrottleCounter(keys.budget)
        try tx.saveThrottleCounter(keys.budget, ThrottleCounter(failures: 0, windowStartedAt: 0))
      }
      _ = try record(at: 1101)
      let user = UUID()
      try store.read {
        try $0.recordLoginFailure(keys, throttle: throttle, audit: failure(at: 1102, user: user))
      }
      let events = try store.read { try $0.auditEvents(of: nil, limit: 10) }
      #expect(events.count == 6)
      #expect(events.first == failure(at: 1102, user: user))
      #expect(events.dropFirst().allSatisfy { $0.type == .loginFailure && $0.userID == nil })
    }
  }

  @Test func aFailureThatCannotBeAuditedCountsNothing() throws {
    try withStore { store, url throws in
      try store.read { try $0.recordLoginFailure(keys, throttle: throttle, audit: failure(at: 1000)) }
      let pool = PostgresPool(url: url, size: 1)
      defer { pool.close() }
      try pool.withConnection { db in
        try db.execute(script: "alter table audit_events add constraint refuse check (ip <> 'refused')")
      }
      #expect(throws: PostgresError.self) {
        try store.read {
          try $0.recordLoginFailure(keys, throttle: throttle, audit: failure(at: 1001, ip: "refused"))
        }
      }
      #expect(
        try counters(store) == [
          keys.budget: ThrottleCounter(failures: 1, windowStartedAt: 1000),
          keys.address: ThrottleCounter(failures: 1, windowStartedAt: 1000),
        ])
      #expect(try store.read { try $0.auditEvents(of: nil, limit: 10) }.count == 1)
    }
  }

  @Test func concurrentFailuresAllCount() throws {
    try withStore { store, _ throws in
      let threads = 8
      let each = 10
      let gate = DispatchSemaphore(value: 0)
      let group = DispatchGroup()
      let errors = Mutex(0)
      for _ in 0..<threads {
        group.enter()
        Thread { [keys, throttle] in
          gate.wait()
          for _ in 0..<each {
            do {
              let audit = AuditEvent(
                time: 1000, type: .loginFailure, userID: nil, sessionID: nil, ip: "192.0.2.1")
              try store.read { try $0.recordLoginFailure(keys, throttle: throttle, audit: audit) }
            } catch {
              errors.withLock { $0 += 1 }
            }
          }
          group.leave()
        }.start()
      }
      for _ in 0..<threads { gate.signal() }
      group.wait()
      #expect(errors.withLock { $0 } == 0)
      let total = threads * each
      #expect(
        try counters(store) == [
          keys.budget: ThrottleCounter(failures: total, windowStartedAt: 1000),
          keys.address: ThrottleCounter(failures: total, windowStartedAt: 1000),
        ])
      #expect(try store.read { try $0.auditEvents(of: nil, limit: 1000) }.count == total)
    }
  }

  func opening(_ user: UUID, at now: Double, audit: AuditType? = .loginSuccess, clearing: String? = nil)
    -> SessionOpening
  {
    SessionOpening(
      id: UUID(), user: user, kind: .browser, client: ClientInfo(ip: "192.0.2.1", userAgent: "ua"), now: now,
      absoluteExpiry: now + 1000, refreshHash: Array(UUID().uuidString.utf8), refreshExpiry: now + 100,
      audit: audit, clearing: clearing)
  }

  @Test func aSessionOpensWithItsTokenAuditAndClearedBudgetAndCountsTheLive() throws {
    try withStore { store, _ throws in
      let ann = User(id: UUID(), email: "ann@example.com", role: .user, passwordHash: "$argon2id$fake")
      #expect(try store.transaction { try $0.insertUser(ann, now: 1000) })
      try store.read { try $0.recordLoginFailure(keys, throttle: throttle, audit: failure(at: 1000)) }
      let first = opening(ann.id, at: 1001, clearing: keys.budget)
      #expect(try store.transaction { try $0.openSession(first) } == 1)
      // The token is usable, the budget is cleared, the address's is not.
      let live = try store.read { try $0.findLiveToken(hash: first.refreshHash, now: 1002) }
      #expect(live?.sessionID == first.id && live?.userID == ann.id && live?.expiresAt == 1101)
      #expect(try counters(store).keys.sorted() == [keys.address])
      #expect(try store.read { try $0.auditEvents(of: ann.id, limit: 10) } == [first.auditEvent])
      // No audit event asked for, none written; the count includes the new one.
      let second = opening(ann.id, at: 1002, audit: nil)
      #expect(try store.transaction { try $0.openSession(second) } == 2)
      #expect(try store.read { try $0.auditEvents(of: ann.id, limit: 10) }.count == 1)
      // Revoked and expired sessions do not count.
      _ = try store.transaction { try $0.revokeSessions(.session(first.id), reason: .logout, now: 1003) }
      #expect(try store.transaction { try $0.openSession(opening(ann.id, at: 1004)) } == 2)
      #expect(try store.transaction { try $0.openSession(opening(ann.id, at: 2003)) } == 2)
    }
  }

  @Test func aSessionThatCannotBeAuditedLeavesNothing() throws {
    try withStore { store, url throws in
      let ann = User(id: UUID(), email: "ann@example.com", role: .user, passwordHash: "$argon2id$fake")
      #expect(try store.transaction { try $0.insertUser(ann, now: 1000) })
      try store.read { try $0.recordLoginFailure(keys, throttle: throttle, audit: failure(at: 1000)) }
      let pool = PostgresPool(url: url, size: 1)
      defer { pool.close() }
      try pool.withConnection { db in
        try db.execute(
          script: "alter table audit_events add constraint refuse check (type <> 'login_success')")
      }
      let refused = opening(ann.id, at: 1001, clearing: keys.budget)
      #expect(throws: PostgresError.self) { try store.read { try $0.openSession(refused) } }
      #expect(try store.read { try $0.findLiveToken(hash: refused.refreshHash, now: 1002) } == nil)
      #expect(try store.read { try $0.cappedSessions(of: ann.id, now: 1002) }.isEmpty)
      #expect(try counters(store).count == 2)
      // Nor does a session for an account that is gone.
      #expect(throws: PostgresError.self) {
        try store.read { try $0.openSession(opening(UUID(), at: 1001, audit: nil, clearing: keys.budget)) }
      }
      #expect(try counters(store).count == 2)
    }
  }

  /// Each login holds the user's row lock while it counts, so concurrent
  /// logins of one user count one another, as the cap needs.
  @Test func concurrentOpeningsUnderTheUserLockCountEveryOne() throws {
    try withStore { store, _ throws in
      let ann = User(id: UUID(), email: "ann@example.com", role: .user, passwordHash: "$argon2id$fake")
      #expect(try store.transaction { try $0.insertUser(ann, now: 1000) })
      let threads = 8
      let gate = DispatchSemaphore(value: 0)
      let group = DispatchGroup()
      let counts = Mutex([Int]())
      for _ in 0..<threads {
        group.enter()
        Thread {
          gate.wait()
          let count = try? store.transaction { tx -> Int in
            _ = try tx.findUser(id: ann.id, lock: true)
            return try tx.openSession(opening(ann.id, at: 1001))
          }
          counts.withLock { $0.append(count ?? -1) }
          group.leave()
        }.start()
      }
      for _ in 0..<threads { gate.signal() }
      group.wait()
      #expect(counts.withLock { $0.sorted() } == Array(1...threads))
    }
  }
}
