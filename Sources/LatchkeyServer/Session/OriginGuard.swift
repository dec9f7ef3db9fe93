import LatchkeyDomain
import LatchkeyHTTP

/// The Origin rule for cookie endpoints (docs/api.md#cookies): a present
/// `Origin` must be the service's own or a configured web-app origin,
/// decided before anything else, so a cross-site form post can neither use
/// nor clear the cookie.
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
      let range = normalized.firstRange(of: "://"),
      normalized.hasPrefix("http"),
      normalized[range.upperBound...] == host
    {
      return
    }
    throw .invalidOrigin
  }

  /// `check` as a yes or no.
  public func allows(_ request: Request) -> Bool { (try? check(request)) != nil }

  /// The origin (`scheme://host[:port]`) of a URL such as the public URL.
  public static func origin(of url: String) -> String {
    guard let scheme = url.firstRange(of: "://") else { return url }
    let rest = url[scheme.upperBound...]
    let end = rest.firstIndex(of: "/") ?? rest.endIndex
    return String(url[..<end])
  }
}
