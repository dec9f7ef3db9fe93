import FoundationEssentials
import LatchkeyDomain
import LatchkeyHTTP

/// The cookies of docs/api.md#cookies. With `secure`, the name has the
/// `__Host-` prefix (Secure, Path=/, no Domain) so no subdomain can plant or
/// overwrite it; always HttpOnly, and SameSite=Strict except the sign-in
/// cookie.
public struct SessionCookie: Sendable {
  public let baseName: String
  public let secure: Bool
  public let sameSite: String

  public init(baseName: String, secure: Bool, sameSite: String = "Strict") {
    self.baseName = baseName
    self.secure = secure
    self.sameSite = sameSite
  }

  /// The refresh token's cookie.
  public static func refresh(secure: Bool) -> SessionCookie {
    SessionCookie(baseName: "latchkey_refresh", secure: secure)
  }
  /// The device cookie that marks a browser the account's owner logged in from.
  public static func device(secure: Bool) -> SessionCookie {
    SessionCookie(baseName: "latchkey_device", secure: secure)
  }

  /// The authorization pages' sign-in session (docs/oauth.md#sign-in). Lax,
  /// because it must ride the top-level navigation from the client's site
  /// to `/oauth/authorize`; the pages' forms carry anti-forgery tokens.
  public static func signIn(secure: Bool) -> SessionCookie {
    SessionCookie(baseName: "latchkey_signin", secure: secure, sameSite: "Lax")
  }
  /// The anti-forgery secret the pages' form tokens are bound to.
  public static func antiForgery(secure: Bool) -> SessionCookie {
    SessionCookie(baseName: "latchkey_csrf", secure: secure)
  }

  public var name: String { secure ? "__Host-" + baseName : baseName }

  public func read(from request: Request) -> String? {
    guard let value = request.cookie(name), !value.isEmpty else { return nil }
    return value
  }

  /// Sets the cookie until `expiresAt`.
  public func set(_ value: String, expiresAt: Double, now: Double) -> String {
    header(value: value, maxAge: max(0, Int64((expiresAt - now).rounded(.down))))
  }

  public func clear() -> String { header(value: "", maxAge: 0) }

  /// Sets the cookie until the browser closes (no Max-Age).
  public func setForBrowserSession(_ value: String) -> String { header(value: value, maxAge: nil) }

  /// `name=value; Path=/; Max-Age=…; HttpOnly; SameSite=…[; Secure]`,
  /// appended into one string reserved up front: the array of parts and
  /// `joined` cost ~8,000 instructions on every refresh.
  private func header(value: String, maxAge: Int64?) -> String {
    var header = ""
    header.reserveCapacity(name.utf8.count + value.utf8.count + 72)
    header += name
    header += "="
    header += value
    header += "; Path=/"
    if let maxAge {
      header += "; Max-Age="
      header += String(maxAge)
    }
    header += "; HttpOnly; SameSite="
    header += sameSite
    if secure { header += "; Secure" }
    return header
  }
}
