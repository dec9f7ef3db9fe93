import Foundation
import LatchkeyHTTP

/// The refresh cookie of SPEC §5. `__Host-` (Secure, Path=/, no Domain) so
/// no subdomain can plant or overwrite it; SameSite=Strict and HttpOnly.
public struct RefreshCookie: Sendable {
  public let secure: Bool

  public init(secure: Bool) {
    self.secure = secure
  }

  public var name: String { secure ? "__Host-latchkey_refresh" : "latchkey_refresh" }

  public func read(from request: Request) -> String? {
    guard let value = request.cookies[name], !value.isEmpty else { return nil }
    return value
  }

  public func set(_ token: IssuedRefreshToken, now: Double) -> String {
    let maxAge = max(0, Int64((token.expiresAt - now).rounded(.down)))
    return header(value: token.value, maxAge: maxAge)
  }

  public func clear() -> String { header(value: "", maxAge: 0) }

  private func header(value: String, maxAge: Int64) -> String {
    var parts = ["\(name)=\(value)", "Path=/", "Max-Age=\(maxAge)", "HttpOnly", "SameSite=Strict"]
    if secure { parts.append("Secure") }
    return parts.joined(separator: "; ")
  }
}

/// SPEC §5's Origin rule for cookie endpoints: a present `Origin` must be the
/// service's own or a configured web-app origin; decided before anything else.
public struct OriginGuard: Sendable {
  public let allowed: Set<String>

  public init(allowed: [String]) {
    self.allowed = Set(allowed.map { $0.lowercased() })
  }

  public func check(_ request: Request) throws(AuthError) {
    guard let origin = request.header("origin") else { return }
    let normalized = origin.lowercased()
    if allowed.contains(normalized) { return }
    // Same origin: the Origin's host[:port] is the Host the request was sent to.
    if let host = request.header("host")?.lowercased(),
      let range = normalized.range(of: "://"),
      normalized.hasPrefix("http"),
      normalized[range.upperBound...] == host
    {
      return
    }
    throw .invalidOrigin
  }
}
