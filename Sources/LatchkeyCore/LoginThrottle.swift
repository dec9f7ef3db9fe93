import Foundation
import LatchkeyPostgres

/// Failed-login counters in PostgreSQL (shared by every instance), per
/// account and per client address, in fixed windows. An account's lock slows
/// only that account; an address's lock only that address.
struct LoginThrottle: Sendable {
  let maxPerAccount: Int
  let maxPerAddress: Int
  let window: Double

  static func accountKey(_ emailKey: String) -> String { "account:" + emailKey }
  static func addressKey(_ ip: String) -> String { "address:" + ip }

  /// Seconds until the caller may try again, or nil if not throttled.
  func retryAfter(account: String, address: String, now: Double, on db: PostgresConnection) throws -> Int? {
    let rows = try db.query(
      "select key, failures, extract(epoch from window_started_at)::float8 from login_throttle where key in ($1, $2)",
      [.text(account), .text(address)]
    ).rows
    var wait: Double = 0
    for row in rows {
      guard let key = row.string(0), let failures = row.int(1), let started = row.double(2) else { continue }
      let limit = key == account ? maxPerAccount : maxPerAddress
      let ends = started + window
      if failures >= limit && ends > now { wait = max(wait, ends - now) }
    }
    return wait > 0 ? Int(wait.rounded(.up)) : nil
  }

  func recordFailure(account: String, address: String, now: Double, on db: PostgresConnection) throws {
    for key in [account, address] {
      _ = try db.query(
        """
        insert into login_throttle (key, failures, window_started_at) values ($1, 1, to_timestamp($2))
        on conflict (key) do update set
          failures = case when login_throttle.window_started_at <= to_timestamp($2) - make_interval(secs => $3)
                          then 1 else login_throttle.failures + 1 end,
          window_started_at = case when login_throttle.window_started_at <= to_timestamp($2) - make_interval(secs => $3)
                          then to_timestamp($2) else login_throttle.window_started_at end
        """,
        [.text(key), .double(now), .double(window)])
    }
  }

  func reset(account: String, on db: PostgresConnection) throws {
    _ = try db.query("delete from login_throttle where key = $1", [.text(account)])
  }
}
