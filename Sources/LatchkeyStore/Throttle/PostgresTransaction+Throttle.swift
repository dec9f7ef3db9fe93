import LatchkeyDomain
import LatchkeyPostgres

extension PostgresTransaction: ThrottleStore {
  private static let columns =
    "failures, extract(epoch from window_started_at)::float8 as window_started_at"

  public func throttleCounter(_ key: String) throws -> ThrottleCounter? {
    try db.query("select \(Self.columns) from login_throttle where key = $1", [.text(key)])
      .rows.first.flatMap(Self.counter)
  }

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
