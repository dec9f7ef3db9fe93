/// An error from the PostgreSQL adapter.
///
/// `description` is safe to show or log anywhere: it never contains query text or parameter
/// values. `serverMessage` is the server's primary message (or libpq's text for connection
/// failures); it may quote values from a statement, so it is for operator logs only.
public struct PostgresError: Error, Sendable, CustomStringConvertible {
  public enum Kind: Sendable, Equatable {
    /// Could not connect, or the connection was lost or shut down by the server.
    case connection
    /// The server rejected a statement (syntax, constraint, aborted transaction ...).
    case query
    /// `statement_timeout` cancelled the statement (SQLSTATE 57014).
    case timeout
    /// No pooled connection became free within the acquire timeout.
    case poolTimeout
    /// The connection, pool or listener was closed by us.
    case closed
  }

  public let kind: Kind
  public let sqlState: String?
  public let serverMessage: String

  public init(kind: Kind, sqlState: String? = nil, serverMessage: String) {
    self.kind = kind
    self.sqlState = sqlState
    self.serverMessage = serverMessage
  }

  /// True when the database, not the request, is the problem: callers answer 503 and retry later.
  public var isUnavailable: Bool {
    switch kind {
    case .connection, .poolTimeout, .closed:
      return true
    case .query, .timeout:
      guard let sqlState else { return false }
      return sqlState.hasPrefix("08") || Self.shutdownStates.contains(sqlState)
    }
  }

  public var isUniqueViolation: Bool { sqlState == "23505" }

  public var description: String {
    var text: String
    switch kind {
    case .connection: text = "postgres connection error"
    case .query: text = "postgres query error"
    case .timeout: text = "postgres statement timeout"
    case .poolTimeout: text = "postgres pool acquire timeout"
    case .closed: text = "postgres connection closed"
    }
    if let sqlState { text += " SQLSTATE \(sqlState)" }
    // Only connection failures carry text: it is libpq's or the server's wording about hosts and
    // roles, never statement values, and the password is scrubbed where the error is made.
    if kind == .connection && !serverMessage.isEmpty { text += ": \(serverMessage)" }
    return text
  }

  // admin_shutdown, crash_shutdown, cannot_connect_now: the server is going away or not ready yet.
  static let shutdownStates: Set<String> = ["57P01", "57P02", "57P03"]
}
