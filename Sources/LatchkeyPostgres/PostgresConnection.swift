import CLibPQ
import FoundationEssentials

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

// Over 300 lines on purpose: the whole libpq protocol surface (connect,
// prepare, bind, result reading, error mapping) in one place, so no other
// file touches a PGconn.

/// One libpq connection. Not thread-safe: libpq allows a `PGconn` on one thread at a time, so a
/// connection is used by one thread at a time (the pool hands each one to a single borrower).
public final class PostgresConnection {
  private var conn: OpaquePointer?
  private let connectInfo: ConnectInfo
  private let url: String
  private var statements: [String: PreparedStatement] = [:]
  /// The statement run last, checked before `statements`: a hot path runs
  /// one statement over and over from one `static let` string, and String
  /// equality with the same storage is O(1), where the dictionary hashes all
  /// of a ~1.3 KB text (~8,000 instructions a refresh). Cleared wherever a
  /// statement leaves `statements`.
  private var lastStatement: (sql: String, statement: PreparedStatement)?
  private var statementCounter = 0
  private var sawConnectionError = false
  /// False behind a transaction-mode pooler (PgBouncer before 1.21), which runs each statement
  /// on whichever server connection is free: a named statement prepared on one is unknown (or
  /// already taken by another client) on the next, so every statement goes unnamed, parsed in
  /// the same round trip as its execution.
  var usesNamedStatements = true
  /// Set by the pool's `transaction`: BEGIN has not been sent yet and goes out with the next
  /// statement, in the same round trip, so a transaction costs the server one wake-up less.
  var beginsWithNextStatement = false

  private struct PreparedStatement {
    let name: String
    let parameterCount: Int
  }

  // Distinct SQL strings come from code, so this is only a guard against a caller that builds SQL
  // dynamically and would otherwise grow server memory without bound.
  private static let maxPreparedStatements = 512

  public convenience init(
    url: String, statementTimeoutMilliseconds: Int = 5000, connectTimeoutSeconds: Int = 3
  ) throws(PostgresError) {
    try self.init(
      url: url, statementTimeoutMilliseconds: statementTimeoutMilliseconds,
      connectTimeoutSeconds: connectTimeoutSeconds, shouldAbort: nil)
  }

  /// `shouldAbort` is polled while connecting so a listener's `stop()` is not held up by it.
  init(
    url: String, statementTimeoutMilliseconds: Int, connectTimeoutSeconds: Int,
    shouldAbort: (() -> Bool)?
  ) throws(PostgresError) {
    self.url = url
    connectInfo = try ConnectInfo(
      url: url, statementTimeoutMilliseconds: statementTimeoutMilliseconds,
      connectTimeoutSeconds: connectTimeoutSeconds)
    conn = try Self.connect(
      connectInfo, url: url, timeoutSeconds: max(1, connectTimeoutSeconds), shouldAbort: shouldAbort)
  }

  deinit { close() }

  /// True once the connection is closed, libpq reports it bad, or a connection-class error was
  /// seen; the pool discards such connections.
  public var isBroken: Bool {
    guard let conn else { return true }
    return sawConnectionError || PQstatus(conn) != CONNECTION_OK
  }

  public func close() {
    if let conn { PQfinish(conn) }
    conn = nil
    statements.removeAll()
    lastStatement = nil
  }

  /// Runs one statement with the extended protocol. Each distinct SQL string is prepared once per
  /// connection and executed by name afterwards.
  public func query(_ sql: String, _ params: [PostgresBind] = []) throws(PostgresError) -> PostgresResult {
    do {
      return try runPrepared(sql, params)
    } catch let error where error.isStalePlan {
      // A migration changed a table under a cached plan. The plan is dropped from the cache above;
      // outside a transaction nothing else ran, so one retry with a fresh prepare is safe.
      guard transactionStatus == PQTRANS_IDLE else { throw error }
      return try runPrepared(sql, params)
    }
  }

  /// Runs SQL with the simple protocol: several statements separated by semicolons, no parameters
  /// (migrations, BEGIN/COMMIT).
  public func execute(script sql: String) throws(PostgresError) {
    _ = try executeReturningTag(sql)
  }

  // MARK: - Internals shared with the pool, transactions and the listener

  var transactionStatus: PGTransactionStatusType {
    guard let conn else { return PQTRANS_UNKNOWN }
    return PQtransactionStatus(conn)
  }

  var preparedStatementCount: Int { statements.count }

  func markBroken() { sawConnectionError = true }

