import Foundation
import LatchkeyHTTP
import LatchkeyPostgres

/// The HTTP surface of SPEC §3–§8: decode, call `AuthService`, encode.
/// No rules live here; errors are thrown and mapped in one place
/// (`ErrorMapping`).
public struct Routes: Sendable {
  let service: AuthService
  let cookie: RefreshCookie
  let origins: OriginGuard
  let addresses: ClientAddressResolver
  let metrics: Metrics
  let readiness: @Sendable () -> Bool

  public init(
    service: AuthService, metrics: Metrics, readiness: @escaping @Sendable () -> Bool
  ) {
    let config = service.config
    self.service = service
    self.cookie = RefreshCookie(secure: config.cookieSecure)
    self.origins = OriginGuard(allowed: config.allowedOrigins)
    self.addresses = ClientAddressResolver(
      trusted: config.trustedProxies.compactMap(AddressRange.init(parsing:)))
    self.metrics = metrics
    self.readiness = readiness
  }

  struct Credentials: Decodable {
    let email: String
    let password: String
  }

  struct PasswordChange: Decodable {
    let current_password: String
    let new_password: String
  }

  struct TokenBody: Encodable {
    let access_token: String
    let token_type = "Bearer"
    let expires_in: Int64
  }

  public func router() -> Router {
    var router = Router()
    router.add("GET", "/healthz", execution: .inline) { _ in
      Response.json(200, bytes: Array(#"{"status":"ok"}"#.utf8))
    }
    router.add("GET", "/readyz") { _ in
      guard readiness() else { throw HTTPError.unavailable(retryAfter: 1, "database is not reachable") }
      return Response.json(200, bytes: Array(#"{"status":"ready"}"#.utf8))
    }
    router.add("GET", "/metrics", execution: .inline) { _ in
      Response(
        status: 200, headers: [("Content-Type", "text/plain; version=0.0.4; charset=utf-8")],
        body: Array(metrics.render().utf8))
    }
    router.add("POST", "/register", register)
    router.add("POST", "/login", login)
    router.add("POST", "/refresh", refresh)
    router.add("POST", "/logout", logout)

    let revocations = service.revocations
    let apiExecution: Execution = .inlineWhen { revocations.answersWithoutIO }
    router.add("GET", "/api/me", execution: apiExecution) { request in
      let user = try service.authenticate(bearer: request.bearerToken)
      var response = Response.json(
        200,
        bytes: JSONText.object([
          ("id", user.userIDText), ("email", user.email), ("role", user.role),
          ("session_id", user.sessionIDText),
        ]))
      response.setHeader("Cache-Control", "no-store")
      return response
    }
    router.add("GET", "/api/sessions", sessions)
    router.add("DELETE", "/api/sessions/{id}", deleteSession)
    router.add("POST", "/api/password", changePassword)
    router.add("POST", "/api/admin/users/{id}/revoke", adminRevoke)
    router.add("GET", "/api/admin/audit", audit)
    return router
  }

  func client(_ request: Request) -> ClientInfo {
    ClientInfo(ip: addresses.clientAddress(for: request), userAgent: request.header("user-agent") ?? "")
  }

  func register(_ request: Request) throws -> Response {
    let body = try request.decodeJSON(Credentials.self)
    let user = try service.register(email: body.email, password: body.password, client: client(request))
    return Response.json(
      201,
      bytes: JSONText.object([
        ("id", user.id.uuidString.lowercased()), ("email", user.email), ("role", user.role),
      ]))
  }

  func login(_ request: Request) throws -> Response {
    try origins.check(request)
    let body = try request.decodeJSON(Credentials.self)
    let grant = try service.login(email: body.email, password: body.password, client: client(request))
    return tokenResponse(grant)
  }

  func refresh(_ request: Request) throws -> Response {
    try origins.check(request)
    do {
      return tokenResponse(try service.refresh(token: cookie.read(from: request), client: client(request)))
    } catch AuthError.invalidGrant {
      var response = AuthError.invalidGrant.httpError.response
      response.addHeader("Set-Cookie", cookie.clear())
      response.forbidCaching()
      return response
    }
  }

  func logout(_ request: Request) throws -> Response {
    try origins.check(request)
    let global = request.query["scope"] == "global"
    try service.logout(
      refreshToken: cookie.read(from: request), bearer: request.bearerToken, global: global,
      client: client(request))
    return Response.noContent(headers: [("Set-Cookie", cookie.clear()), ("Cache-Control", "no-store")])
  }

  private func tokenResponse(_ grant: TokenGrant) -> Response {
    var response = Response.json(200, TokenBody(access_token: grant.accessToken, expires_in: grant.expiresIn))
    response.addHeader("Set-Cookie", cookie.set(grant.refreshToken, now: service.clock.now()))
    response.forbidCaching()
    return response
  }

  struct SessionsBody: Encodable {
    struct Item: Encodable {
      let id: String
      let created_at: String
      let last_used_at: String
      let user_agent: String
      let ip: String
      let current: Bool
    }
    let sessions: [Item]
  }

  func sessions(_ request: Request) throws -> Response {
    let user = try service.authenticate(bearer: request.bearerToken)
    let items = try service.sessions(of: user).map {
      SessionsBody.Item(
        id: $0.id.uuidString.lowercased(), created_at: Timestamp.iso8601($0.createdAt),
        last_used_at: Timestamp.iso8601($0.lastUsedAt), user_agent: $0.userAgent, ip: $0.ip,
        current: $0.id == user.sessionID)
    }
    var response = Response.json(200, SessionsBody(sessions: items))
    response.setHeader("Cache-Control", "no-store")
    return response
  }

  func deleteSession(_ request: Request) throws -> Response {
    let user = try service.authenticate(bearer: request.bearerToken)
    guard let id = request.parameters["id"].flatMap(UUID.init(uuidString:)) else { throw AuthError.notFound }
    try service.revokeSession(id, by: user, client: client(request))
    return Response.noContent()
  }

  func changePassword(_ request: Request) throws -> Response {
    let user = try service.authenticate(bearer: request.bearerToken)
    let body = try request.decodeJSON(PasswordChange.self)
    try service.changePassword(
      claims: user, current: body.current_password, new: body.new_password, client: client(request))
    return Response.noContent()
  }

  func adminRevoke(_ request: Request) throws -> Response {
    let admin = try service.authenticate(bearer: request.bearerToken)
    guard admin.role == "admin" else { throw AuthError.insufficientScope }
    guard let id = request.parameters["id"].flatMap(UUID.init(uuidString:)) else { throw AuthError.notFound }
    try service.adminRevoke(user: id, by: admin, client: client(request))
    return Response.noContent()
  }

  struct AuditBody: Encodable {
    struct Item: Encodable {
      let time: String
      let type: String
      let user_id: String?
      let session_id: String?
      let ip: String

      enum CodingKeys: String, CodingKey {
        case time, type, user_id, session_id, ip
      }

      /// Absent ids are written as null, so every event has the same keys.
      func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(time, forKey: .time)
        try container.encode(type, forKey: .type)
        try container.encode(user_id, forKey: .user_id)
        try container.encode(session_id, forKey: .session_id)
        try container.encode(ip, forKey: .ip)
      }
    }
    let events: [Item]
  }

  func audit(_ request: Request) throws -> Response {
    let admin = try service.authenticate(bearer: request.bearerToken)
    guard admin.role == "admin" else { throw AuthError.insufficientScope }
    var user: UUID? = nil
    if let text = request.query["user"] {
      guard let id = UUID(uuidString: text) else { throw AuthError.invalidRequest("user must be a user id") }
      user = id
    }
    var limit = 100
    if let text = request.query["limit"] {
      guard let value = Int(text), (1...1000).contains(value) else {
        throw AuthError.invalidRequest("limit must be from 1 to 1000")
      }
      limit = value
    }
    let events = try service.audit(user: user, limit: limit, by: admin).map {
      AuditBody.Item(
        time: Timestamp.iso8601($0.time), type: $0.type, user_id: $0.userID?.uuidString.lowercased(),
        session_id: $0.sessionID?.uuidString.lowercased(), ip: $0.ip)
    }
    var response = Response.json(200, AuditBody(events: events))
    response.setHeader("Cache-Control", "no-store")
    return response
  }
}

enum Timestamp {
  /// RFC 3339 in UTC with milliseconds.
  static func iso8601(_ seconds: Double) -> String {
    let date = Date(timeIntervalSince1970: seconds)
    return date.formatted(
      .iso8601.year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted))
  }
}
