import FoundationEssentials

/// A statement parameter. Everything but `bytes` travels in text format, so the server infers the
/// type from the statement; cast where that is ambiguous (`$1::uuid`, `$2::bytea`, `$3::int8`).
public enum PostgresBind: Sendable, Equatable, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral,
  ExpressibleByNilLiteral, ExpressibleByBooleanLiteral
{
  case text(String)
  case int(Int64)
  case bool(Bool)
  case double(Double)
  case uuid(UUID)
  case bytes([UInt8])
  case null

  public init(stringLiteral value: String) { self = .text(value) }
  public init(integerLiteral value: Int64) { self = .int(value) }
  public init(nilLiteral: ()) { self = .null }
  public init(booleanLiteral value: Bool) { self = .bool(value) }

  /// The text-format representation, or nil for NULL and for `bytes` (sent in binary).
  var textValue: String? {
    switch self {
    case .text(let value): return value
    case .int(let value): return String(value)
    case .bool(let value): return value ? "t" : "f"
    case .double(let value):
      // Swift spells these "inf"/"nan"; PostgreSQL's canonical spellings are accepted everywhere.
      if value.isNaN { return "NaN" }
      if value.isInfinite { return value < 0 ? "-Infinity" : "Infinity" }
      return value.description
    case .uuid(let value): return value.uuidString
    case .bytes, .null: return nil
    }
  }
}