  /// The command tag of the last statement, e.g. "COMMIT" or "ROLLBACK".
  @discardableResult
  func executeReturningTag(_ sql: String) throws(PostgresError) -> String {
    let conn = try live()
    if beginsWithNextStatement {
      beginsWithNextStatement = false
      try withResult(PQexec(conn, "BEGIN")) { _ in }
    }
    return try withResult(PQexec(conn, sql)) { result in String(cString: PQcmdStatus(result)) }
  }

  /// Reads whatever arrived while the connection sat idle (an admin shutdown's error, EOF) so a
  /// backend that is already gone is found before a borrower's statement fails on it.
  func isGoneWhileIdle() -> Bool {
    guard let conn, !isBroken else { return true }
    // Bounded: data then EOF needs two reads; more than a few means a chatty but live server.
    for _ in 0..<4 {
      let fd = PQsocket(conn)
      guard fd >= 0 else { return true }
      guard SocketWait.wait(fd: fd, forWrite: false, milliseconds: 0) == .ready else { break }
      if PQconsumeInput(conn) == 0 { return true }
      // PQisBusy parses what was read, which is what moves the status to bad on a fatal error.
      _ = PQisBusy(conn)
      drainNotifications()
      if PQstatus(conn) != CONNECTION_OK { return true }
    }
    return isBroken
  }

  var socket: Int32 {
    guard let conn else { return -1 }
    return PQsocket(conn)
  }

  /// Reads available input without blocking; false when the connection is lost.
  func consumeInput() -> Bool {
    guard let conn else { return false }
    if PQconsumeInput(conn) == 0 || PQstatus(conn) != CONNECTION_OK {
      sawConnectionError = true
      return false
    }
    return true
  }

  func nextNotification() -> (channel: String, payload: String)? {
    guard let conn, let notify = PQnotifies(conn) else { return nil }
    defer { PQfreemem(notify) }
    return (String(cString: notify.pointee.relname), String(cString: notify.pointee.extra))
  }

  func escapeIdentifier(_ identifier: String) throws(PostgresError) -> String {
    let conn = try live()
    let utf8 = Array(identifier.utf8)
    guard let escaped = PQescapeIdentifier(conn, identifier, utf8.count) else {
      throw PostgresError(kind: .query, serverMessage: "cannot escape identifier")
    }
    defer { PQfreemem(escaped) }
    return String(cString: escaped)
  }

  private func drainNotifications() {
    while nextNotification() != nil {}
  }

  // MARK: - Statements

  private func runPrepared(_ sql: String, _ params: [PostgresBind]) throws(PostgresError) -> PostgresResult {
    let conn = try live()
    let statement = usesNamedStatements ? try prepared(sql, on: conn) : nil
    if let statement, statement.parameterCount != params.count {
      throw PostgresError(
        kind: .query,
        serverMessage: "statement takes \(statement.parameterCount) parameters, got \(params.count)")
    }
    let encoded = try EncodedParameters(params)
    let send = { (conn: OpaquePointer, pipelined: Bool) -> OpaquePointer? in
      encoded.withPointers { values, lengths, formats in
        let count = Int32(params.count)
        switch (statement, pipelined) {
        case (let statement?, false):
          return PQexecPrepared(conn, statement.name, count, values, lengths, formats, 0)
        case (nil, false): return PQexecParams(conn, sql, count, nil, values, lengths, formats, 0)
        // Pipelined: only queued here; `afterBegin` reads the results. Any non-nil pointer says "sent".
        case (let statement?, true):
          return PQsendQueryPrepared(conn, statement.name, count, values, lengths, formats, 0) == 1
            ? conn : nil
        case (nil, true):
          return PQsendQueryParams(conn, sql, count, nil, values, lengths, formats, 0) == 1 ? conn : nil
        }
      }
    }
    let result: OpaquePointer?
    if beginsWithNextStatement {
      beginsWithNextStatement = false
      result = try afterBegin(conn) { send($0, true) != nil }
    } else {
      result = send(conn, false)
    }
    do {
      return try withResult(result) { result in Self.read(result) }
    } catch let error where error.isStalePlan && statement != nil {
      statements[sql] = nil
      lastStatement = nil
      throw error
    }
  }

