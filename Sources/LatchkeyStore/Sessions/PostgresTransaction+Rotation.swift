import FoundationEssentials
import LatchkeyDomain
import LatchkeyPostgres

/// The one-statement rotation of a family's current refresh token.
extension PostgresTransaction {
  /// Why one statement is enough, under READ COMMITTED:
  ///
  /// - `live` locks the session row first (`for no key update`, the lock its
  ///   own `touch` needs anyway), in the same order as the locked path
  ///   (`lockRefreshToken` locks the session, then writes its tokens), so the
  ///   two never deadlock. A logout, reuse or revocation holding that lock
  ///   either commits first, and the lock, once granted, re-checks
  ///   `revoked_at is null` on the committed row and finds nothing, or waits
  ///   for this statement: a rotation never lands in a revoked session.
  /// - `used` is the compare-and-set. A concurrent rotation of the same token
  ///   that committed first makes it re-check `used_at is null` on the newest
  ///   row version and update nothing; the successor, its id drawn here, is
  ///   inserted only from `used`'s RETURNING and the session touched only
  ///   from it, so a loser writes nothing and answers no row.
  /// - One statement commits or rolls back as a whole: nothing half-written.
  /// - The holder's condition is part of `live`: another holder's token
  ///   matches no row, so it is refused exactly like an unknown one.
  public func rotateIfCurrent(
    hash: [UInt8], successorHash: [UInt8], now: Double, refreshTTL: Double, holder: RefreshHolder
  ) throws -> RotatedToken? {
    let (_, holderBinds) = holder.condition(firstBind: 5)
    let sql: String
    switch holder {
    case .browser: sql = Self.browserRotationSQL
    case .client: sql = Self.clientRotationSQL
    }
    let result = try db.query(
      sql, [.bytes(hash), .bytes(successorHash), .double(now), .double(refreshTTL)] + holderBinds)
    guard let row = result.rows.first else { return nil }
    guard let sessionID = row.uuid("session_id"), let userID = row.uuid("user_id"),
      let expiresAt = row.double("successor_expires_at")
    else { throw UnexpectedRow(what: "rotated refresh token") }
    return RotatedToken(
      sessionID: sessionID, userID: userID, role: Role(row.string("role") ?? "user"),
      email: row.string("email") ?? "", successorExpiresAt: expiresAt, kind: try SessionKind(row: row))
  }

  /// The statement's text per kind of holder, built once: building it and
  /// then hashing it for the prepared-statement cache was ~10,000
  /// instructions a refresh. The holder's condition names no id (a
  /// client's id is bind $5), so any client gives the same text.
  private static let browserRotationSQL = rotationSQL(holds: RefreshHolder.browser.condition(firstBind: 5).0)
  private static let clientRotationSQL = rotationSQL(
    holds: RefreshHolder.client(UUID()).condition(firstBind: 5).0)

  private static func rotationSQL(holds: String) -> String {
    """
    with live as (
      select s.id, s.user_id, s.absolute_expires_at, \(SessionKind.columns)
      from refresh_tokens t join sessions s on s.id = t.session_id
      where t.token_hash = $1::bytea and t.used_at is null and t.expires_at > to_timestamp($3::float8)
        and s.revoked_at is null and s.absolute_expires_at > to_timestamp($3::float8) and \(holds)
      for no key update of s
    ),
    used as (
      update refresh_tokens t
      set used_at = to_timestamp($3::float8), successor_id = nextval('refresh_tokens_id_seq'::regclass)
      from live
      where t.token_hash = $1::bytea and t.session_id = live.id
        and t.used_at is null and t.expires_at > to_timestamp($3::float8)
      returning t.id, t.session_id, t.successor_id, live.user_id, live.kind, live.client_id, live.scopes,
        least(to_timestamp($3::float8 + $4::float8), live.absolute_expires_at) as successor_expires_at
    ),
    successor as (
      insert into refresh_tokens (id, session_id, token_hash, parent_id, issued_at, expires_at)
      select successor_id, session_id, $2::bytea, id, to_timestamp($3::float8), successor_expires_at from used
      returning id
    ),
    touched as (
      update sessions set last_used_at = to_timestamp($3::float8)
      from used where sessions.id = used.session_id
      returning sessions.id
    )
    select used.session_id, used.user_id, u.role, u.email, used.kind, used.client_id, used.scopes,
      extract(epoch from used.successor_expires_at)::float8 as successor_expires_at
    from used join users u on u.id = used.user_id
    """
  }
}
