import FoundationEssentials
import LatchkeyDomain
import LatchkeyPostgres

extension PostgresTransaction: AuditStore {
  public func recordAudit(_ event: AuditEvent) throws {
    _ = try db.query(
      """
      insert into audit_events (time, type, user_id, session_id, ip)
      values (to_timestamp($1), $2, $3::uuid, $4::uuid, $5)
      """,
      [
        .double(event.time), .text(event.type.rawValue), event.userID.map { .uuid($0) } ?? .null,
        event.sessionID.map { .uuid($0) } ?? .null, .text(event.ip),
      ])
  }

  public func auditEvents(of user: UUID?, limit: Int) throws -> [AuditEvent] {
    let columns = "extract(epoch from time)::float8 as time, type, user_id, session_id, ip"
    let result =
      if let user {
        try db.query(
          "select \(columns) from audit_events where user_id = $1::uuid order by id desc limit $2",
          [.uuid(user), .int(Int64(limit))])
      } else {
        try db.query("select \(columns) from audit_events order by id desc limit $1", [.int(Int64(limit))])
      }
    return try result.rows.map { row in
      guard let type = row.string("type").flatMap(AuditType.init(rawValue:)) else {
        throw UnexpectedRow(what: "audit event type")
      }
      return AuditEvent(
        time: row.double("time") ?? 0, type: type, userID: row.uuid("user_id"),
        sessionID: row.uuid("session_id"),
        ip: row.string("ip") ?? "")
    }
  }
}
