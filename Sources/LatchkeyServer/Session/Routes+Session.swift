import LatchkeyDomain
import LatchkeyHTTP
import LatchkeyJSON

extension Routes {
  struct Credentials: Decodable {
    let email: String
    let password: String
  }

  /// The cookie endpoints: login, refresh, logout (docs/api.md#cookies).
  func addSessionRoutes(to router: inout Router) {
    router.add(.post, "/login", execution: .slow, cache: .noStore, login)
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
    var response = Response.json(200, bytes: Self.tokenBody(grant))
    response.addHeader(
      "Set-Cookie",
      refreshCookie.set(
        grant.refreshToken.value, expiresAt: grant.refreshToken.expiresAt, now: service.clock.now()))
    response.forbidCaching()
    return response
  }

  /// `{"access_token":…,"expires_in":…,"token_type":"Bearer"}`, the bytes
  /// JSONEncoder with sorted keys wrote, by hand: the encoder cost about 7%
  /// of a refresh's server instructions.
  static func tokenBody(_ grant: TokenGrant) -> [UInt8] {
    var out: [UInt8] = []
    out.reserveCapacity(grant.accessToken.utf8.count + 72)
    out.append(contentsOf: #"{"access_token":"#.utf8)
    JSONText.appendString(grant.accessToken, to: &out)
    out.append(contentsOf: #","expires_in":"#.utf8)
    out.append(contentsOf: String(grant.expiresIn).utf8)
    out.append(contentsOf: #","token_type":"Bearer"}"#.utf8)
    return out
  }
}
