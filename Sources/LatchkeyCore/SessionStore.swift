import Foundation
import LatchkeyPostgres

/// SQL for sessions (token families), their refresh tokens and the access
/// token denylist. Callers own the connection and the transaction.
struct SessionStore {
  /// Revocations are announced on this channel (delivered at commit) so other
  /// instances' revocation views learn of them.
  static let channel = "latchkey_revocations"

  static func createSession(
    id: UUID, userID: UUID, client: ClientInfo, now: Double, absoluteExpiry: Double, on db: PostgresConnection
  ) throws {
    _ = try db.query(
      """
      insert into sessions (id, user_id, created_at, last_used_at, absolute_expires_at, user_agent, ip)
      values ($1::uuid, $2::uuid, to_timestamp($3), to_timestamp($3), to_timestamp($4), $5, $6)
      """,
      [
        .uuid(id), .uuid(userID), .double(now), .double(absoluteExpiry), .text(client.userAgent),
        .text(client.ip),
      ])
  }

  @discardableResult
  static func insertRefreshToken(
    session: UUID, hash: [UInt8], parent: Int64?, issuedAt: Double, expiresAt: Double,
    on db: PostgresConnection
  ) throws -> Int64 {
    let result = try db.query(
      """
      insert into refresh_tokens (session_id, token_hash, parent_id, issued_at, expires_at)
      values ($1::uuid, $2::bytea, $3::bigint, to_timestamp($4), to_timestamp($5)) returning id
      """,
      [.uuid(session), .bytes(hash), parent.map { .int($0) } ?? .null, .double(issuedAt), .double(expiresAt)])
    guard let id = result.rows.first?.int(0) else { throw StoreError.unexpected("refresh token id") }
    return id
  }

  struct LockedToken {
    var id: Int64
    var sessionID: UUID
    var userID: UUID
    var successorID: Int64?
    var successorExpiresAt: Double?
    var role: String
    var email: String
    var state: PresentedToken
  }

  /// Finds a token by its hash and locks its session row, so every refresh,
  /// logout and revocation of one family is serialised. Two statements on
  /// purpose: under READ COMMITTED a `FOR UPDATE` that waited re-checks only
  /// the locked row, and a join in the same statement would still show the
  /// token as it was before the winner rotated it. The read after the lock
  /// takes a fresh snapshot and sees the winner's commit.
  static func lockToken(hash: [UInt8], on db: PostgresConnection) throws -> LockedToken? {
    let locked = try db.query(
      """
      select s.id from sessions s
      where s.id = (select session_id from refresh_tokens where token_hash = $1::bytea)
      for update
      """,
      [.bytes(hash)])
    guard !locked.rows.isEmpty else { return nil }
    let result = try db.query(
      """
      select t.id, t.session_id, s.user_id, t.successor_id,
        extract(epoch from t.expires_at)::float8, extract(epoch from t.used_at)::float8,
        s.revoked_at is not null, extract(epoch from s.absolute_expires_at)::float8,
        succ.used_at is not null, extract(epoch from succ.expires_at)::float8, u.role, u.email
      from refresh_tokens t
      join sessions s on s.id = t.session_id
      join users u on u.id = s.user_id
      left join refresh_tokens succ on succ.id = t.successor_id
      where t.token_hash = $1::bytea
      """,
      [.bytes(hash)])
    guard let row = result.rows.first, let id = row.int(0), let sessionID = row.uuid(1),
      let userID = row.uuid(2)
    else { return nil }
    let state = PresentedToken(
      expiresAt: row.double(4) ?? 0, usedAt: row.double(5), successorUsed: row.bool(8) ?? false,
      sessionRevoked: row.bool(6) ?? true, sessionExpiresAt: row.double(7) ?? 0)
    return LockedToken(
      id: id, sessionID: sessionID, userID: userID, successorID: row.int(3),
      successorExpiresAt: row.double(9),
      role: row.string(10) ?? "user", email: row.string(11) ?? "", state: state)
  }

  static func markRotated(token: Int64, successor: Int64, now: Double, on db: PostgresConnection) throws {
    _ = try db.query(
      "update refresh_tokens set used_at = to_timestamp($2), successor_id = $3 where id = $1",
      [.int(token), .double(now), .int(successor)])
  }

  static func touch(session: UUID, now: Double, on db: PostgresConnection) throws {
    _ = try db.query(
      "update sessions set last_used_at = to_timestamp($2) where id = $1::uuid",
      [.uuid(session), .double(now)])
  }

