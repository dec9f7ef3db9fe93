import Foundation
import LatchkeyDomain
import LatchkeyPostgres
import LatchkeyStore
import LatchkeyTesting
import Synchronization
import Testing

/// `rotateIfCurrent`, the one-statement rotation, against a real
/// PostgreSQL: what it writes, what it refuses, and how it behaves when
/// requests and revocations race for one family (real threads, one
/// connection each).
@Suite struct RotationStoreTests {
  let ann = User(id: UUID(), email: "ann@example.com", role: .admin, passwordHash: "$argon2id$fake")
  let client = ClientInfo(ip: "192.0.2.1", userAgent: "ua")

  func withStore<T>(_ body: (PostgresStore, PostgresPool, String) throws -> T) throws -> T {
    let url = try TestDatabase.create(prefix: "rotation")
    defer { TestDatabase.drop(url) }
    _ = try Migrations.apply(url: url, directory: TestServer.migrationsDirectory)
    let pool = PostgresPool(url: url, size: 8)
    defer { pool.close() }
    try PostgresStore(pool: pool).transaction { _ = try $0.insertUser(ann, now: 1000) }
    return try body(PostgresStore(pool: pool), pool, url)
  }

  /// A session created at 1000 with one token; returns the token's id.
  @discardableResult
  func family(
    _ store: PostgresStore, session: UUID = UUID(), hash: [UInt8], sessionExpiry: Double = 5000,
    tokenExpiry: Double = 4000, kind: SessionKind = .browser
  ) throws -> Int64 {
    try store.transaction { tx in
      try tx.createSession(
        id: session, user: ann.id, kind: kind, client: client, now: 1000, absoluteExpiry: sessionExpiry)
      return try tx.insertRefreshToken(
        session: session, hash: hash, parent: nil, issuedAt: 1000, expiresAt: tokenExpiry)
    }
  }

  func rotate(
    _ store: PostgresStore, _ hash: [UInt8], to successor: [UInt8], now: Double, ttl: Double = 1000,
    holder: RefreshHolder = .browser
  ) throws -> RotatedToken? {
    try store.read {
      try $0.rotateIfCurrent(hash: hash, successorHash: successor, now: now, refreshTTL: ttl, holder: holder)
    }
  }

  /// Everything rotation may write, to show that a refusal wrote nothing.
  func fingerprint(_ pool: PostgresPool) throws -> String {
    try pool.withConnection { db in
      try db.query(
        """
        select (select coalesce(string_agg(r::text, ';' order by id), '') from refresh_tokens r) || '|' ||
          (select coalesce(string_agg(s::text, ';' order by id), '') from sessions s)
        """
      ).rows.first?.string(0) ?? ""
    }
  }

