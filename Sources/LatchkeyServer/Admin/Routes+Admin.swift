import FoundationEssentials
import LatchkeyDomain
import LatchkeyHTTP

extension Routes {
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

  /// Administrator routes (docs/api.md#admin-revoke); the role check is the
  /// service's (`authenticateAdmin`), so no route can forget it.
  func addAdminRoutes(to router: inout Router) {
    let service = self.service
    let administrator: @Sendable (Request) throws -> Administrator = {
      try service.authenticateAdmin(bearer: $0.bearerToken)
    }
    router.group(cache: .noStore, authenticate: administrator) { admin in
      admin.add(.post, "/api/admin/users/{id}/revoke", adminRevoke)
      admin.add(.get, "/api/admin/audit", audit)
    }
  }

  func adminRevoke(_ request: Request, admin: Administrator) throws -> Response {
    guard let id = request.parameters["id"].flatMap(UUID.init(uuidString:)) else { throw AuthError.notFound }
    try service.adminRevoke(user: id, by: admin, client: client(request))
    return Response.noContent()
  }

  func audit(_ request: Request, admin: Administrator) throws -> Response {
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
        time: Timestamp.iso8601($0.time), type: $0.type.rawValue, user_id: $0.userID?.uuidString.lowercased(),
        session_id: $0.sessionID?.uuidString.lowercased(), ip: $0.ip)
    }
    return Response.json(200, AuditBody(events: events))
  }
}
