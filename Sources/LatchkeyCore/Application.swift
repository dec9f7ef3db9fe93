import Foundation
import LatchkeyCrypto
import LatchkeyHTTP
import LatchkeyPostgres

/// The composition root: configuration in, a running service out.
public final class Application: @unchecked Sendable {
  public let config: Configuration
  public let logger: Logger
  public let metrics = Metrics()
  public let pool: PostgresPool
  public let hashing: HashingPool
  public let service: AuthService
  public let server: HTTPServer
  private let purger: Purger
  /// The in-memory revocation view (nil with LATCHKEY_REVOCATION_CHECK=database).
  public let view: RevocationView?

  public init(config: Configuration, logger: Logger = Logger(), clock: any WallClock = SystemClock()) throws {
    self.config = config
    self.logger = logger
    pool = PostgresPool(
      url: config.databaseURL, size: config.databasePoolSize, acquireTimeoutSeconds: 2,
      statementTimeoutMilliseconds: 5000, connectTimeoutSeconds: 2)
    // Each argon2 job holds argon2MemoryKiB; the queue bounds what waits.
    hashing = HashingPool(threads: HashingPool.defaultThreadCount, queueLimit: 64)
    if config.revocationCheck == .memory {
      view = RevocationView(
        url: config.databaseURL, pool: pool, accessTTL: config.accessTTL, clock: clock, logger: logger)
    } else {
      view = nil
    }
    service = try AuthService(
      config: config, pool: pool, hashing: hashing, revocations: view, clock: clock, metrics: metrics)
    let pool = self.pool
    let routes = Routes(service: service, metrics: metrics, readiness: { pool.ping() })
    let responder = Responder(
      router: routes.router(), cors: CORSPolicy(allowedOrigins: Set(config.allowedOrigins)),
      mapError: ErrorMapping.map,
      onUnexpectedError: { request, error in
        logger.log(
          "error", "unhandled error",
          [
            ("request_id", request.requestID), ("route", request.routePattern),
            ("error", String(describing: error)),
          ])
      })
    var http = HTTPServerConfiguration()
    http.host = config.host
    http.port = config.port
    http.workerThreads = max(8, config.databasePoolSize * 2)
    server = HTTPServer(
      configuration: http, responder: responder,
      observer: RequestLogObserver(logger: logger, metrics: metrics, accessLog: config.accessLog))
    purger = Purger(pool: pool, accessTTL: config.accessTTL, logger: logger)
    let hashing = self.hashing
    let workers = server.workers
    metrics.addGauges {
      let stats = pool.stats
      return [
        (
          "latchkey_db_pool_connections", "Database pool connections by state", [("state", "open")],
          Double(stats.open)
        ),
        (
          "latchkey_db_pool_connections", "Database pool connections by state", [("state", "in_use")],
          Double(stats.inUse)
        ),
        ("latchkey_db_pool_size", "Database pool maximum size", [], Double(stats.size)),
        ("latchkey_db_pool_waiting", "Threads waiting for a database connection", [], Double(stats.waiting)),
        (
          "latchkey_db_pool_acquire_timeouts", "Database pool acquire timeouts since start", [],
          Double(stats.acquireTimeouts)
        ),
        ("latchkey_hashing_queue", "argon2 jobs waiting", [], Double(hashing.queued)),
        ("latchkey_hashing_active", "argon2 jobs running", [], Double(hashing.active)),
        ("latchkey_worker_queue", "Blocking requests waiting for a worker", [], Double(workers.queued)),
      ]
    }
  }

  /// Applies migrations (tolerating a database that is not up yet: the
  /// service starts anyway, answers 503 and /readyz says so), then listens.
  public func start() throws {
    let directory = Migrations.directory(configured: config.migrationsDirectory)
    do {
      let applied = try Migrations.apply(url: config.databaseURL, directory: directory)
      logger.log("info", "migrations applied", [("count", String(applied.count)), ("directory", directory)])
    } catch let error as PostgresError where error.isUnavailable {
      logger.log(
        "warn", "database unreachable at start-up; migrations deferred", [("error", error.description)])
    }
    if let view {
      view.start()
      if !view.waitUntilInSync(timeout: 1) {
        logger.log("warn", "revocation view not in sync yet; /api answers 503 until it is")
      }
    }
    try server.start()
    purger.start()
    logger.log("info", "listening", [("host", config.host), ("port", String(server.port))])
  }

  public func stop() {
    purger.stop()
    server.stop()
    view?.stop()
    pool.close()
    logger.log("info", "stopped")
    LogOutput.shared.flush()
  }
}
