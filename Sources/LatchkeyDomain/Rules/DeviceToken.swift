import FoundationEssentials
import LatchkeyText

/// The value of the device cookie (OWASP "device cookies"): names the
/// account it was issued to and carries a nonce that keys the browser's
/// own failure budget, under a server MAC so no one can mint or alter one.
/// Wire form: `<user>.<nonce>.<issued-at>.<tag>`.
public struct DeviceToken: Sendable, Equatable {
  public var userID: UUID
  public var nonce: String
  public var issuedAt: Int64

  public init(userID: UUID, nonce: String, issuedAt: Int64) {
    self.userID = userID
    self.nonce = nonce
    self.issuedAt = issuedAt
  }

  var message: String { "device.v1.\(userID.uuidString.lowercased()).\(nonce).\(issuedAt)" }

  public func encoded(with secrets: any TokenSecrets) -> String {
    "\(userID.uuidString.lowercased()).\(nonce).\(issuedAt).\(secrets.deviceTag(message))"
  }

  /// The token a cookie value carries, if its tag is the server's and it
  /// is younger than `lifetime` at `now`; nil for anything else.
  public static func decode(_ value: String, secrets: any TokenSecrets, now: Double, lifetime: Int64)
    -> DeviceToken?
  {
    guard value.utf8.count <= 256 else { return nil }
    let parts = value.split(separator: ".", omittingEmptySubsequences: false)
    guard parts.count == 4, let user = UUID.parse(String(parts[0])), !parts[1].isEmpty,
      parts[1].utf8.allSatisfy(isBase64URL), let issuedAt = Int64(parts[2])
    else { return nil }
    let token = DeviceToken(userID: user, nonce: String(parts[1]), issuedAt: issuedAt)
    guard secrets.equal(secrets.deviceTag(token.message), String(parts[3])) else { return nil }
    let age = now - Double(issuedAt)
    guard age >= -60, age < Double(lifetime) else { return nil }
    return token
  }

  private static func isBase64URL(_ byte: UInt8) -> Bool {
    switch byte {
    case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
      UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"):
      return true
    default: return false
    }
  }
}
