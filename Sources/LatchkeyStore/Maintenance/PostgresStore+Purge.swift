import LatchkeyPostgres

extension PostgresStore {
  /// Deletes one batch of each kind of dead row and returns how many went.
  /// `FOR UPDATE SKIP LOCKED`, so several instances share the work without
  /// blocking each other or live requests. A session is kept while an
  /// access token of it could still be presented (`keepSessionsUntil`);
  /// a missing session reads as revoked anyway.
  public func purgeExpired(now: Double, keepSessionsUntil: Double, batch: Int) throws -> Int {
    let statements: [(String, [PostgresBind])] = [
      (
        """
        delete from sessions where id in (
          select id from sessions
          where (revoked_at is not null and revoked_at < to_timestamp($1)) or absolute_expires_at < to_timestamp($1)
          limit $2 for update skip locked)
        """, [.double(keepSessionsUntil), .int(Int64(batch))]
      ),
      (
        """
        delete from refresh_tokens where id in (
          select id from refresh_tokens where expires_at < to_timestamp($1) limit $2 for update skip locked)
        """, [.double(keepSessionsUntil), .int(Int64(batch))]
      ),
      (
        """
        delete from access_token_denylist where jti in (
          select jti from access_token_denylist where expires_at < to_timestamp($1) limit $2 for update skip locked)
        """, [.double(now - 60), .int(Int64(batch))]
      ),
      (
        """
        delete from login_throttle where key in (
          select key from login_throttle where window_started_at < to_timestamp($1) limit $2 for update skip locked)
        """, [.double(now - 86400), .int(Int64(batch))]
      ),
      // Codes and device authorizations are kept an hour past expiry, so a
      // late replay or poll still finds them (and is told so, not "unknown").
      (
        """
        delete from authorization_codes where code_hash in (
          select code_hash from authorization_codes where expires_at < to_timestamp($1)
          limit $2 for update skip locked)
        """, [.double(now - 3600), .int(Int64(batch))]
      ),
      (
        """
        delete from device_authorizations where id in (
          select id from device_authorizations where expires_at < to_timestamp($1)
          limit $2 for update skip locked)
        """, [.double(now - 3600), .int(Int64(batch))]
      ),
    ]
    var removed = 0
    for (sql, binds) in statements {
      removed += try pool.withConnection { try $0.query(sql, binds).affectedRows }
    }
    return removed
  }
}
