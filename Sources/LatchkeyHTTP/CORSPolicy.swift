/// CORS with credentials for the web-app origins the operator listed
/// (`LATCHKEY_ALLOWED_ORIGINS`). Origins are compared exactly, never by
/// pattern, and `*` is never sent: credentials forbid it.
public struct CORSPolicy: Sendable {
  public let allowedOrigins: Set<String>

  public init(allowedOrigins: Set<String>) {
    self.allowedOrigins = allowedOrigins
  }

  public func allows(_ origin: String) -> Bool { allowedOrigins.contains(origin) }

  /// Headers added to every response to an allowed origin. With any origin
  /// configured, every answer depends on `Origin`, so each one says so
  /// (once: a response can pass through here twice) to keep shared caches
  /// from serving one origin's answer to another.
  func decorate(_ response: inout Response, origin: String?) {
    guard !allowedOrigins.isEmpty else { return }
    let varies = response.headers(named: "Vary").contains { value in
      value.lowercased().split(separator: ",").contains { $0.filter { $0 != " " && $0 != "\t" } == "origin" }
    }
    if !varies { response.addHeader("Vary", "Origin") }
    guard let origin, allows(origin) else { return }
    response.setHeader("Access-Control-Allow-Origin", origin)
    response.setHeader("Access-Control-Allow-Credentials", "true")
    response.setHeader("Access-Control-Expose-Headers", "Retry-After, WWW-Authenticate, X-Request-Id")
  }

  /// The answer to a preflight (`OPTIONS` with `Access-Control-Request-Method`).
  func preflight(origin: String?, allow: [String]) -> Response {
    var response = Response.noContent(headers: [("Allow", allow.joined(separator: ", "))])
    guard let origin, allows(origin) else { return response }
    response.setHeader("Access-Control-Allow-Methods", allow.joined(separator: ", "))
    response.setHeader("Access-Control-Allow-Headers", "Authorization, Content-Type, X-Request-Id")
    response.setHeader("Access-Control-Max-Age", "600")
    decorate(&response, origin: origin)
    return response
  }
}
