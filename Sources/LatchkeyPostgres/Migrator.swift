import CLibPQ
import FoundationEssentials

/// Applies versioned SQL files (`NNNN_description.sql`) in numeric order, each in its own
/// transaction together with its row in `latchkey_schema_migrations`.
///
/// A session advisory lock serialises concurrent runs (several instances starting at once): the
/// second waits, then finds everything applied. Files must not contain transaction control or
/// statements that cannot run in a transaction (CREATE INDEX CONCURRENTLY).
public struct Migrator: Sendable {
  public let directory: String

  /// "Latchkey" in ASCII: fixed, so every instance and `latchkey migrate` take the same lock.
  static let advisoryLockKey: Int64 = 0x4C61_7463_686B_6579

  public init(directory: String) {
    self.directory = directory
  }

  /// A migration file found in the directory.
  public struct File: Sendable, Equatable {
    public let version: String
    public let name: String
    public let fileName: String
    let number: UInt64
  }

  /// Versions (the `NNNN` prefixes) not yet applied on this database, in order.
  public func pending(on connection: PostgresConnection) throws -> [String] {
    let files = try files()
    let applied = try appliedVersions(on: connection, createTable: false)
    return files.filter { !applied.contains($0.version) }.map(\.version)
  }

  /// Applies every pending file and returns the versions applied by this call, in order.
  public func migrate(on connection: PostgresConnection) throws -> [String] {
    let files = try files()
    guard connection.transactionStatus == PQTRANS_IDLE else {
      throw MigrationError(file: nil, message: "connection is inside a transaction")
    }
    // Migrations may legitimately run longer than a request's statement_timeout, and waiting for
    // another instance's run must not time out either. Restored below.
    let previousTimeout = try wrap(nil, "cannot read statement_timeout") {
      try connection.query("select current_setting('statement_timeout')").rows.first?.string(0) ?? "0"
    }
    try wrap(nil, "cannot disable statement_timeout") {
      try connection.execute(script: "set statement_timeout = 0")
    }
    try wrap(nil, "cannot take the migration lock") {
      _ = try connection.query("select pg_advisory_lock($1::int8)", [.int(Self.advisoryLockKey)])
    }
    defer {
      // Session-level lock and setting: release them even when a file failed. On a lost
      // connection the server already dropped both with the session.
      _ = try? connection.query("select pg_advisory_unlock($1::int8)", [.int(Self.advisoryLockKey)])
      _ = try? connection.query(
        "select set_config('statement_timeout', $1, false)", [.text(previousTimeout)])
    }
    let applied = try appliedVersions(on: connection, createTable: true)
    var appliedNow: [String] = []
    for file in files where !applied.contains(file.version) {
      try apply(file, on: connection)
      appliedNow.append(file.version)
    }
    return appliedNow
  }

  /// The migration files in the directory, in numeric order.
  public func files() throws -> [File] {
    let names: [String]
    do {
      names = try FileManager.default.contentsOfDirectory(atPath: directory)
    } catch {
      throw MigrationError(file: nil, message: "cannot list migrations directory \(directory)")
    }
    var files: [File] = []
    for fileName in names where fileName.hasSuffix(".sql") {
      let stem = fileName.dropLast(4)
      guard let separator = stem.firstIndex(of: "_"),
        let number = UInt64(stem[..<separator]),
        stem[..<separator].allSatisfy(\.isASCII),
        stem.index(after: separator) < stem.endIndex
      else {
        // A .sql file that doesn't follow the pattern is almost surely a naming mistake, and
        // skipping it would silently leave the schema behind.
        throw MigrationError(file: fileName, message: "name is not NNNN_description.sql")
      }
      let version = String(stem[..<separator])
      let name = String(stem[stem.index(after: separator)...])
      files.append(File(version: version, name: name, fileName: fileName, number: number))
    }
    files.sort { $0.number < $1.number }
    for (previous, next) in zip(files, files.dropFirst()) where previous.number == next.number {
      throw MigrationError(file: next.fileName, message: "same number as \(previous.fileName)")
    }
    return files
  }

  private func appliedVersions(
    on connection: PostgresConnection, createTable: Bool
  ) throws -> Set<String> {
    if createTable {
      try wrap(nil, "cannot create latchkey_schema_migrations") {
        try connection.execute(
          script: """
            create table if not exists latchkey_schema_migrations (
              version text primary key,
              name text not null,
              applied_at timestamptz not null default now()
            )
            """)
      }
    } else {
      let exists = try wrap(nil, "cannot read latchkey_schema_migrations") {
        try connection.query("select to_regclass('latchkey_schema_migrations') is not null")
          .rows.first?.bool(0) ?? false
      }
      if !exists { return [] }
    }
    return try wrap(nil, "cannot read latchkey_schema_migrations") {
      let rows = try connection.query("select version from latchkey_schema_migrations").rows
      return Set(rows.compactMap { $0.string(0) })
    }
  }

  private func apply(_ file: File, on connection: PostgresConnection) throws {
    let sql: String
    do {
      sql = try String(contentsOfFile: directory + "/" + file.fileName, encoding: .utf8)
    } catch {
      throw MigrationError(file: file.fileName, message: "cannot read file")
    }
    try wrap(file.fileName, "cannot begin") { try connection.execute(script: "BEGIN") }
    do {
      try connection.execute(script: sql)
      // After the file, so a file that ends its own transaction fails here instead of recording a
      // version whose changes were committed separately.
      guard connection.transactionStatus == PQTRANS_INTRANS else {
        throw MigrationError(file: file.fileName, message: "file must not end the transaction")
      }
      _ = try connection.query(
        "insert into latchkey_schema_migrations (version, name) values ($1, $2)",
        [.text(file.version), .text(file.name)])
      try connection.execute(script: "COMMIT")
    } catch {
      if connection.transactionStatus != PQTRANS_IDLE {
        do { try connection.execute(script: "ROLLBACK") } catch { connection.markBroken() }
      }
      if let error = error as? MigrationError { throw error }
      throw MigrationError(file: file.fileName, message: "error", underlying: error as? PostgresError)
    }
  }

  private func wrap<R>(_ file: String?, _ message: String, _ body: () throws -> R) throws -> R {
    do {
      return try body()
    } catch let error as PostgresError {
      throw MigrationError(file: file, message: message, underlying: error)
    }
  }
}
