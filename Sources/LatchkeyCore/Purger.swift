import Foundation
import LatchkeyPostgres

/// Deletes dead rows in small batches (`FOR UPDATE SKIP LOCKED`, so several
/// instances share the work without blocking each other or live requests).
/// A session is kept while an access token of it could still be presented,
/// which is harmless anyway: a missing session reads as revoked.
public final class Purger: @unchecked Sendable {
  private let pool: PostgresPool
  private let accessTTL: Double
  private let interval: Double
  private let batch: Int
  private let logger: Logger
  private let condition = NSCondition()
  private var stopped = false

  public init(pool: PostgresPool, accessTTL: Int64, interval: Double = 60, batch: Int = 500, logger: Logger) {
    self.pool = pool
    self.accessTTL = Double(accessTTL)
    self.interval = interval
    self.batch = batch
    self.logger = logger
  }

  public func start() {
    let thread = Thread { [self] in
      while waitForNextRound() {
        do {
          let removed = try purgeOnce(now: Date().timeIntervalSince1970)
          if removed > 0 { logger.log("info", "purged expired rows", [("rows", String(removed))]) }
        } catch {
          logger.log("warn", "purge failed", [("error", String(describing: error))])
        }
      }
    }
    thread.name = "latchkey-purger"
    thread.start()
  }

  public func stop() {
    condition.lock()
    stopped = true
    condition.broadcast()
    condition.unlock()
  }

  private func waitForNextRound() -> Bool {
    condition.lock()
    defer { condition.unlock() }
    let deadline = Date().addingTimeInterval(interval)
    while !stopped && condition.wait(until: deadline) {}
    return !stopped
  }

  /// One batch of each kind; returns how many rows went.
  @discardableResult
  public func purgeOnce(now: Double) throws -> Int {
    let keepUntil = now - accessTTL - 60
    let statements: [(String, [PostgresBind])] = [
      (
        """
        delete from sessions where id in (
          select id from sessions
          where (revoked_at is not null and revoked_at < to_timestamp($1)) or absolute_expires_at < to_timestamp($1)
          limit $2 for update skip locked)
        """, [.double(keepUntil), .int(Int64(batch))]
      ),
      (
        """
        delete from refresh_tokens where id in (
          select id from refresh_tokens where expires_at < to_timestamp($1) limit $2 for update skip locked)
        """, [.double(keepUntil), .int(Int64(batch))]
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
    ]
    var removed = 0
    for (sql, binds) in statements {
      removed += try pool.withConnection { try $0.query(sql, binds).affectedRows }
    }
    return removed
  }
}
