import FoundationEssentials
import LatchkeyDomain
import LatchkeyPostgres

/// Sessions (token families), their refresh tokens and the access-token
/// denylist.
extension PostgresTransaction: SessionStore {
  public func createSession(
    id: UUID, user: UUID, kind: SessionKind, client: ClientInfo, now: Double, absoluteExpiry: Double
  ) throws {
    _ = try db.query(
      """
      insert into sessions (
        id, user_id, created_at, last_used_at, absolute_expires_at, user_agent, ip, kind, client_id, scopes)
      values ($1::uuid, $2::uuid, to_timestamp($3), to_timestamp($3), to_timestamp($4), $5, $6, $7, $8::uuid,
        string_to_array($9, ' '))
      """,
      [
        .uuid(id), .uuid(user), .double(now), .double(absoluteExpiry), .text(client.userAgent),
        .text(client.ip),
      ] + kind.binds)
  }

  /// One statement, so all or nothing: the token and the audit event read
  /// the session's id from its insert, and the count runs on the statement's
  /// snapshot, which cannot see the new session (hence the one added). It is
  /// taken after the caller's user row lock, so it sees every session a
  /// concurrent login of the same user committed before.
  public func openSession(_ opening: SessionOpening) throws -> Int {
    let result = try db.query(
      Self.openSessionSQL,
      [
        .uuid(opening.id), .uuid(opening.user), .double(opening.now), .double(opening.absoluteExpiry),
        .text(opening.client.userAgent), .text(opening.client.ip),
      ] + opening.kind.binds + [
        .bytes(opening.refreshHash), .double(opening.refreshExpiry),
        opening.audit.map { .text($0.rawValue) } ?? .null, opening.clearing.map { .text($0) } ?? .null,
      ])
    guard let live = result.rows.first?.int("live") else { throw UnexpectedRow(what: "live session count") }
    return Int(live)
  }

  private static let openSessionSQL = """
    with session as (
      insert into sessions (
        id, user_id, created_at, last_used_at, absolute_expires_at, user_agent, ip, kind, client_id, scopes)
      values ($1::uuid, $2::uuid, to_timestamp($3::float8), to_timestamp($3::float8), to_timestamp($4::float8),
        $5, $6::text, $7, $8::uuid, string_to_array($9, ' '))
      returning id
    ),
    token as (
      insert into refresh_tokens (session_id, token_hash, parent_id, issued_at, expires_at)
      select id, $10::bytea, null, to_timestamp($3::float8), to_timestamp($11::float8) from session
    ),
    audit as (
      insert into audit_events (time, type, user_id, session_id, ip)
      select to_timestamp($3::float8), $12::text, $2::uuid, id, $6::text from session where $12::text is not null
    ),
    cleared as (
      delete from login_throttle where key = $13::text
    )
    select 1 + count(*) as live from sessions
    where user_id = $2::uuid and revoked_at is null and absolute_expires_at > to_timestamp($3::float8)
    """

  public func insertRefreshToken(
    session: UUID, hash: [UInt8], parent: Int64?, issuedAt: Double, expiresAt: Double
  )
    throws -> Int64
  {
    let result = try db.query(
      """
      insert into refresh_tokens (session_id, token_hash, parent_id, issued_at, expires_at)
      values ($1::uuid, $2::bytea, $3::bigint, to_timestamp($4), to_timestamp($5)) returning id
      """,
      [.uuid(session), .bytes(hash), parent.map { .int($0) } ?? .null, .double(issuedAt), .double(expiresAt)])
    guard let id = result.rows.first?.int("id") else { throw UnexpectedRow(what: "refresh token id") }
    return id
  }

