import Foundation
import LatchkeyPostgres
import LatchkeyTesting
import Synchronization
import Testing

@Suite struct MigratorTests {
  /// A fresh directory of migration files, removed afterwards.
  @discardableResult
  private func withMigrations<R>(_ files: [String: String], _ body: (String) throws -> R) throws -> R {
    let directory = FileManager.default.temporaryDirectory
      .appendingPathComponent("lk-migrations-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: directory) }
    for (name, sql) in files {
      try sql.write(toFile: directory + "/" + name, atomically: true, encoding: .utf8)
    }
    return try body(directory)
  }

  private let twoFiles = [
    // Not IF NOT EXISTS: applying a file twice would fail loudly.
    "0001_users.sql": "create table users (id int8 primary key);\ncreate index users_id on users (id);",
    "0002_sessions.sql": "create table sessions (id int8 primary key, user_id int8 references users);",
    "README.md": "not a migration",
  ]

  @Test func appliesInOrderOnce() throws {
    try TestDatabase.withDatabase { url in
      try withMigrations(twoFiles) { directory in
        let connection = try PostgresConnection(url: url)
        let migrator = Migrator(directory: directory)
        #expect(try migrator.pending(on: connection) == ["0001", "0002"])
        #expect(try migrator.migrate(on: connection) == ["0001", "0002"])
        #expect(try migrator.pending(on: connection) == [])
        #expect(try migrator.migrate(on: connection) == [])
        let rows = try connection.query(
          "select version, name from latchkey_schema_migrations order by version"
        ).rows
        #expect(rows.map { $0.string(0) } == ["0001", "0002"])
        #expect(rows.map { $0.string("name") } == ["users", "sessions"])
        #expect(try connection.query("select count(*) from sessions").rows[0].int(0) == 0)
        // The advisory lock is released and the session's statement_timeout restored.
        let locks = try connection.query(
          "select count(*) from pg_locks where locktype = 'advisory' and pid = pg_backend_pid()")
        #expect(locks.rows[0].int(0) == 0)
        let timeout = try connection.query("select current_setting('statement_timeout')")
        #expect(timeout.rows[0].string(0) == "5s")
      }
    }
  }

  @Test func numericOrderNotLexical() throws {
    let files = [
      "10_third.sql": "insert into log values (3);",
      "2_second.sql": "insert into log values (2);",
      "0001_first.sql": "create table log (n int); insert into log values (1);",
    ]
    try TestDatabase.withDatabase { url in
      try withMigrations(files) { directory in
        let connection = try PostgresConnection(url: url)
        #expect(try Migrator(directory: directory).migrate(on: connection) == ["0001", "2", "10"])
      }
    }
  }

  @Test func brokenFileIsReportedAndRolledBack() throws {
    var files = twoFiles
    files["0003_broken.sql"] = "create table audit (id int8);\ncreate tabel oops (id int8);"
    try TestDatabase.withDatabase { url in
      try withMigrations(files) { directory in
        let connection = try PostgresConnection(url: url)
        let migrator = Migrator(directory: directory)
        let error = #expect(throws: MigrationError.self) { try migrator.migrate(on: connection) }
        #expect(error?.file == "0003_broken.sql")
        #expect(error?.underlying?.sqlState == "42601")
        #expect(error?.description.contains("0003_broken.sql") == true)
        #expect(error?.description.contains("42601") == true)
        #expect(try migrator.pending(on: connection) == ["0003"])
        // Earlier files stay applied; the broken file's first statement is rolled back with it.
        let audit = try connection.query("select to_regclass('audit') is null").rows[0].bool(0)
        #expect(audit == true)
        #expect(try connection.query("select count(*) from users").rows[0].int(0) == 0)
        let locks = try connection.query(
          "select count(*) from pg_locks where locktype = 'advisory' and pid = pg_backend_pid()")
        #expect(locks.rows[0].int(0) == 0)
        #expect(!connection.isBroken)
      }
    }
  }

  @Test func badFileNamesAreRejected() throws {
    try withMigrations(["create_users.sql": "select 1"]) { directory in
      let error = #expect(throws: MigrationError.self) { try Migrator(directory: directory).files() }
      #expect(error?.file == "create_users.sql")
    }
    try withMigrations(["0001_a.sql": "select 1", "1_b.sql": "select 1"]) { directory in
      #expect(throws: MigrationError.self) { try Migrator(directory: directory).files() }
    }
  }

  @Test func concurrentMigratorsApplyEachFileOnce() throws {
    var files = twoFiles
    // Slow enough that the two runs overlap.
    files["0003_slow.sql"] = "select pg_sleep(0.3); create table slow (id int8);"
    try TestDatabase.withDatabase { url in
      try withMigrations(files) { directory in
        let migrator = Migrator(directory: directory)
        let results = Collected<Result<[String], MigrationErrorText>>()
        onThreads(2) { _ in
          do {
            let connection = try PostgresConnection(url: url)
            results.append(.success(try migrator.migrate(on: connection)))
          } catch {
            results.append(.failure(MigrationErrorText(text: "\(error)")))
          }
        }
        let outcomes = results.all
        #expect(outcomes.count == 2)
        var applied: [String] = []
        var perMigrator: [Int] = []
        for outcome in outcomes {
          switch outcome {
          case .success(let versions):
            applied += versions
            perMigrator.append(versions.count)
          case .failure(let error): Issue.record("migrator failed: \(error.text)")
          }
        }
        #expect(applied.sorted() == ["0001", "0002", "0003"])
        // The lock is held for the whole run, so one run applies everything and the other nothing.
        #expect(perMigrator.sorted() == [0, 3])
        let connection = try PostgresConnection(url: url)
        let count = try connection.query("select count(*) from latchkey_schema_migrations")
        #expect(count.rows[0].int(0) == 3)
      }
    }
  }

  private struct MigrationErrorText: Error {
    let text: String
  }
}
