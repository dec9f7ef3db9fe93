import FoundationEssentials
import LatchkeyText

/// An account as the store keeps it. `passwordHash` is a PHC string.
public struct User: Sendable, Equatable {
  public var id: UUID
  public var email: String
  public var role: Role
  public var passwordHash: String

  public init(id: UUID, email: String, role: Role, passwordHash: String) {
    self.id = id
    self.email = email
    self.role = role
    self.passwordHash = passwordHash
  }

  /// The case-insensitive identity of an address: trimmed and lower-cased,
  /// so `Ann@Example.com ` and `ann@example.com` are one account.
  public static func emailKey(_ email: String) -> String {
    email.trimmingWhitespaceAndNewlines().lowercased()
  }
}