  /// Sends BEGIN and the statement `queue` adds as one pipeline (libpq's pipeline mode: both go
  /// out before either answer is read) and returns the statement's result. Expected answers:
  /// BEGIN's result, a nil separator, the statement's, a nil, then the sync. A failed BEGIN
  /// is thrown (the statement was skipped); two nils in a row mean the connection is gone.
  private func afterBegin(_ conn: OpaquePointer, queue: (OpaquePointer) -> Bool) throws(PostgresError)
    -> OpaquePointer?
  {
    guard PQenterPipelineMode(conn) == 1 else { throw connectionLevelError() }
    guard PQsendQueryParams(conn, "BEGIN", 0, nil, nil, nil, nil, 0) == 1, queue(conn),
      PQpipelineSync(conn) == 1
    else { throw connectionLevelError() }
    var results: [OpaquePointer] = []
    var separators = 0
    while separators < 2 {
      guard let result = PQgetResult(conn) else {
        separators += 1
        continue
      }
      separators = 0
      if PQresultStatus(result) == PGRES_PIPELINE_SYNC {
        PQclear(result)
        break
      }
      results.append(result)
    }
    guard separators < 2, PQexitPipelineMode(conn) == 1, results.count == 2 else {
      results.forEach { PQclear($0) }
      throw connectionLevelError()
    }
    try withResult(results[0]) { _ in }
    return results[1]
  }

  private func prepared(_ sql: String, on conn: OpaquePointer) throws(PostgresError) -> PreparedStatement {
    if let last = lastStatement, last.sql == sql { return last.statement }
    if let statement = statements[sql] {
      lastStatement = (sql, statement)
      return statement
    }
    if statements.count >= Self.maxPreparedStatements && transactionStatus == PQTRANS_IDLE {
      try executeReturningTag("DEALLOCATE ALL")
      statements.removeAll()
      lastStatement = nil
    }
    statementCounter += 1
    let name = "lk_\(statementCounter)"
    try withResult(PQprepare(conn, name, sql, 0, nil)) { _ in }
    // The parameter count lets a wrong-arity call fail here, as a plain query error, instead of as
    // the server's protocol violation (08P01) that would look like a broken connection.
    let count = try withResult(PQdescribePrepared(conn, name)) { result in Int(PQnparams(result)) }
    let statement = PreparedStatement(name: name, parameterCount: count)
    statements[sql] = statement
    return statement
  }

  private static func read(_ result: OpaquePointer) -> PostgresResult {
    let rowCount = Int(PQntuples(result))
    let columnCount = Int(PQnfields(result))
    let names = (0..<columnCount).map { String(cString: PQfname(result, Int32($0))) }
    let columns = PostgresColumns(names: names)
    var rows: [PostgresRow] = []
    rows.reserveCapacity(rowCount)
    for row in 0..<Int32(rowCount) {
      var values: [String?] = []
      values.reserveCapacity(columnCount)
      for column in 0..<Int32(columnCount) {
        if PQgetisnull(result, row, column) != 0 {
          values.append(nil)
        } else {
          let length = Int(PQgetlength(result, row, column))
          let bytes = UnsafeRawPointer(PQgetvalue(result, row, column)!).assumingMemoryBound(to: UInt8.self)
          values.append(String(decoding: UnsafeBufferPointer(start: bytes, count: length), as: UTF8.self))
        }
      }
      rows.append(PostgresRow(columns: columns, values: values))
    }
    let affected = Int(String(cString: PQcmdTuples(result))) ?? 0
    return PostgresResult(rows: rows, affectedRows: affected)
  }

  // MARK: - Results and errors

  private func live() throws(PostgresError) -> OpaquePointer {
    guard let conn else { throw PostgresError(kind: .closed, serverMessage: "connection is closed") }
    if isBroken { throw PostgresError(kind: .connection, serverMessage: "connection was lost") }
    return conn
  }

  /// Checks a result, hands a successful one to `body`, and clears it on every path.
  private func withResult<R>(
    _ result: OpaquePointer?, _ body: (OpaquePointer) -> R
  ) throws(PostgresError) -> R {
    guard let result else { throw connectionLevelError() }
    defer { PQclear(result) }
    let status = PQresultStatus(result)
    switch status {
    case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY:
      return body(result)
    case PGRES_FATAL_ERROR, PGRES_NONFATAL_ERROR:
      throw error(from: result)
    default:
      // COPY and friends leave the connection mid-protocol; nothing here can finish them.
      sawConnectionError = true
      throw PostgresError(
        kind: .query, serverMessage: "unsupported result status \(String(cString: PQresStatus(status)))")
    }
  }

