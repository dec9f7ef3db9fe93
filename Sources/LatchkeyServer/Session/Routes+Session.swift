import LatchkeyDomain
import LatchkeyHTTP

extension Routes {
  struct Credentials: Decodable {
    let email: String
    let password: String
  }

  struct TokenBody: Encodable {
    let access_token: String
    let token_type = "Bearer"
    let expires_in: Int64
  }

  /// The cookie endpoints: login, refresh, logout (docs/api.md#cookies).
  func addSessionRoutes(to router: inout Router) {
    router.add(.post, "/login", cache: .noStore, login)
    router.add(.post, "/refresh", cache: .noStore, refresh)
    router.add(.post, "/logout", cache: .noStore, logout)
  }

  func login(_ request: Request) throws -> Response {
    try origins.check(request)
    let body = try request.decodeJSON(Credentials.self)
    let result = try service.login(
      email: body.email, password: body.password, client: client(request),
      deviceCookie: deviceCookie.read(from: request))
    var response = tokenResponse(result.grant)
    response.addHeader(
      "Set-Cookie",
      deviceCookie.set(result.deviceToken, expiresAt: result.deviceExpiresAt, now: service.clock.now()))
    return response
  }

  func refresh(_ request: Request) throws -> Response {
    try origins.check(request)
    do {
      return tokenResponse(
        try service.refresh(token: refreshCookie.read(from: request), client: client(request)))
    } catch AuthError.invalidGrant {
      // Only a definite "no" clears the cookie; a 503 leaves it alone.
      var response = ErrorMapping.map(AuthError.invalidGrant)!.response
      response.addHeader("Set-Cookie", refreshCookie.clear())
      return response
    }
  }

  func logout(_ request: Request) throws -> Response {
    try origins.check(request)
    let global: Bool
    switch request.query["scope"] {
    case nil: global = false
    case "global": global = true
    default: throw AuthError.invalidRequest("scope must be 'global' or absent")
    }
    try service.logout(
      refreshToken: refreshCookie.read(from: request), signInToken: signInCookie.read(from: request),
      bearer: request.bearerToken, global: global, client: client(request))
    var headers = [("Set-Cookie", refreshCookie.clear())]
    if signInCookie.read(from: request) != nil { headers.append(("Set-Cookie", signInCookie.clear())) }
    return Response.noContent(headers: headers)
  }

  private func tokenResponse(_ grant: TokenGrant) -> Response {
    var response = Response.json(200, TokenBody(access_token: grant.accessToken, expires_in: grant.expiresIn))
    response.addHeader(
      "Set-Cookie",
      refreshCookie.set(
        grant.refreshToken.value, expiresAt: grant.refreshToken.expiresAt, now: service.clock.now()))
    response.forbidCaching()
    return response
  }
}