  @Test func theCurrentTokenRotatesInOneStatement() throws {
    try withStore { store, pool, url throws in
      let session = UUID()
      let first = try family(store, session: session, hash: [1, 2, 3])
      let rotated = try #require(try rotate(store, [1, 2, 3], to: [4, 5], now: 1100.25))
      #expect(
        rotated
          == RotatedToken(
            sessionID: session, userID: ann.id, role: .admin, email: "ann@example.com",
            successorExpiresAt: 2100.25))
      let old = try #require(try store.transaction { try $0.lockRefreshToken(hash: [1, 2, 3]) })
      #expect(old.state.usedAt == 1100.25 && old.successorExpiresAt == 2100.25)
      let next = try #require(try store.transaction { try $0.lockRefreshToken(hash: [4, 5]) })
      #expect(old.successorID == next.id && next.state.usedAt == nil && next.state.expiresAt == 2100.25)
      let row = try pool.withConnection { db in
        try db.query(
          "select parent_id, extract(epoch from issued_at)::float8 from refresh_tokens where id = $1::int8",
          [.int(next.id)]
        ).rows.first
      }
      #expect(row?.int(0) == first && row?.double(1) == 1100.25)
      #expect(try store.read { try $0.cappedSessions(of: ann.id, now: 1200) }.first?.lastUsedAt == 1100.25)
      // The successor is the family's current token now.
      #expect(try rotate(store, [4, 5], to: [6], now: 1200) != nil)
    }
  }

  @Test func theSuccessorNeverOutlivesItsSession() throws {
    try withStore { store, _, _ throws in
      try family(store, hash: [1], sessionExpiry: 1500)
      #expect(try rotate(store, [1], to: [2], now: 1100, ttl: 1000)?.successorExpiresAt == 1500)
      #expect(try store.transaction { try $0.lockRefreshToken(hash: [2]) }?.state.expiresAt == 1500)
    }
  }

  @Test func anythingButTheCurrentTokenIsRefusedWithoutAWrite() throws {
    try withStore { store, pool, url throws in
      try family(store, hash: [1])
      _ = try #require(try rotate(store, [1], to: [2], now: 1100))
      try family(store, hash: [10], tokenExpiry: 1200)
      try family(store, hash: [20], sessionExpiry: 1200)
      let revoked = UUID()
      try family(store, session: revoked, hash: [30])
      _ = try store.transaction { try $0.revokeSessions(.session(revoked), reason: .logout, now: 1100) }
      let before = try fingerprint(pool)
      for hash: [UInt8] in [[1], [10], [20], [30], [99]] {
        #expect(try rotate(store, hash, to: [hash[0] &+ 100], now: 1200) == nil, "\(hash)")
      }
      #expect(try fingerprint(pool) == before)
    }
  }

  /// A token is rotated only for the holder its session's kind names: the
  /// browser its logins, a client its own grants, nobody a sign-in session.
  @Test func aTokenOfAnotherHolderIsRefusedWithoutAWrite() throws {
    try withStore { store, pool, _ throws in
      let (mine, theirs) = (UUID(), UUID())
      let grant = UUID()
      try family(store, hash: [1])
      try family(store, session: grant, hash: [2], kind: .grant(client: mine, scopes: ["read", "write"]))
      try family(store, hash: [3], kind: .signIn)
      let before = try fingerprint(pool)
      let refusals: [([UInt8], RefreshHolder)] = [
        ([1], .client(mine)), ([2], .browser), ([2], .client(theirs)), ([3], .browser), ([3], .client(mine)),
      ]
      for (hash, holder) in refusals {
        #expect(try rotate(store, hash, to: [hash[0] &+ 100], now: 1100, holder: holder) == nil, "\(hash)")
      }
      #expect(try fingerprint(pool) == before)
      let rotated = try #require(try rotate(store, [2], to: [102], now: 1100, holder: .client(mine)))
      #expect(rotated.sessionID == grant && rotated.kind == .grant(client: mine, scopes: ["read", "write"]))
      #expect(try rotate(store, [1], to: [101], now: 1100)?.kind == .browser)
    }
  }

  @Test func concurrentRotationsOfOneTokenHaveExactlyOneWinner() throws {
    try withStore { store, pool, url throws in
      for round in 0..<20 {
        let hash: [UInt8] = [7, UInt8(round)]
        let first = try family(store, hash: hash)
        let results = race(4) { index in
          try rotate(store, hash, to: hash + [UInt8(index)], now: 1100)
        }
        #expect(results.compactMap { try? $0.get() }.count == 1, "round \(round): \(results)")
        #expect(results.allSatisfy { $0.isSuccess }, "\(results)")
        #expect(try successors(of: first, pool) == 1)
      }
    }
  }

  /// Both statements queue on the session row (held here until both wait);
  /// the loser gets it once the winner's statement commits, then finds the
  /// token used on re-checking it: the READ COMMITTED interleaving that the
  /// compare-and-set must get right, forced rather than hoped for.
  @Test func rotationsQueuedOnTheFamilysLockHaveOneWinner() throws {
    try withStore { store, pool, url throws in
      let session = UUID()
      let first = try family(store, session: session, hash: [1])
      let results = try whileHolding(session, pool, url, waiters: 2) {
        race(2) { index in try rotate(store, [1], to: [2, UInt8(index)], now: 1100) }
      } then: { _ in
      }
      #expect(results.compactMap { try? $0.get() }.count == 1, "\(results)")
      #expect(try successors(of: first, pool) == 1)
    }
  }

  @Test func aRevocationCommittedFirstLeavesNothingToRotate() throws {
    try withStore { store, pool, url throws in
      let session = UUID()
      try family(store, session: session, hash: [1])
      let before = try fingerprint(pool)
      let results = try whileHolding(session, pool, url, waiters: 1) {
        race(1) { _ in try rotate(store, [1], to: [2], now: 1100) }
      } then: { db in
        _ = try db.query(
          "update sessions set revoked_at = to_timestamp(1050), revoked_reason = 'logout' where id = $1::uuid",
          [.uuid(session)])
      }
      #expect(results.count == 1 && results.allSatisfy { $0.isRefusal })
      // Only the revocation changed anything: no successor, the token unused.
      let after = try fingerprint(pool)
      #expect(after != before)
      #expect(try store.transaction { try $0.lockRefreshToken(hash: [1]) }?.state.usedAt == nil)
      #expect(try store.transaction { try $0.lockRefreshToken(hash: [2]) } == nil)
    }
  }

  @Test func aLockedPathRotationCommittedFirstWins() throws {
    try withStore { store, pool, url throws in
      let session = UUID()
      let first = try family(store, session: session, hash: [1])
      let results = try whileHolding(session, pool, url, waiters: 1) {
        race(1) { _ in try rotate(store, [1], to: [2], now: 1100) }
      } then: { db in
        let tx = PostgresTransaction(db: db)
        let next = try tx.insertRefreshToken(
          session: session, hash: [2], parent: first, issuedAt: 1090, expiresAt: 2090)
        try tx.markRotated(token: first, successor: next, now: 1090)
      }
      #expect(results.allSatisfy { $0.isRefusal }, "\(results)")
      #expect(try successors(of: first, pool) == 1)
      #expect(try store.transaction { try $0.lockRefreshToken(hash: [1]) }?.state.usedAt == 1090)
    }
  }

  // MARK: - Helpers

  func successors(of token: Int64, _ pool: PostgresPool) throws -> Int64 {
    try pool.withConnection { db in
      try db.query("select count(*) from refresh_tokens where parent_id = $1::int8", [.int(token)]).rows
        .first?.int(0) ?? -1
    }
  }

  /// Holds `session`'s row lock in a transaction, starts `work`, waits until
  /// `waiters` statements queue behind the lock (watched in pg_locks, not
  /// timed), runs `last` in the holding transaction, commits, and returns
  /// what `work` produced.
  func whileHolding<T: Sendable>(
    _ session: UUID, _ pool: PostgresPool, _ url: String, waiters: Int, _ work: @escaping @Sendable () -> T,
    then last: (PostgresConnection) throws -> Void
  ) throws -> T {
    let holder = try PostgresConnection(url: url)
    defer { holder.close() }
    try holder.execute(script: "begin")
    _ = try holder.query("select id from sessions where id = $1::uuid for update", [.uuid(session)])
    let output = Mutex<T?>(nil)
    let finished = DispatchSemaphore(value: 0)
    let thread = Thread {
      let value = work()
      output.withLock { $0 = value }
      finished.signal()
    }
    thread.start()
    let deadline = Date().addingTimeInterval(20)
    while try waitingForLocks(pool) < waiters {
      guard Date() < deadline else {
        Issue.record("the statements never queued behind the lock")
        break
      }
    }
    try last(holder)
    try holder.execute(script: "commit")
    finished.wait()
    return output.withLock { $0! }
  }

  /// Backends of this database waiting for a lock: the first behind the
  /// holder's transaction, any later one behind the tuple lock it queued.
  func waitingForLocks(_ pool: PostgresPool) throws -> Int {
    try pool.withConnection { db in
      Int(
        try db.query(
          "select count(*) from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'"
        ).rows.first?.int(0) ?? 0)
    }
  }

}

/// Runs `body` on `count` threads released together; each uses its own
/// pooled connection (shared by the store suites).
func race<T: Sendable>(_ count: Int, _ body: @escaping @Sendable (Int) throws -> T) -> [Result<
  T, any Error
>] {
  let ready = DispatchSemaphore(value: 0)
  let gate = DispatchSemaphore(value: 0)
  let group = DispatchGroup()
  let results = Mutex<[Result<T, any Error>]>([])
  for index in 0..<count {
    group.enter()
    let thread = Thread {
      ready.signal()
      gate.wait()
      let result = Result { try body(index) }
      results.withLock { $0.append(result) }
      group.leave()
    }
    thread.start()
  }
  for _ in 0..<count { ready.wait() }
  for _ in 0..<count { gate.signal() }
  group.wait()
  return results.withLock { $0 }
}

extension Result {
  fileprivate var isSuccess: Bool {
    if case .success = self { return true }
    return false
  }
}

extension Result where Success == RotatedToken? {
  /// Answered, and without a rotation.
  fileprivate var isRefusal: Bool {
    if case .success(nil) = self { return true }
    return false
  }
}
