import LatchkeyText

/// Registration and password-change rules (docs/api.md#register, NIST SP 800-63B):
/// length in Unicode scalars, no composition rules.
public struct PasswordPolicy: Sendable {
  public var minLength: Int
  public var maxLength = 1024

  public init(minLength: Int) {
    self.minLength = minLength
  }

  public func validate(_ password: String, field: String = "password") throws(AuthError) {
    let count = password.unicodeScalars.count
    guard count >= minLength, count <= maxLength else {
      throw .invalidRequest("\(field) must be \(minLength) to \(maxLength) characters")
    }
  }

  /// A pragmatic email check: one '@', non-empty local part, a dotless or
  /// dotted domain without spaces, at most 254 bytes (RFC 5321). Checked on
  /// Unicode scalars, not user-perceived characters, so a combining mark
  /// after '@' or '.' cannot hide it.
  public static func validateEmail(_ email: String) throws(AuthError) {
    let trimmed = email.trimmingWhitespaceAndNewlines()
    let scalars = Array(trimmed.unicodeScalars)
    let ats = scalars.indices.filter { scalars[$0] == "@" }
    guard trimmed.utf8.count <= 254, ats.count == 1, let at = ats.first, at > 0, at < scalars.count - 1,
      scalars[at + 1] != ".", scalars.last != ".",
      !scalars.contains(where: { $0.properties.isWhitespace || $0.value < 0x20 || $0.value == 0x7f })
    else {
      throw .invalidRequest("email is not a valid address")
    }
  }
}
