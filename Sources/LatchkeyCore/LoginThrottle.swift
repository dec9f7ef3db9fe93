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

  /// Adds one failure to `key`'s window (starting a new window when the old
  /// one is over) and returns the count and the window's start. The upsert
  /// locks the row, so concurrent callers are counted one after another.
  func countFailure(_ key: String, now: Double, on db: PostgresConnection) throws -> (Int64, Double) {
    let row = try db.query(
      """
      insert into login_throttle (key, failures, window_started_at) values ($1, 1, to_timestamp($2))
      on conflict (key) do update set
        failures = case when login_throttle.window_started_at <= to_timestamp($2) - make_interval(secs => $3)
                        then 1 else login_throttle.failures + 1 end,
        window_started_at = case when login_throttle.window_started_at <= to_timestamp($2) - make_interval(secs => $3)
                        then to_timestamp($2) else login_throttle.window_started_at end
      returning failures, extract(epoch from window_started_at)::float8
      """,
      [.text(key), .double(now), .double(window)]
    ).rows.first
    guard let failures = row?.int(0), let started = row?.double(1) else {
      throw StoreError.unexpected("login throttle")
    }
    return (failures, started)
  }

  /// The login check: the address's lock is read, and the attempt is counted
  /// against the account before its password is checked, in the same
  /// row-locking upsert that reads the count, so concurrent guesses cannot
  /// all pass a check made before any of them was recorded (the account
  /// limit is the one NIST bounds). Returns the seconds to wait when
  /// throttled; the caller then rolls back, so a refused attempt counts
  /// nothing. A success resets the account; an attempt without a verdict is
  /// given back with `giveBack`.
  func reserve(account: String, address: String, now: Double, on db: PostgresConnection) throws -> Int? {
    var wait: Double = 0
    let addressRow = try db.query(
      "select failures, extract(epoch from window_started_at)::float8 from login_throttle where key = $1",
      [.text(address)]
    ).rows.first
    if let failures = addressRow?.int(0), let started = addressRow?.double(1),
      failures >= maxPerAddress, started + window > now
    {
      wait = started + window - now
    }
    let (failures, started) = try countFailure(account, now: now, on: db)
    if failures > maxPerAccount { wait = max(wait, started + window - now, 1) }
    return wait > 0 ? Int(wait.rounded(.up)) : nil
  }

  /// Takes back one counted attempt of `key` (one that reached no verdict).
  func giveBack(_ key: String, on db: PostgresConnection) throws {
    _ = try db.query(
      "update login_throttle set failures = greatest(failures - 1, 0) where key = $1", [.text(key)])
  }

  func reset(account: String, on db: PostgresConnection) throws {
    _ = try db.query("delete from login_throttle where key = $1", [.text(account)])
  }
}
