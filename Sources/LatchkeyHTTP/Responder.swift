/// The one place that turns a request into a response: routing, 404/405,
/// CORS preflight, the handler, every thrown error into the JSON error shape
/// of docs/, and the middleware chain every answer passes through, the
/// server's own refusals (413, 503, a malformed request) included. Pure (no
/// socket), so tests drive it directly.
public struct Responder: Sendable {
  public typealias ErrorMapper = @Sendable (any Error) -> HTTPError?

  public let router: Router
  public let cors: CORSPolicy
  /// Outermost first: the first one sees the request first and the
  /// response last.
  public let middleware: [any Middleware]
  private let mapError: ErrorMapper
  private let onUnexpectedError: @Sendable (Request, any Error) -> Void

  /// `mapError` translates domain and storage errors (a lost database, a busy
  /// hashing pool) into HTTP answers; anything it leaves is a 500 whose body
  /// says nothing about the cause, which goes to `onUnexpectedError` for logs.
  /// `middleware` defaults to `standardMiddleware(cors:)`.
  public init(
    router: Router, cors: CORSPolicy = CORSPolicy(allowedOrigins: []), middleware: [any Middleware]? = nil,
    mapError: @escaping ErrorMapper = { _ in nil },
    onUnexpectedError: @escaping @Sendable (Request, any Error) -> Void = { _, _ in }
  ) {
    self.router = router
    self.cors = cors
    self.middleware = middleware ?? Self.standardMiddleware(cors: cors)
    self.mapError = mapError
    self.onUnexpectedError = onUnexpectedError
  }

  /// Request id, security headers, CORS: what every answer carries.
  public static func standardMiddleware(cors: CORSPolicy) -> [any Middleware] {
    [RequestIDMiddleware(), SecurityHeadersMiddleware(), CORSMiddleware(policy: cors)]
  }

  public enum Plan: Sendable {
    case run(Route, Request)
    case answer(Response)
  }

  /// Routes the request; decides whether it needs a handler (and where that
  /// runs) or already has its answer (404, 405, preflight).
  public func plan(_ request: consuming Request) -> Plan {
    // Consuming: the bridge hands its request over, so filling in the route
    // does not copy (retain) every field first.
    switch router.match(method: request.method, segments: request.pathSegments) {
    case .found(let route, let parameters):
      request.parameters = parameters
      request.routePattern = route.pattern
      return .run(route, consume request)
    case .methodNotAllowed(let allow):
      if request.method == "OPTIONS" {
        return .answer(finish(cors.preflight(origin: request.header("origin"), allow: allow), for: request))
      }
      var error = HTTPError(
        status: 405, code: "method_not_allowed", description: "method not allowed on this path")
      error.headers.append(.init("Allow", allow.joined(separator: ", ")))
      return .answer(finish(error.response, for: request))
    case .notFound:
      return .answer(finish(HTTPError.notFound.response, for: request))
    }
  }

  public func run(_ route: Route, _ request: Request) -> Response {
    var response = chain(request, from: 0) { request in
      do {
        return try route.handler(request)
      } catch {
        return errorResponse(error, for: request)
      }
    }
    if route.cache != .unspecified { response.cache = route.cache }
    response.cache.apply(to: &response)
    return response
  }

  /// Convenience for tests and inline callers: plan and run in one go.
  public func respond(to request: Request) -> Response {
    switch plan(request) {
    case .answer(let response): return response
    case .run(let route, let request): return run(route, request)
    }
  }

  public func errorResponse(_ error: any Error, for request: Request) -> Response {
    if let http = error as? HTTPError { return http.response }
    if let mapped = mapError(error) { return mapped.response }
    onUnexpectedError(request, error)
    return HTTPError.internalError.response
  }

  /// Passes an answer made without a handler (404, 405, a refusal by the
  /// server itself) through the same middleware and cache policy.
  public func finish(_ response: Response, for request: Request) -> Response {
    var response = chain(request, from: 0) { _ in response }
    response.cache.apply(to: &response)
    return response
  }

  private func chain(_ request: Request, from index: Int, _ terminal: (Request) -> Response) -> Response {
    guard index < middleware.count else { return terminal(request) }
    return middleware[index].respond(to: request) { chain($0, from: index + 1, terminal) }
  }
}
