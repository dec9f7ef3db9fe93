/// Routes that need an identity: the group authenticates each request once,
/// before the handler, and hands the handler what it found, so no handler
/// reads the `Authorization` header itself. What `authenticate` throws goes
/// through the responder's normal error mapping (a 401 with its
/// `WWW-Authenticate`, or a 503 when the check needed a lost database).
///
///     router.group(execution: apiExecution, cache: .noStore, authenticate: service.authenticate) { api in
///       api.add(.get, "/api/me") { request, user in ... }
///     }
public struct RouteGroup<Identity>: Sendable {
  public typealias Authenticator = @Sendable (Request) throws -> Identity
  public typealias Handler = @Sendable (Request, Identity) throws -> Response

  /// Where the group's handlers run unless a route says otherwise; the
  /// authenticator runs there too (it may need the database).
  public let execution: Execution
  public let cache: CachePolicy
  let authenticate: Authenticator
  fileprivate var routes:
    [(method: HTTPMethod, pattern: String, execution: Execution, cache: CachePolicy, handler: Handler)] = []

  init(execution: Execution, cache: CachePolicy, authenticate: @escaping Authenticator) {
    self.execution = execution
    self.cache = cache
    self.authenticate = authenticate
  }

  public mutating func add(
    _ method: HTTPMethod, _ pattern: String, execution: Execution? = nil, cache: CachePolicy? = nil,
    _ handler: @escaping Handler
  ) {
    routes.append((method, pattern, execution ?? self.execution, cache ?? self.cache, handler))
  }
}

extension Router {
  /// Declares routes whose handlers receive an authenticated `Identity`.
  public mutating func group<Identity>(
    execution: Execution = .blocking, cache: CachePolicy = .unspecified,
    authenticate: @escaping @Sendable (Request) throws -> Identity,
    _ build: (inout RouteGroup<Identity>) -> Void
  ) {
    var group = RouteGroup(execution: execution, cache: cache, authenticate: authenticate)
    build(&group)
    for route in group.routes {
      let handler = route.handler
      add(route.method, route.pattern, execution: route.execution, cache: route.cache) { request in
        try handler(request, authenticate(request))
      }
    }
  }
}
