import FoundationEssentials
import LatchkeyConcurrency
import LatchkeyDomain
import LatchkeyStore

/// Deletes dead rows in small batches, once a minute, on the injected clock.
public final class Purger: BackgroundService {
  private let store: PostgresStore
  private let accessTTL: Double
  private let interval: Double
  private let batch: Int
  private let clock: any WallClock
  private let logger: Logger
  private let ticker = Ticker()

  public let name = "purger"

  public init(
    store: PostgresStore, accessTTL: Int64, clock: any WallClock, interval: Double = 60, batch: Int = 500,
    logger: Logger
  ) {
    self.store = store
    self.accessTTL = Double(accessTTL)
    self.clock = clock
    self.interval = interval
    self.batch = batch
    self.logger = logger
  }

  public func start() {
    NativeThread.start(name: "lk-purger") { [self] in
      while ticker.wait(seconds: interval) {
        do {
          let removed = try purgeUntilCaughtUp()
          if removed > 0 { logger.info("purged expired rows", ["rows": String(removed)]) }
        } catch {
          logger.warning("purge failed", ["error": String(describing: error)])
        }
      }
    }
  }

  public func stop() { ticker.stop() }

  /// Batches until a round comes back short of a full batch or `budget`
  /// seconds have passed, so a backlog (more rows expiring per minute than
  /// one batch) is worked off instead of growing; small batches keep each
  /// delete's locks short.
  @discardableResult
  public func purgeUntilCaughtUp(budget: Double = 10) throws -> Int {
    let deadline = Date().addingTimeInterval(budget)
    var total = 0
    while true {
      let removed = try purgeOnce()
      total += removed
      if removed < batch || Date() >= deadline { return total }
    }
  }

  /// One batch of each kind; returns how many rows went. A session is kept
  /// while an access token of it could still be presented.
  @discardableResult
  public func purgeOnce() throws -> Int {
    let now = clock.now()
    return try store.purgeExpired(now: now, keepSessionsUntil: now - accessTTL - 60, batch: batch)
  }
}
