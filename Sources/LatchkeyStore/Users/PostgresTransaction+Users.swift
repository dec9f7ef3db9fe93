import FoundationEssentials
import LatchkeyDomain
import LatchkeyPostgres

extension PostgresTransaction: UserStore {
  private static let columns = "id, email, role, password_hash"

  public func insertUser(_ user: User, now: Double) throws -> Bool {
    let result = try db.query(
      """
      insert into users (id, email, email_key, password_hash, role, created_at, updated_at)
      values ($1::uuid, $2, $3, $4, $5, to_timestamp($6), to_timestamp($6))
      on conflict (email_key) do nothing
      """,
      [
        .uuid(user.id), .text(user.email), .text(User.emailKey(user.email)), .text(user.passwordHash),
        .text(user.role.rawValue), .double(now),
      ])
    return result.affectedRows == 1
  }

  public func findUser(emailKey: String) throws -> User? {
    try db.query("select \(Self.columns) from users where email_key = $1", [.text(emailKey)])
      .rows.first.flatMap(Self.user)
  }

  public func findUser(id: UUID, lock: Bool) throws -> User? {
    let sql = "select \(Self.columns) from users where id = $1::uuid" + (lock ? " for update" : "")
    return try db.query(sql, [.uuid(id)]).rows.first.flatMap(Self.user)
  }

  public func updatePasswordHash(of user: UUID, to hash: String, now: Double) throws {
    _ = try db.query(
      "update users set password_hash = $2, updated_at = to_timestamp($3) where id = $1::uuid",
      [.uuid(user), .text(hash), .double(now)])
  }

  public func invalidateTokens(of user: UUID, now: Double) throws -> Double? {
    try db.query(
      """
      update users set tokens_valid_after = greatest(tokens_valid_after, to_timestamp($2)),
        updated_at = to_timestamp($2) where id = $1::uuid
      returning extract(epoch from tokens_valid_after)::float8 as cutoff
      """,
      [.uuid(user), .double(now)]
    ).rows.first?.double("cutoff")
  }

  /// A user from a row with `columns` (nil when they are null: no account).
  static func user(_ row: PostgresRow) -> User? {
    guard let id = row.uuid("id"), let email = row.string("email"), let role = row.string("role"),
      let hash = row.string("password_hash")
    else { return nil }
    return User(id: id, email: email, role: Role(role), passwordHash: hash)
  }
}
