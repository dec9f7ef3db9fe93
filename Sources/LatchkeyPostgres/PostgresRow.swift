import FoundationEssentials

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
    return Self.canonicalUUID(text) ?? UUID(uuidString: text)
  }

  public func bytes(_ column: Int) -> [UInt8]? { value(column).flatMap { Bytea.decode($0) } }

  public func isNull(_ name: String) -> Bool { value(named: name) == nil }
  public func string(_ name: String) -> String? { value(named: name) }
  public func int(_ name: String) -> Int64? { index(name).flatMap { int($0) } }
  public func bool(_ name: String) -> Bool? { index(name).flatMap { bool($0) } }
  public func double(_ name: String) -> Double? { index(name).flatMap { double($0) } }
  public func uuid(_ name: String) -> UUID? { index(name).flatMap { uuid($0) } }
  public func bytes(_ name: String) -> [UInt8]? { index(name).flatMap { bytes($0) } }

  /// PostgreSQL's uuid output (36 characters, lower-case hex) parsed by
  /// hand: Foundation's parser goes through sscanf, ~9,000 instructions a value.
  static func canonicalUUID(_ text: String) -> UUID? {
    var text = text
    return text.withUTF8 { bytes -> UUID? in
      guard bytes.count == 36 else { return nil }
      var result: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
      let ok = withUnsafeMutableBytes(of: &result) { out -> Bool in
        var position = 0
        for index in 0..<16 {
          if index == 4 || index == 6 || index == 8 || index == 10 {
            guard bytes[position] == UInt8(ascii: "-") else { return false }
            position += 1
          }
          guard let high = hexValue(bytes[position]), let low = hexValue(bytes[position + 1]) else {
            return false
          }
          out[index] = high << 4 | low
          position += 2
        }
        return true
      }
      return ok ? UUID(uuid: result) : nil
    }
  }

  private static func hexValue(_ byte: UInt8) -> UInt8? {
    switch byte {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
    default: return nil
    }
  }

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
