/// The one place that turns a request into a response: routing, 404/405,
/// CORS preflight, the handler, and every thrown error into SPEC §2's JSON.
/// Pure (no socket), so tests drive it directly.
public struct Responder: Sendable {
  public typealias ErrorMapper = @Sendable (any Error) -> HTTPError?

  public let router: Router
  public let cors: CORSPolicy
  private let mapError: ErrorMapper
  private let onUnexpectedError: @Sendable (Request, any Error) -> Void

  /// `mapError` translates domain and storage errors (a lost database, a busy
  /// hashing pool) into HTTP answers; anything it leaves is a 500 whose body
  /// says nothing about the cause, which goes to `onUnexpectedError` for logs.
  public init(
    router: Router, cors: CORSPolicy = CORSPolicy(allowedOrigins: []),
    mapError: @escaping ErrorMapper = { _ in nil },
    onUnexpectedError: @escaping @Sendable (Request, any Error) -> Void = { _, _ in }
  ) {
    self.router = router
    self.cors = cors
    self.mapError = mapError
    self.onUnexpectedError = onUnexpectedError
  }

  public enum Plan: Sendable {
    case run(Route, Request)
    case answer(Response)
  }

  /// Routes the request; decides whether it needs a handler (and where that
  /// runs) or already has its answer (404, 405, preflight).
  public func plan(_ request: Request) -> Plan {
    var request = request
    switch router.match(method: request.method, segments: request.pathSegments) {
    case .found(let route, let parameters):
      request.parameters = parameters
      request.routePattern = route.pattern
      return .run(route, request)
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
    let response: Response
    do {
      response = try route.handler(request)
    } catch {
      response = errorResponse(error, for: request)
    }
    return finish(response, for: request)
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

  /// Headers every response carries.
  public func finish(_ response: Response, for request: Request) -> Response {
    var response = response
    // Handlers never set these two, so appending is enough (and cheaper).
    response.addHeader("X-Content-Type-Options", "nosniff")
    if !request.requestID.isEmpty { response.addHeader("X-Request-Id", request.requestID) }
    if !cors.allowedOrigins.isEmpty { cors.decorate(&response, origin: request.header("origin")) }
    return response
  }
}