  /// Two statements on purpose: under READ COMMITTED a `FOR UPDATE` that
  /// waited re-checks only the locked row, and a join in the same statement
  /// would still show the token as it was before the winner rotated it. The
  /// read after the lock takes a fresh snapshot and sees the winner's commit.
  public func lockRefreshToken(hash: [UInt8]) throws -> LockedRefreshToken? {
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
        extract(epoch from t.expires_at)::float8 as expires_at,
        extract(epoch from t.used_at)::float8 as used_at,
        s.revoked_at is not null as session_revoked,
        extract(epoch from s.absolute_expires_at)::float8 as session_expires_at,
        succ.used_at is not null as successor_used,
        extract(epoch from succ.expires_at)::float8 as successor_expires_at,
        u.role, u.email, \(SessionKind.columns)
      from refresh_tokens t
      join sessions s on s.id = t.session_id
      join users u on u.id = s.user_id
      left join refresh_tokens succ on succ.id = t.successor_id
      where t.token_hash = $1::bytea
      """,
      [.bytes(hash)])
    guard let row = result.rows.first, let id = row.int("id"), let sessionID = row.uuid("session_id"),
      let userID = row.uuid("user_id"), let expiresAt = row.double("expires_at"),
      let sessionExpiresAt = row.double("session_expires_at")
    else { return nil }
    let state = PresentedToken(
      expiresAt: expiresAt, usedAt: row.double("used_at"), successorUsed: row.bool("successor_used") ?? false,
      sessionRevoked: row.bool("session_revoked") ?? true, sessionExpiresAt: sessionExpiresAt)
    return LockedRefreshToken(
      id: id, sessionID: sessionID, userID: userID, successorID: row.int("successor_id"),
      successorExpiresAt: row.double("successor_expires_at"), role: Role(row.string("role") ?? "user"),
      email: row.string("email") ?? "", state: state, kind: try SessionKind(row: row))
  }

  public func findLiveToken(hash: [UInt8], now: Double) throws -> LiveToken? {
    let result = try db.query(
      """
      select t.session_id, s.user_id, u.email, u.role, \(SessionKind.columns),
        extract(epoch from least(t.expires_at, s.absolute_expires_at))::float8 as expires_at
      from refresh_tokens t
      join sessions s on s.id = t.session_id
      join users u on u.id = s.user_id
      where t.token_hash = $1::bytea and t.used_at is null and t.expires_at > to_timestamp($2)
        and s.revoked_at is null and s.absolute_expires_at > to_timestamp($2)
      """,
      [.bytes(hash), .double(now)])
    guard let row = result.rows.first else { return nil }
    guard let sessionID = row.uuid("session_id"), let userID = row.uuid("user_id"),
      let expiresAt = row.double("expires_at")
    else { throw UnexpectedRow(what: "live token") }
    return LiveToken(
      sessionID: sessionID, userID: userID, email: row.string("email") ?? "",
      role: Role(row.string("role") ?? "user"), kind: try SessionKind(row: row), expiresAt: expiresAt)
  }

  public func markRotated(token: Int64, successor: Int64, now: Double) throws {
    _ = try db.query(
      "update refresh_tokens set used_at = to_timestamp($2), successor_id = $3 where id = $1",
      [.int(token), .double(now), .int(successor)])
  }

  public func touchSession(_ session: UUID, now: Double) throws {
    _ = try db.query(
      "update sessions set last_used_at = to_timestamp($2) where id = $1::uuid",
      [.uuid(session), .double(now)])
  }

  public func isSessionLive(_ session: UUID, now: Double) throws -> Bool {
    try db.query(
      """
      select exists (select 1 from sessions
        where id = $1::uuid and revoked_at is null and absolute_expires_at > to_timestamp($2)) as live
      """,
      [.uuid(session), .double(now)]
    ).rows.first?.bool("live") ?? false
  }

  public func revokeSessions(_ filter: SessionFilter, reason: RevocationReason, now: Double) throws -> [UUID]
  {
    let (condition, binds): (String, [PostgresBind]) =
      switch filter {
      case .session(let id): ("id = $3::uuid", [.uuid(id)])
      case .sessions(let ids):
        (
          "id = any(string_to_array($3, ',')::uuid[])",
          [.text(ids.map { $0.uuidString }.joined(separator: ","))]
        )
      case .user(let id): ("user_id = $3::uuid", [.uuid(id)])
      case .userExcept(let id, let keep): ("user_id = $3::uuid and id <> $4::uuid", [.uuid(id), .uuid(keep)])
      case .ownedSession(let id, let owner):
        ("id = $3::uuid and user_id = $4::uuid", [.uuid(id), .uuid(owner)])
      case .client(let id): ("client_id = $3::uuid", [.uuid(id)])
      }
    return try db.query(
      """
      update sessions set revoked_at = to_timestamp($1), revoked_reason = $2
      where revoked_at is null and \(condition) returning id
      """,
      [.double(now), .text(reason.rawValue)] + binds
    ).rows.compactMap { $0.uuid("id") }
  }

  public func cappedSessions(of user: UUID, now: Double) throws -> [CappedSession] {
    try db.query(
      """
      select id, extract(epoch from last_used_at)::float8 as last_used_at,
        extract(epoch from created_at)::float8 as created_at
      from sessions
      where user_id = $1::uuid and revoked_at is null and absolute_expires_at > to_timestamp($2)
      """,
      [.uuid(user), .double(now)]
    ).rows.compactMap { row in
      guard let id = row.uuid("id") else { return nil }
      return CappedSession(
        id: id, lastUsedAt: row.double("last_used_at") ?? 0, createdAt: row.double("created_at") ?? 0)
    }
  }

  public func liveSessions(of user: UUID, now: Double) throws -> [SessionInfo] {
    try db.query(
      """
      select id, extract(epoch from created_at)::float8 as created_at,
        extract(epoch from last_used_at)::float8 as last_used_at, user_agent, ip, client_id
      from sessions
      where user_id = $1::uuid and revoked_at is null and absolute_expires_at > to_timestamp($2)
        and exists (select 1 from refresh_tokens t where t.session_id = sessions.id and t.used_at is null
                    and t.expires_at > to_timestamp($2))
      order by created_at desc, id
      """,
      [.uuid(user), .double(now)]
    ).rows.compactMap { row in
      guard let id = row.uuid("id") else { return nil }
      return SessionInfo(
        id: id, createdAt: row.double("created_at") ?? 0, lastUsedAt: row.double("last_used_at") ?? 0,
        userAgent: row.string("user_agent") ?? "", ip: row.string("ip") ?? "", clientID: row.uuid("client_id")
      )
    }
  }

  public func denylist(jti: String, expiresAt: Double) throws -> Bool {
    try db.query(
      """
      insert into access_token_denylist (jti, expires_at) values ($1, to_timestamp($2))
      on conflict (jti) do nothing
      """,
      [.text(jti), .double(expiresAt)]
    ).affectedRows == 1
  }

  public func accessTokenStatus(session: UUID, user: UUID, jti: String) throws -> AccessTokenStatus {
    let result = try db.query(
      """
      select
        exists (select 1 from sessions where id = $1::uuid and user_id = $2::uuid and revoked_at is null)
          as session_live,
        exists (select 1 from access_token_denylist where jti = $3) as denylisted,
        coalesce((select extract(epoch from tokens_valid_after)::float8 from users where id = $2::uuid),
          'Infinity') as tokens_valid_after
      """,
      [.uuid(session), .uuid(user), .text(jti)])
    guard let row = result.rows.first else { throw UnexpectedRow(what: "token status") }
    // Unknown reads as revoked: fail closed.
    return AccessTokenStatus(
      sessionLive: row.bool("session_live") ?? false, denylisted: row.bool("denylisted") ?? true,
      tokensValidAfter: row.double("tokens_valid_after") ?? .infinity)
  }
}
