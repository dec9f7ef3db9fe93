import Dispatch
import Foundation
import LatchkeyPostgres
import LatchkeyTesting
import Synchronization
import Testing

@Suite struct PostgresPoolTests {
  private struct BodyFailed: Error, Equatable {}

  @Test func transactionRollsBackOnThrownError() throws {
    try TestDatabase.withDatabase { url in
      let pool = PostgresPool(url: url, size: 2)
      defer { pool.close() }
      try pool.withConnection { try $0.execute(script: "create table items (name text)") }
      #expect(throws: BodyFailed()) {
        try pool.transaction { connection in
          _ = try connection.query("insert into items values ($1)", ["rolled back"])
          throw BodyFailed()
        }
      }
      let inserted = try pool.transaction { connection in
        try connection.query("insert into items values ($1)", ["kept"]).affectedRows
      }
      #expect(inserted == 1)
      let names = try pool.withConnection { connection in
        try connection.query("select name from items").rows.map { $0.string(0) }
      }
      #expect(names == ["kept"])
      #expect(pool.stats.inUse == 0)
    }
  }

  @Test func transactionWithSwallowedErrorDoesNotReportCommit() throws {
    try TestDatabase.withDatabase { url in
      let pool = PostgresPool(url: url, size: 1)
      defer { pool.close() }
      try pool.withConnection { try $0.execute(script: "create table items (name text unique)") }
      let error = #expect(throws: PostgresError.self) {
        try pool.transaction { connection in
          _ = try connection.query("insert into items values ($1)", ["a"])
          _ = try? connection.query("insert into items values ($1)", ["a"])
        }
      }
      #expect(error?.sqlState == "25P02")
      let count = try pool.withConnection { try $0.query("select count(*) from items").rows[0].int(0) }
      #expect(count == 0)
    }
  }

  /// BEGIN travels with the first statement: the statements still share one transaction, with
  /// prepared statements and with unnamed ones (behind a transaction-mode pooler).
  @Test(arguments: [true, false]) func theFirstStatementOpensTheTransaction(named: Bool) throws {
    try TestDatabase.withDatabase { url in
      let pool = PostgresPool(url: url, size: 1, namedStatements: named)
      defer { pool.close() }
      let xid = "select pg_current_xact_id()::text as xid"
      let (first, second) = try pool.transaction { connection in
        (try connection.query(xid).rows[0].string("xid"), try connection.query(xid).rows[0].string("xid"))
      }
      #expect(first != nil && first == second)
      // The next one is a transaction of its own again.
      let third = try pool.transaction { try $0.query(xid).rows[0].string("xid") }
      #expect(third != nil && third != first)
      try pool.withConnection { try $0.execute(script: "create table items (name text unique)") }
      // A first statement that fails leaves the transaction aborted, rolled back on the way out,
      // and the connection in good order.
      #expect(throws: PostgresError.self) {
        try pool.transaction { connection in
          _ = try connection.query("insert into items values ($1::int / 0)", ["1"])
        }
      }
      let kept = try pool.transaction { connection in
        try connection.query("insert into items values ($1)", ["kept"]).affectedRows
      }
      #expect(kept == 1)
      #expect(pool.stats.connectionsDiscarded == 0)
    }
  }

  @Test func aTransactionWithoutStatementsSendsNothingAndAStatementThatCannotBePreparedNoBegin()
    throws
  {
    try TestDatabase.withDatabase { url in
      let pool = PostgresPool(url: url, size: 1)
      defer { pool.close() }
      #expect(try pool.transaction { _ in 42 } == 42)
      try pool.withConnection { try $0.execute(script: "create table items (name text)") }
      // The failed prepare sent nothing, so the body's next statement still opens the
      // transaction, and the body's error still rolls it back.
      #expect(throws: BodyFailed()) {
        try pool.transaction { connection in
          #expect(throws: PostgresError.self) { try connection.query("selec 1") }
          _ = try connection.query("insert into items values ($1)", ["rolled back"])
          throw BodyFailed()
        }
      }
      let count = try pool.withConnection { try $0.query("select count(*) from items").rows[0].int(0) }
      #expect(count == 0)
      #expect(pool.stats.connectionsDiscarded == 0)
    }
  }

  @Test func openTransactionIsRolledBackOnRelease() throws {
    try TestDatabase.withDatabase { url in
      let pool = PostgresPool(url: url, size: 1)
      defer { pool.close() }
      try pool.withConnection { connection in
        try connection.execute(script: "create table items (name text)")
        try connection.execute(script: "begin; insert into items values ('left open')")
      }
      let count = try pool.withConnection { try $0.query("select count(*) from items").rows[0].int(0) }
      #expect(count == 0)
    }
  }

  @Test func concurrentUseStaysWithinSize() throws {
    try TestDatabase.withDatabase { url in
      let pool = PostgresPool(url: url, size: 4, acquireTimeoutSeconds: 30)
      defer { pool.close() }
      let threads = 16
      let queries = 50
      let failures = Collected<String>()
      let pids = Mutex<Set<Int64>>([])
      let maxOpen = Mutex(0)
      onThreads(threads) { thread in
        for query in 0..<queries {
          do {
            let value = Int64(thread * 1000 + query)
            let row = try pool.withConnection { connection in
              let open = pool.stats.open
              maxOpen.withLock { $0 = max($0, open) }
              return try connection.query("select $1::int8 * 2, pg_backend_pid()", [.int(value)]).rows[0]
            }
            if row.int(0) != value * 2 { failures.append("wrong value for \(value)") }
            if let pid = row.int(1) { pids.withLock { _ = $0.insert(pid) } }
          } catch {
            failures.append("\(error)")
          }
        }
      }
      #expect(failures.all.isEmpty)
      #expect(maxOpen.withLock { $0 } <= 4)
      #expect(pids.withLock { $0.count } <= 4)
      let stats = pool.stats
      #expect(stats.open <= 4 && stats.inUse == 0 && stats.waiting == 0)
      #expect(stats.acquireTimeouts == 0)
    }
  }

  @Test func exhaustedPoolTimesOut() throws {
    try TestDatabase.withDatabase { url in
      let pool = PostgresPool(url: url, size: 2, acquireTimeoutSeconds: 0.3)
      defer { pool.close() }
      let holding = DispatchSemaphore(value: 0)
      let release = DispatchSemaphore(value: 0)
      let holders = DispatchGroup()
      for _ in 0..<2 {
        holders.enter()
        Thread {
          _ = try? pool.withConnection { _ in
            holding.signal()
            release.wait()
          }
          holders.leave()
        }.start()
      }
      for _ in 0..<2 { #expect(holding.wait(timeout: .now() + 10) == .success) }
      #expect(pool.stats.inUse == 2)

      var error: PostgresError?
      let seconds = elapsed {
        error = #expect(throws: PostgresError.self) { try pool.withConnection { _ in } }
      }
      #expect(error?.kind == .poolTimeout)
      #expect(error?.isUnavailable == true)
      #expect(seconds >= 0.25 && seconds < 1.5)
      #expect(pool.stats.acquireTimeouts == 1)
      #expect(!pool.ping())  // readiness reports the exhaustion too

      release.signal()
      release.signal()
      #expect(holders.wait(timeout: .now() + 10) == .success)
      #expect(pool.ping())
      #expect(pool.stats.open == 2)
    }
  }

  @Test func waiterGetsReleasedConnection() throws {
    try TestDatabase.withDatabase { url in
      let pool = PostgresPool(url: url, size: 1, acquireTimeoutSeconds: 10)
      defer { pool.close() }
      let holding = DispatchSemaphore(value: 0)
      let release = DispatchSemaphore(value: 0)
      let done = DispatchGroup()
      done.enter()
      Thread {
        _ = try? pool.withConnection { _ in
          holding.signal()
          release.wait()
        }
        done.leave()
      }.start()
      #expect(holding.wait(timeout: .now() + 10) == .success)
      let waiterDone = DispatchSemaphore(value: 0)
      let waiterResult = Mutex<Int64?>(nil)
      Thread {
        let value = try? pool.withConnection { try $0.query("select 7").rows[0].int(0) }
        waiterResult.withLock { $0 = value ?? nil }
        waiterDone.signal()
      }.start()
      // The waiter is known to be blocked once the pool counts it; no sleeping to guess.
      while pool.stats.waiting == 0 { sched_yield() }
      release.signal()
      #expect(waiterDone.wait(timeout: .now() + 10) == .success)
      #expect(waiterResult.withLock { $0 } == 7)
      #expect(done.wait(timeout: .now() + 10) == .success)
      #expect(pool.stats.open == 1)
    }
  }

  @Test func terminatedBackendRecovers() throws {
    try TestDatabase.withDatabase { url in
      let pool = PostgresPool(url: url, size: 1)
      defer { pool.close() }
      let admin = try PostgresConnection(url: url)
      let pid = try pool.withConnection { try $0.query("select pg_backend_pid()").rows[0].int(0) }
      let terminated = try admin.query(
        """
        select count(*) filter (where pg_terminate_backend(pid, 5000)) from pg_stat_activity
        where datname = current_database() and pid <> pg_backend_pid()
        """)
      #expect(terminated.rows[0].int(0) == 1)

      // Either the pool notices the dead connection and opens a new one, or the call fails as
      // unavailable; never a query error, and never stuck.
      do {
        let next = try pool.withConnection { try $0.query("select pg_backend_pid()").rows[0].int(0) }
        #expect(next != pid)
      } catch let error as PostgresError {
        #expect(error.isUnavailable)
      }
      let after = try pool.withConnection { try $0.query("select pg_backend_pid()").rows[0].int(0) }
      #expect(after != nil && after != pid)
      #expect(pool.ping())
      #expect(pool.stats.open == 1)
    }
  }

  @Test func brokenConnectionIsDiscarded() throws {
    try TestDatabase.withDatabase { url in
      let pool = PostgresPool(url: url, size: 1)
      defer { pool.close() }
      let admin = try PostgresConnection(url: url)
      // Terminated while borrowed, so the pool can't notice early: the borrower's statement fails.
      let error = #expect(throws: PostgresError.self) {
        try pool.withConnection { connection in
          let pid = try connection.query("select pg_backend_pid()").rows[0].int(0)!
          _ = try admin.query("select pg_terminate_backend($1::int4, 5000)", [.int(pid)])
          _ = try connection.query("select 1")
        }
      }
      #expect(error?.isUnavailable == true)
      #expect(pool.stats.open == 0)
      #expect(pool.stats.connectionsDiscarded == 1)
      #expect(pool.ping())
    }
  }

  @Test func closedPortFailsFast() {
    let pool = PostgresPool(
      url: "postgres://latchkey@127.0.0.1:1/latchkey?sslmode=disable", size: 2, acquireTimeoutSeconds: 5)
    defer { pool.close() }
    var error: PostgresError?
    let seconds = elapsed {
      error = #expect(throws: PostgresError.self) { try pool.withConnection { _ in } }
    }
    #expect(error?.isUnavailable == true)
    #expect(seconds < 1)
    #expect(!pool.ping())
    let stats = pool.stats
    #expect(stats.open == 0 && stats.inUse == 0 && stats.connectFailures == 2)
  }

  @Test func closedPoolRefusesWork() throws {
    try TestDatabase.withDatabase { url in
      let pool = PostgresPool(url: url, size: 1)
      #expect(pool.ping())
      pool.close()
      let error = #expect(throws: PostgresError.self) { try pool.withConnection { _ in } }
      #expect(error?.kind == .closed)
      #expect(pool.stats.open == 0)
    }
  }
}
