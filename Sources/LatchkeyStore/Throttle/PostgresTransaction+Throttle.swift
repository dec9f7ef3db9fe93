import LatchkeyDomain
import LatchkeyPostgres

extension PostgresTransaction: ThrottleStore {
  private static let columns =
    "failures, extract(epoch from window_started_at)::float8 as window_started_at"

  public func throttleCounter(_ key: String) throws -> ThrottleCounter? {
    try db.query("select \(Self.columns) from login_throttle where key = $1", [.text(key)])
      .rows.first.flatMap(Self.counter)
  }

  /// A left join from one row, so the answer has a row even when there is
  /// neither an account nor a counter; the user's columns repeat on each
  /// counter's row.
  public func findUser(emailKey: String, counters keys: [String]) throws -> (User?, [String: ThrottleCounter])
  {
    precondition(keys.count <= 3, "findUser(emailKey:counters:) reads at most three counters")
    let padded = keys.map { PostgresBind.text($0) } + Array(repeating: .null, count: 3 - keys.count)
    let rows = try db.query(Self.userAndCountersSQL, [.text(emailKey)] + padded).rows
    var counters: [String: ThrottleCounter] = [:]
    for row in rows {
      if let key = row.string("key"), let counter = Self.counter(row) { counters[key] = counter }
    }
    return (rows.first.flatMap(Self.user), counters)
  }

  private static let userAndCountersSQL = """
    select u.id, u.email, u.role, u.password_hash, t.key, t.failures,
      extract(epoch from t.window_started_at)::float8 as window_started_at
    from (values (1)) as one (x)
    left join users u on u.email_key = $1
    left join login_throttle t on t.key in ($2, $3, $4)
    """

  /// One statement, so all or nothing, and it needs no explicit
  /// transaction: each counter is inserted or, on conflict, updated under
  /// its row lock from its latest committed version, so concurrent
  /// failures all count. The window rule is `ThrottleWindow`'s, in SQL: a
  /// failure while the window runs (`started + length > now`, on the
  /// stored start read back as epoch seconds) adds one, any other opens a
  /// window of one at `now`. The rows lock budget first, then address, as
  /// before; a budget's key never equals an address's, so two attempts
  /// always lock the keys they share in the same order.
  public func recordLoginFailure(_ keys: LoginThrottle.Keys, throttle: LoginThrottle, audit: AuditEvent)
    throws
  {
    _ = try db.query(
      Self.failureSQL,
      [
        .text(keys.budget), .text(keys.address), .double(audit.time), .double(throttle.account.length),
        .double(throttle.address.length), .text(audit.type.rawValue), audit.userID.map { .uuid($0) } ?? .null,
        .text(audit.ip),
      ])
  }

  private static let failureSQL = """
    with counted as (
      insert into login_throttle as c (key, failures, window_started_at)
      values ($1::text, 1, to_timestamp($3::float8)), ($2::text, 1, to_timestamp($3::float8))
      on conflict (key) do update set
        failures = case
          when extract(epoch from c.window_started_at)::float8
            + (case when c.key = $1::text then $4::float8 else $5::float8 end) > $3::float8
          then c.failures + 1 else 1 end,
        window_started_at = case
          when extract(epoch from c.window_started_at)::float8
            + (case when c.key = $1::text then $4::float8 else $5::float8 end) > $3::float8
          then c.window_started_at else excluded.window_started_at end
      returning c.key
    )
    insert into audit_events (time, type, user_id, session_id, ip)
    values (to_timestamp($3::float8), $6, $7::uuid, null, $8)
    """

  public func lockThrottleCounter(_ key: String) throws -> ThrottleCounter? {
    // A row to lock even for the first failure; the epoch start reads as an
    // ended window, so the first failure opens a new one.
    _ = try db.query(
      """
      insert into login_throttle (key, failures, window_started_at) values ($1, 0, to_timestamp(0))
      on conflict (key) do nothing
      """, [.text(key)])
    return try db.query("select \(Self.columns) from login_throttle where key = $1 for update", [.text(key)])
      .rows.first.flatMap(Self.counter)
  }

  public func saveThrottleCounter(_ key: String, _ counter: ThrottleCounter) throws {
    _ = try db.query(
      """
      insert into login_throttle (key, failures, window_started_at) values ($1, $2, to_timestamp($3))
      on conflict (key) do update set failures = excluded.failures, window_started_at = excluded.window_started_at
      """,
      [.text(key), .int(Int64(counter.failures)), .double(counter.windowStartedAt)])
  }

  public func deleteThrottleCounter(_ key: String) throws {
    _ = try db.query("delete from login_throttle where key = $1", [.text(key)])
  }

  private static func counter(_ row: PostgresRow) -> ThrottleCounter? {
    guard let failures = row.int("failures"), let started = row.double("window_started_at") else {
      return nil
    }
    return ThrottleCounter(failures: Int(failures), windowStartedAt: started)
  }
}
