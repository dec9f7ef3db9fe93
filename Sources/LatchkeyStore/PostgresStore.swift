import LatchkeyDomain
import LatchkeyPostgres

/// The domain's `Store` on PostgreSQL: each transaction on one pooled
/// connection. Every SQL statement of the product lives in this module,
/// one folder per aggregate, as extensions of `PostgresTransaction`.
public struct PostgresStore: Store {
  public let pool: PostgresPool

  public init(pool: PostgresPool) {
    self.pool = pool
  }

  /// A transaction that PostgreSQL aborted to break a deadlock (or a
  /// serialization conflict) wrote nothing, so it runs again, at most twice:
  /// bodies only touch the database, and their effects outside it (the
  /// revocation view, metrics) follow the commit.
  public func transaction<T>(_ body: (any StoreTransaction) throws -> T) throws -> T {
    var retries = 0
    while true {
      do {
        return try pool.transaction { try body(PostgresTransaction(db: $0)) }
      } catch let error as PostgresError where error.isConflict && retries < 2 {
        retries += 1
      }
    }
  }

  public func read<T>(_ body: (any StoreTransaction) throws -> T) throws -> T {
    try pool.withConnection { try body(PostgresTransaction(db: $0)) }
  }
}

/// One connection the caller owns for the length of a transaction (or a
/// read); the aggregates' SQL runs on it.
public struct PostgresTransaction {
  let db: PostgresConnection

  public init(db: PostgresConnection) {
    self.db = db
  }
}

extension PostgresError: StoreFailure {
  /// Deadlock detected or a serialization failure: nothing was written.
  var isConflict: Bool { sqlState == "40P01" || sqlState == "40001" }

  /// A lost database, an exhausted pool or a timeout: worth a retry.
  public var isTransient: Bool { isUnavailable || kind == .timeout }
  /// Text PostgreSQL cannot store (a NUL character, bad encoding).
  public var isInvalidInput: Bool { sqlState == "22021" || sqlState == "22P05" }
}

/// A row without a column the statement always returns: a bug or a schema
/// that does not match, never the client's input.
struct UnexpectedRow: Error, CustomStringConvertible {
  let what: String
  var description: String { "store: unexpected result reading \(what)" }
}
