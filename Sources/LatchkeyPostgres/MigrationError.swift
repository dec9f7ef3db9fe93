/// A migration run failed. Migrations are our own files, so the server's message is included: it
/// is what an operator needs to fix the file.
public struct MigrationError: Error, Sendable, CustomStringConvertible {
  /// The migration file, e.g. "0002_sessions.sql"; nil when the failure is not about one file.
  public let file: String?
  public let message: String
  /// The database error behind it, if any (`isUnavailable` tells an outage from a bad file).
  public let underlying: PostgresError?

  public init(file: String?, message: String, underlying: PostgresError? = nil) {
    self.file = file
    self.message = message
    self.underlying = underlying
  }

  public var isUnavailable: Bool { underlying?.isUnavailable ?? false }

  public var description: String {
    var text = file.map { "migration \($0) failed: " } ?? "migration failed: "
    text += message
    if let underlying {
      if let sqlState = underlying.sqlState { text += " SQLSTATE \(sqlState)" }
      if !underlying.serverMessage.isEmpty { text += ": \(underlying.serverMessage)" }
    }
    return text
  }
}
