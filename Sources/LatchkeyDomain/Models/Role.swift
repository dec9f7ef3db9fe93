/// A user's role. Any name an operator gives (`latchkey user add --role`) is
/// kept; `admin` is the one the service itself gives meaning to.
public struct Role: RawRepresentable, Hashable, Sendable, ExpressibleByStringLiteral,
  CustomStringConvertible
{
  public var rawValue: String

  public init(rawValue: String) { self.rawValue = rawValue }
  public init(_ rawValue: String) { self.rawValue = rawValue }
  public init(stringLiteral value: String) { self.rawValue = value }

  public static let user: Role = "user"
  public static let admin: Role = "admin"

  public var description: String { rawValue }
}
