import Foundation
import LatchkeyPostgres

/// Security events, written in the same transaction as the change they
/// describe, so an event exists exactly when its change happened.
enum AuditLog {
  static func record(
    _ type: AuditType, user: UUID?, session: UUID?, ip: String, on db: PostgresConnection, now: Double
  ) throws {
    _ = try db.query(
      "insert into audit_events (time, type, user_id, session_id, ip) values (to_timestamp($1), $2, $3::uuid, $4::uuid, $5)",
      [
        .double(now), .text(type.rawValue), user.map { .uuid($0) } ?? .null,
        session.map { .uuid($0) } ?? .null,
        .text(ip),
      ])
  }

  static func events(for userID: UUID?, limit: Int, on db: PostgresConnection) throws -> [AuditEvent] {
    let columns = "extract(epoch from time)::float8, type, user_id, session_id, ip"
    let result =
      if let userID {
        try db.query(
          "select \(columns) from audit_events where user_id = $1::uuid order by id desc limit $2",
          [.uuid(userID), .int(Int64(limit))])
      } else {
        try db.query("select \(columns) from audit_events order by id desc limit $1", [.int(Int64(limit))])
      }
    return result.rows.map {
      AuditEvent(
        time: $0.double(0) ?? 0, type: $0.string(1) ?? "", userID: $0.uuid(2), sessionID: $0.uuid(3),
        ip: $0.string(4) ?? "")
    }
  }
}
