import FoundationEssentials
import LatchkeyText

/// One row of a result, values in PostgreSQL's text format. Accessors return nil for NULL, for a
/// column that does not exist and for a value that does not parse as the requested type.
public struct PostgresRow: Sendable {
  let columns: PostgresColumns
  let values: [String?]

  init(columns: PostgresColumns, values: [String?]) {
    self.columns = columns
    self.values = values
  }

  public var columnCount: Int { values.count }
  public var columnNames: [String] { columns.names }

  public func isNull(_ column: Int) -> Bool { value(column) == nil }

  public func string(_ column: Int) -> String? { value(column) }

  public func int(_ column: Int) -> Int64? { value(column).flatMap { Int64($0) } }

  public func bool(_ column: Int) -> Bool? {
    switch value(column) {
    case "t", "true": return true
    case "f", "false": return false
    default: return nil
    }
  }

  public func double(_ column: Int) -> Double? {
    guard let text = value(column) else { return nil }
    switch text {
    case "NaN": return .nan
    case "Infinity": return .infinity
    case "-Infinity": return -.infinity
    default: return Double(text)
    }
  }

  public func uuid(_ column: Int) -> UUID? {
    guard let text = value(column) else { return nil }
    return UUID.parse(text) ?? UUID(uuidString: text)
  }

  public func bytes(_ column: Int) -> [UInt8]? { value(column).flatMap { Bytea.decode($0) } }

  public func isNull(_ name: String) -> Bool { value(named: name) == nil }
  public func string(_ name: String) -> String? { value(named: name) }
  public func int(_ name: String) -> Int64? { index(name).flatMap { int($0) } }
  public func bool(_ name: String) -> Bool? { index(name).flatMap { bool($0) } }
  public func double(_ name: String) -> Double? { index(name).flatMap { double($0) } }
  public func uuid(_ name: String) -> UUID? { index(name).flatMap { uuid($0) } }
  public func bytes(_ name: String) -> [UInt8]? { index(name).flatMap { bytes($0) } }

  private func value(_ column: Int) -> String? {
    values.indices.contains(column) ? values[column] : nil
  }

  private func index(_ name: String) -> Int? { columns.index(of: name) }

  private func value(named name: String) -> String? { index(name).flatMap { value($0) } }
}

/// Column names shared by every row of one result. Looked up by a scan,
/// not a dictionary: results have a handful of columns, and building and
/// hashing into a dictionary per result cost more than the scans it saved.
final class PostgresColumns: Sendable {
  let names: [String]

  init(names: [String]) {
    self.names = names
  }

  /// The first of duplicate names wins, as in most drivers.
  func index(of name: String) -> Int? { names.firstIndex(of: name) }
}
