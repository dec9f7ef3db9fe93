import Foundation
import LatchkeyPostgres

/// SQL for the `users` table. Every method runs on a connection the caller
/// owns, so it can join the caller's transaction.
struct UserStore {
  static func emailKey(_ email: String) -> String {
    email.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
  }

  /// Inserts a user; false when the email is taken (checked by the unique key,
  /// so two concurrent registrations cannot both win).
  static func insert(_ user: User, on db: PostgresConnection, now: Double) throws -> Bool {
    let result = try db.query(
      """
      insert into users (id, email, email_key, password_hash, role, created_at, updated_at)
      values ($1::uuid, $2, $3, $4, $5, to_timestamp($6), to_timestamp($6))
      on conflict (email_key) do nothing
      """,
      [
        .uuid(user.id), .text(user.email), .text(emailKey(user.email)), .text(user.passwordHash),
        .text(user.role),
        .double(now),
      ])
    return result.affectedRows == 1
  }

  static func find(email: String, on db: PostgresConnection) throws -> User? {
    try db.query(
      "select id, email, role, password_hash from users where email_key = $1", [.text(emailKey(email))]
    ).rows.first.flatMap(user)
  }

  static func find(id: UUID, on db: PostgresConnection, forUpdate: Bool = false) throws -> User? {
    let sql =
      forUpdate
      ? "select id, email, role, password_hash from users where id = $1::uuid for update"
      : "select id, email, role, password_hash from users where id = $1::uuid"
    return try db.query(sql, [.uuid(id)]).rows.first.flatMap(user)
  }

  static func updatePasswordHash(_ userID: UUID, hash: String, on db: PostgresConnection, now: Double) throws
  {
    _ = try db.query(
      "update users set password_hash = $2, updated_at = to_timestamp($3) where id = $1::uuid",
      [.uuid(userID), .text(hash), .double(now)])
  }

  /// Moves "tokens valid after" to now: every access token issued in an
  /// earlier second is refused from here on.
  static func invalidateTokens(of userID: UUID, on db: PostgresConnection, now: Double) throws {
    _ = try db.query(
      """
      with moved as (
        update users set tokens_valid_after = greatest(tokens_valid_after, to_timestamp($2)),
          updated_at = to_timestamp($2) where id = $1::uuid
        returning id, extract(epoch from tokens_valid_after)::float8 as cutoff
      )
      select pg_notify('\(SessionStore.channel)', 'u:' || id::text || ':' || cutoff::text) from moved
      """,
      [.uuid(userID), .double(now)])
  }

  private static func user(_ row: PostgresRow) -> User? {
    guard let id = row.uuid(0), let email = row.string(1), let role = row.string(2), let hash = row.string(3)
    else { return nil }
    return User(id: id, email: email, role: role, passwordHash: hash)
  }
}
