import CLibPQ
import FoundationEssentials
import LatchkeyConcurrency

/// A bounded pool of connections. Connections are opened lazily, at most `size` exist, and one
/// that breaks is discarded so the next acquire opens a fresh one: after an outage the pool
/// recovers on its own.
public final class PostgresPool: Sendable {
  private let url: String
  private let size: Int
  private let acquireTimeoutSeconds: Double
  private let statementTimeoutMilliseconds: Int
  private let connectTimeoutSeconds: Int
  private let namedStatements: Bool
  private let state = PoolState()

  /// `namedStatements: false` for a URL that reaches PostgreSQL through a transaction-mode pooler
  /// (see `PostgresConnection.usesNamedStatements`).
  public init(
    url: String, size: Int, acquireTimeoutSeconds: Double = 2, statementTimeoutMilliseconds: Int = 5000,
    connectTimeoutSeconds: Int = 3, namedStatements: Bool = true
  ) {
    self.namedStatements = namedStatements
    self.url = url
    self.size = max(1, size)
    self.acquireTimeoutSeconds = max(0, acquireTimeoutSeconds)
    self.statementTimeoutMilliseconds = statementTimeoutMilliseconds
    self.connectTimeoutSeconds = connectTimeoutSeconds
  }

  /// Lends a connection to `body` on the calling thread. Errors from `body` are rethrown unchanged;
  /// acquiring throws `PostgresError` (`.poolTimeout`, `.connection`, `.closed`).
  public func withConnection<T>(_ body: (PostgresConnection) throws -> T) throws -> T {
    let connection = try acquire()
    defer { release(connection) }
    return try body(connection)
  }

  /// Runs `body` between BEGIN and COMMIT. Anything `body` throws rolls back and is rethrown
  /// unchanged; a connection whose rollback fails is discarded. BEGIN travels with the body's
  /// first statement (`PostgresConnection.beginsWithNextStatement`); a body that runs none has
  /// nothing to commit.
  public func transaction<T>(_ body: (PostgresConnection) throws -> T) throws -> T {
    try withConnection { connection in
      connection.beginsWithNextStatement = true
      defer { connection.beginsWithNextStatement = false }
      let value: T
      do {
        value = try body(connection)
      } catch {
        rollback(connection)
        throw error
      }
      if connection.beginsWithNextStatement { return value }
      // COMMIT of a transaction that already failed answers ROLLBACK without an error: a body that
      // swallowed a statement error must not be reported as committed.
      if connection.transactionStatus == PQTRANS_INERROR {
        rollback(connection)
        throw PostgresError(
          kind: .query, sqlState: "25P02", serverMessage: "transaction aborted by an earlier error")
      }
      let tag = try connection.executeReturningTag("COMMIT")
      if tag != "COMMIT" {
        throw PostgresError(kind: .query, serverMessage: "COMMIT answered \(tag)")
      }
      return value
    }
  }

  /// Readiness: true when a pooled connection answers `select 1`.
  public func ping() -> Bool {
    do {
      try withConnection { connection in try connection.execute(script: "select 1") }
      return true
    } catch {
      return false
    }
  }

  public var stats: PostgresPoolStats {
    state.locked { state in
      PostgresPoolStats(
        size: size, open: state.open, inUse: state.inUse, waiting: state.waiting,
        acquireTimeouts: state.acquireTimeouts, connectionsCreated: state.created,
        connectFailures: state.connectFailures, connectionsDiscarded: state.discarded)
    }
  }

  /// Closes idle connections now and borrowed ones when they come back; later acquires throw
  /// `.closed`, and threads waiting for a connection are woken to throw it too.
  public func close() {
    let idle = state.locked { state in
      state.closed = true
      let idle = state.idle
      state.idle.removeAll()
      state.open -= idle.count
      return idle
    }
    for connection in idle { connection.close() }
    state.condition.broadcast()
  }

  private func rollback(_ connection: PostgresConnection) {
    guard connection.transactionStatus != PQTRANS_IDLE else { return }
    do {
      try connection.execute(script: "ROLLBACK")
    } catch {
      connection.markBroken()
    }
  }

  // MARK: - Acquire and release

  private enum Slot {
    case idle(PostgresConnection)
    case create
  }

  private func acquire() throws(PostgresError) -> PostgresConnection {
    let deadline = Date().addingTimeInterval(acquireTimeoutSeconds)
    while true {
      switch try reserveSlot(until: deadline) {
      case .idle(let connection):
        // A connection that sat idle may have been closed by the server (restart, admin
        // shutdown): find out cheaply now rather than fail the borrower's first statement.
        if !connection.isGoneWhileIdle() { return connection }
        connection.close()
        state.locked { state in
          state.inUse -= 1
          state.open -= 1
          state.discarded += 1
        }
        state.condition.signal()
      case .create:
        do {
          let connection = try PostgresConnection(
            url: url, statementTimeoutMilliseconds: statementTimeoutMilliseconds,
            connectTimeoutSeconds: connectTimeoutSeconds)
          connection.usesNamedStatements = namedStatements
          state.locked { $0.created += 1 }
          return connection
        } catch {
          state.locked { state in
            state.inUse -= 1
            state.open -= 1
            state.connectFailures += 1
          }
          state.condition.signal()
          throw error
        }
      }
    }
  }

  private func reserveSlot(until deadline: Date) throws(PostgresError) -> Slot {
    state.condition.lock()
    defer { state.condition.unlock() }
    while true {
      if state.storage.closed { throw PostgresError(kind: .closed, serverMessage: "pool is closed") }
      if let connection = state.storage.idle.popLast() {
        state.storage.inUse += 1
        return .idle(connection)
      }
      if state.storage.open < size {
        // Counted before connecting (outside the lock) so concurrent acquires can't overshoot.
        state.storage.open += 1
        state.storage.inUse += 1
        return .create
      }
      state.storage.waiting += 1
      let signalled = state.condition.wait(until: deadline)
      state.storage.waiting -= 1
      if !signalled && Date() >= deadline {
        state.storage.acquireTimeouts += 1
        throw PostgresError(
          kind: .poolTimeout,
          serverMessage: "no connection free within \(acquireTimeoutSeconds)s (pool size \(size))")
      }
    }
  }

  private func release(_ connection: PostgresConnection) {
    // A borrower that left a transaction open must not hand it to the next one.
    if !connection.isBroken && connection.transactionStatus != PQTRANS_IDLE { rollback(connection) }
    let keep = !connection.isBroken && connection.transactionStatus == PQTRANS_IDLE
    let closed = state.locked { state in
      state.inUse -= 1
      if keep && !state.closed {
        state.idle.append(connection)
        return false
      }
      state.open -= 1
      if !keep { state.discarded += 1 }
      return true
    }
    if closed { connection.close() }
    state.condition.signal()
  }
}

/// Pool bookkeeping, touched only while holding `condition`'s lock.
/// @unchecked: it owns the idle libpq connections (C pointers that are not
/// Sendable), and every access goes through `locked`; a condition variable,
/// not a Mutex, because borrowers wait on it for a free connection.
private final class PoolState: @unchecked Sendable {
  struct Storage {
    var idle: [PostgresConnection] = []
    var open = 0
    var inUse = 0
    var waiting = 0
    var closed = false
    var acquireTimeouts = 0
    var created = 0
    var connectFailures = 0
    var discarded = 0
  }

  let condition = ThreadCondition()
  var storage = Storage()

  func locked<R>(_ body: (inout Storage) throws -> R) rethrows -> R {
    condition.lock()
    defer { condition.unlock() }
    return try body(&storage)
  }
}
