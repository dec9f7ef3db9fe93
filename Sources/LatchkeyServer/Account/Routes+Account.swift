import FoundationEssentials
import LatchkeyDomain
import LatchkeyHTTP
import LatchkeyJSON

extension Routes {
  struct PasswordChange: Decodable {
    let current_password: String
    let new_password: String
  }

  struct SessionsBody: Encodable {
    struct Item: Encodable {
      let id: String
      let created_at: String
      let last_used_at: String
      let user_agent: String
      let ip: String
      let current: Bool
      /// The OAuth client of a grant; absent for the browser's own sessions.
      let client_id: String?
    }
    let sessions: [Item]
  }

  /// Registration and what a signed-in user does with their own account
  /// (docs/api.md#register, docs/api.md#protected-routes).
  /// The `/api` routes are one authenticated group: a handler receives the
  /// caller's identity, and per-user answers are never cached.
  func addAccountRoutes(to router: inout Router) {
    router.add(.post, "/register", execution: .slow, register)
    router.group(cache: .noStore, authenticate: authenticate) { api in
      api.add(.get, "/api/me", execution: protectedExecution, me)
      api.add(.get, "/api/sessions", sessions)
      api.add(.delete, "/api/sessions/{id}", deleteSession)
      api.add(.post, "/api/password", execution: .slow, changePassword)
    }
  }

  func register(_ request: Request) throws -> Response {
    let body = try request.decodeJSON(Credentials.self)
    let user = try service.register(email: body.email, password: body.password, client: client(request))
    return Response.json(
      201,
      bytes: JSONText.object([
        ("id", user.id.uuidString.lowercased()), ("email", user.email), ("role", user.role.rawValue),
      ]))
  }

  func me(_ request: Request, user: AuthenticatedUser) throws -> Response {
    Response.json(
      200, bytes: Self.meShape.render([user.userIDText, user.email, user.role.rawValue, user.sessionIDText]))
  }

  /// docs/api.md#me: the keys' JSON text made once.
  static let meShape = JSONText.Shape(["id", "email", "role", "session_id"])

  func sessions(_ request: Request, user: AuthenticatedUser) throws -> Response {
    let items = try service.sessions(of: user).map {
      SessionsBody.Item(
        id: $0.id.uuidString.lowercased(), created_at: Timestamp.iso8601($0.createdAt),
        last_used_at: Timestamp.iso8601($0.lastUsedAt), user_agent: $0.userAgent, ip: $0.ip,
        current: $0.id == user.sessionID, client_id: $0.clientID?.uuidString.lowercased())
    }
    return Response.json(200, SessionsBody(sessions: items))
  }

  func deleteSession(_ request: Request, user: AuthenticatedUser) throws -> Response {
    guard let id = request.parameters["id"].flatMap(UUID.init(uuidString:)) else { throw AuthError.notFound }
    try service.revokeSession(id, by: user, client: client(request))
    return Response.noContent()
  }

  func changePassword(_ request: Request, user: AuthenticatedUser) throws -> Response {
    let body = try request.decodeJSON(PasswordChange.self)
    try service.changePassword(
      claims: user, current: body.current_password, new: body.new_password, client: client(request),
      deviceCookie: deviceCookie.read(from: request))
    return Response.noContent()
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