  private func error(from result: OpaquePointer) -> PostgresError {
    let sqlState = field(result, "C")
    let primary = field(result, "M") ?? String(cString: PQresultErrorMessage(result)).singleLine
    let lost = conn.map { PQstatus($0) != CONNECTION_OK } ?? true
    if lost || sqlState.map({ $0.hasPrefix("08") || PostgresError.shutdownStates.contains($0) }) == true {
      sawConnectionError = true
      return PostgresError(
        kind: .connection, sqlState: sqlState, serverMessage: connectInfo.scrub(primary, url: url))
    }
    if sqlState == "57014" {
      return PostgresError(kind: .timeout, sqlState: sqlState, serverMessage: primary)
    }
    return PostgresError(kind: .query, sqlState: sqlState, serverMessage: primary)
  }

  private func field(_ result: OpaquePointer, _ code: Character) -> String? {
    guard let value = PQresultErrorField(result, Int32(code.asciiValue!)) else { return nil }
    return String(cString: value)
  }

  /// libpq returns no result only when it could not send or ran out of memory.
  private func connectionLevelError() -> PostgresError {
    sawConnectionError = true
    let message = conn.map { String(cString: PQerrorMessage($0)).singleLine } ?? "connection is closed"
    return PostgresError(kind: .connection, serverMessage: connectInfo.scrub(message, url: url))
  }

  // MARK: - Connecting

  private static func connect(
    _ info: ConnectInfo, url: String, timeoutSeconds: Int, shouldAbort: (() -> Bool)?
  ) throws(PostgresError) -> OpaquePointer {
    let deadline = MonotonicClock.seconds() + Double(timeoutSeconds)
    let started = withCStringArrays(info.keywords, info.values) { keywords, values in
      PQconnectStartParams(keywords, values, 1)
    }
    guard let conn = started else {
      throw PostgresError(kind: .connection, serverMessage: "out of memory")
    }
    PQsetNoticeProcessor(conn, ignoreNotice, nil)
    func fail(_ kind: PostgresError.Kind = .connection, _ message: String? = nil) -> PostgresError {
      let text = message ?? String(cString: PQerrorMessage(conn)).singleLine
      PQfinish(conn)
      return PostgresError(kind: kind, serverMessage: info.scrub(text, url: url))
    }
    if PQstatus(conn) == CONNECTION_BAD { throw fail() }
    // The non-blocking handshake enforces our own deadline (libpq's connect_timeout has a 2 s
    // floor) and lets `shouldAbort` interrupt it.
    var polling = PGRES_POLLING_WRITING
    while true {
      switch polling {
      case PGRES_POLLING_OK:
        return conn
      case PGRES_POLLING_FAILED:
        throw fail()
      default:
        while true {
          if shouldAbort?() == true { throw fail(.closed, "connect aborted") }
          let remaining = deadline - MonotonicClock.seconds()
          if remaining <= 0 { throw fail(.connection, "timed out connecting after \(timeoutSeconds)s") }
          let fd = PQsocket(conn)
          if fd < 0 { break }  // nothing to wait on: PQconnectPoll reports what went wrong
          let wait = SocketWait.wait(
            fd: fd, forWrite: polling == PGRES_POLLING_WRITING,
            milliseconds: Int(min(remaining, 0.25) * 1000) + 1)
          if wait == .ready { break }
        }
        polling = PQconnectPoll(conn)
      }
    }
  }
}

extension PostgresError {
  /// "cached plan must not change result type": a table changed shape under a prepared statement.
  fileprivate var isStalePlan: Bool {
    sqlState == "0A000" && serverMessage.contains("cached plan must not change result type")
  }
}

/// Notices (e.g. "relation already exists, skipping") would otherwise go to stderr. A global
/// function: Swift 6.3.1 crashes converting capturing closures to C function pointers.
private func ignoreNotice(_ context: UnsafeMutableRawPointer?, _ message: UnsafePointer<CChar>?) {}

private func withCStringArrays<R>(
  _ first: [String], _ second: [String],
  _ body: (UnsafePointer<UnsafePointer<CChar>?>, UnsafePointer<UnsafePointer<CChar>?>) -> R
) -> R {
  let firstCopies = first.map { UnsafePointer(strdup($0)) } + [nil]
  let secondCopies = second.map { UnsafePointer(strdup($0)) } + [nil]
  defer {
    for pointer in firstCopies + secondCopies { free(UnsafeMutablePointer(mutating: pointer)) }
  }
  return firstCopies.withUnsafeBufferPointer { a in
    secondCopies.withUnsafeBufferPointer { b in body(a.baseAddress!, b.baseAddress!) }
  }
}
