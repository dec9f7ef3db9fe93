import Foundation
import LatchkeyDomain
import LatchkeyHTTP

/// The cookies of docs/api.md#cookies. With `secure`, the name has the
/// `__Host-` prefix (Secure, Path=/, no Domain) so no subdomain can plant or
/// overwrite it; always SameSite=Strict and HttpOnly.
public struct SessionCookie: Sendable {
  public let baseName: String
  public let secure: Bool

  public init(baseName: String, secure: Bool) {
    self.baseName = baseName
    self.secure = secure
  }

  /// The refresh token's cookie.
  public static func refresh(secure: Bool) -> SessionCookie {
    SessionCookie(baseName: "latchkey_refresh", secure: secure)
  }
  /// The device cookie that marks a browser the account's owner logged in from.
  public static func device(secure: Bool) -> SessionCookie {
    SessionCookie(baseName: "latchkey_device", secure: secure)
  }

  public var name: String { secure ? "__Host-" + baseName : baseName }

  public func read(from request: Request) -> String? {
    guard let value = request.cookies[name], !value.isEmpty else { return nil }
    return value
  }

  /// Sets the cookie until `expiresAt`.
  public func set(_ value: String, expiresAt: Double, now: Double) -> String {
    header(value: value, maxAge: max(0, Int64((expiresAt - now).rounded(.down))))
  }

  public func clear() -> String { header(value: "", maxAge: 0) }

  private func header(value: String, maxAge: Int64) -> String {
    var parts = ["\(name)=\(value)", "Path=/", "Max-Age=\(maxAge)", "HttpOnly", "SameSite=Strict"]
    if secure { parts.append("Secure") }
    return parts.joined(separator: "; ")
  }
}
