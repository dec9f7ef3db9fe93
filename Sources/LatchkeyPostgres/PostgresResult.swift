public struct PostgresResult: Sendable {
  public let rows: [PostgresRow]
  /// Rows returned or affected, from the command tag; 0 for commands that report none.
  public let affectedRows: Int

  public init(rows: [PostgresRow], affectedRows: Int) {
    self.rows = rows
    self.affectedRows = affectedRows
  }
}