  /// Revokes live sessions matching the filter and returns their ids.
  /// `pg_notify` rides in the same transaction: delivered only if it commits.
  static func revoke(
    _ filter: SessionFilter, reason: RevocationReason, now: Double, on db: PostgresConnection
  ) throws -> [UUID] {
    let (condition, binds): (String, [PostgresBind]) =
      switch filter {
      case .session(let id): ("id = $3::uuid", [.uuid(id)])
      case .user(let id): ("user_id = $3::uuid", [.uuid(id)])
      case .userExcept(let id, let keep): ("user_id = $3::uuid and id <> $4::uuid", [.uuid(id), .uuid(keep)])
      case .ownedSession(let id, let owner):
        ("id = $3::uuid and user_id = $4::uuid", [.uuid(id), .uuid(owner)])
      }
    let result = try db.query(
      """
      with revoked as (
        update sessions set revoked_at = to_timestamp($1), revoked_reason = $2
        where revoked_at is null and \(condition) returning id
      )
      select id, pg_notify('\(channel)', 's:' || id::text) from revoked
      """,
      [.double(now), .text(reason.rawValue)] + binds)
    return result.rows.compactMap { $0.uuid(0) }
  }

  enum SessionFilter {
    case session(UUID)
    case user(UUID)
    case userExcept(UUID, keep: UUID)
    case ownedSession(UUID, owner: UUID)
  }

  /// Revokes the least recently used live sessions beyond `limit`, never
  /// `keep` (the session the login just created): its timestamps come from
  /// the start of the login, so a concurrent login that committed first can
  /// look newer, and the new session must not be the one evicted.
  static func enforceLimit(userID: UUID, keep: UUID, limit: Int, now: Double, on db: PostgresConnection)
    throws -> [UUID]
  {
    let result = try db.query(
      """
      with excess as (
        select id from sessions where user_id = $1::uuid and revoked_at is null
          and absolute_expires_at > to_timestamp($2) and id <> $4::uuid
        order by last_used_at desc, created_at desc offset $3
      ), revoked as (
        update sessions set revoked_at = to_timestamp($2), revoked_reason = 'session_limit'
        where id in (select id from excess) returning id
      )
      select id, pg_notify('\(channel)', 's:' || id::text) from revoked
      """,
      [.uuid(userID), .double(now), .int(Int64(max(0, limit - 1))), .uuid(keep)])
    return result.rows.compactMap { $0.uuid(0) }
  }

  static func denylist(jti: String, expiresAt: Double, on db: PostgresConnection) throws {
    _ = try db.query(
      """
      with added as (
        insert into access_token_denylist (jti, expires_at) values ($1, to_timestamp($2))
        on conflict (jti) do nothing returning jti
      )
      select pg_notify('\(channel)', 'j:' || jti || ':' || ($2::float8)::text) from added
      """,
      [.text(jti), .double(expiresAt)])
  }

  static func liveSessions(userID: UUID, now: Double, on db: PostgresConnection) throws -> [SessionInfo] {
    try db.query(
      """
      select id, extract(epoch from created_at)::float8, extract(epoch from last_used_at)::float8, user_agent, ip
      from sessions
      where user_id = $1::uuid and revoked_at is null and absolute_expires_at > to_timestamp($2)
        and exists (select 1 from refresh_tokens t where t.session_id = sessions.id and t.used_at is null
                    and t.expires_at > to_timestamp($2))
      order by created_at desc, id
      """,
      [.uuid(userID), .double(now)]
    ).rows.compactMap { row in
      guard let id = row.uuid(0) else { return nil }
      return SessionInfo(
        id: id, createdAt: row.double(1) ?? 0, lastUsedAt: row.double(2) ?? 0, userAgent: row.string(3) ?? "",
        ip: row.string(4) ?? "")
    }
  }

  /// The revocation facts for one access token: whether its session is gone
  /// or revoked, whether its jti is denylisted, and the user's cut-off.
  static func accessTokenStatus(
    session: UUID, user: UUID, jti: String, on db: PostgresConnection
  ) throws -> (sessionLive: Bool, denylisted: Bool, tokensValidAfter: Double) {
    let result = try db.query(
      """
      select
        exists (select 1 from sessions where id = $1::uuid and user_id = $2::uuid and revoked_at is null),
        exists (select 1 from access_token_denylist where jti = $3),
        coalesce((select extract(epoch from tokens_valid_after)::float8 from users where id = $2::uuid), 'Infinity')
      """,
      [.uuid(session), .uuid(user), .text(jti)])
    guard let row = result.rows.first else { throw StoreError.unexpected("token status") }
    return (row.bool(0) ?? false, row.bool(1) ?? true, row.double(2) ?? .infinity)
  }
}

enum StoreError: Error, CustomStringConvertible {
  case unexpected(String)
  var description: String {
    switch self {
    case .unexpected(let what): return "store: unexpected result reading \(what)"
    }
  }
}
