/// Something every response passes through, in order, around the handler
/// (or around an answer the server made itself: 404, 405, 413, 503, a
/// refused request). Each calls `next` to go on, and may change the request
/// on the way in or the response on the way out.
public protocol Middleware: Sendable {
  func respond(to request: Request, next: (Request) -> Response) -> Response
}

/// Echoes the request's id (see `RequestID`) so clients can quote it.
public struct RequestIDMiddleware: Middleware {
  public init() {}

  public func respond(to request: Request, next: (Request) -> Response) -> Response {
    var response = next(request)
    if !request.requestID.isEmpty { response.setHeader("X-Request-Id", request.requestID) }
    return response
  }
}

/// Headers every answer carries whatever produced it.
public struct SecurityHeadersMiddleware: Middleware {
  public init() {}

  public func respond(to request: Request, next: (Request) -> Response) -> Response {
    var response = next(request)
    // JSON must never be sniffed into something a browser would run.
    response.setHeader("X-Content-Type-Options", "nosniff")
    return response
  }
}

/// CORS decoration for the configured origins (`CORSPolicy`).
public struct CORSMiddleware: Middleware {
  public let policy: CORSPolicy

  public init(policy: CORSPolicy) { self.policy = policy }

  public func respond(to request: Request, next: (Request) -> Response) -> Response {
    var response = next(request)
    if !policy.allowedOrigins.isEmpty { policy.decorate(&response, origin: request.header("origin")) }
    return response
  }
}
