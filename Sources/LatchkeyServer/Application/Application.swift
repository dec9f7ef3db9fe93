import Dispatch
import FoundationEssentials
import LatchkeyConcurrency
import LatchkeyCrypto
import LatchkeyDomain
import LatchkeyHTTP
import LatchkeyPostgres
import LatchkeyStore

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The composition root: configuration in, a running service out.
public final class Application: Sendable {
  public let config: Configuration
  public let logger: Logger
  public let metrics = Metrics()
  public let pool: PostgresPool
  public let store: PostgresStore
  public let hashing: BoundedThreadPool
  public let service: AuthService
  public let server: HTTPServer
  /// Routing, middleware and error mapping, without the socket (tests drive
  /// it in-process).
  public let responder: Responder
  public let purger: Purger
  /// The in-memory revocation view (nil with LATCHKEY_REVOCATION_CHECK=database).
  public let view: RevocationView?
  /// The in-memory client registry (nil with LATCHKEY_REVOCATION_CHECK=database:
  /// client authentication then reads the database, as revocation checks do).
  public let clients: ClientRegistryView?
  /// The keys that sign and verify, and the JWKS.
  public let keys: KeyRing
  /// Keeps the stored keys and `keys` current (nil with HS256: nothing is stored).
  public let keyManager: KeyManager?
  private let services: ServiceGroup

  public init(config: Configuration, logger: Logger = Logger(), clock: any WallClock = SystemClock()) throws {
    self.config = config
    self.logger = logger
    pool = PostgresPool(
      url: config.databaseURL, size: config.databasePoolSize, acquireTimeoutSeconds: 2,
      statementTimeoutMilliseconds: 5000, connectTimeoutSeconds: 2,
      // A separate session URL means the request URL goes through a transaction-mode pooler
      // (docs/operations.md#behind-pgbouncer), where named statements do not survive.
      namedStatements: config.databaseListenURL == config.databaseURL)
    store = PostgresStore(pool: pool)
    // Each argon2 job holds argon2MemoryKiB; the queue bounds what waits.
    hashing = BoundedThreadPool(
      threads: BoundedThreadPool.defaultThreadCount, queueLimit: 64, name: "lk-hash")
    Self.yieldToRequests(hashing)
    if config.revocationCheck == .memory {
      view = RevocationView(
        listenURL: config.databaseListenURL, store: store, accessTTL: config.auth.accessTTL, clock: clock,
        logger: logger)
      clients = ClientRegistryView(
        listenURL: config.databaseListenURL, store: store, failureWindow: config.auth.loginFailureWindow,
        clock: clock, logger: logger)
    } else {
      view = nil
      clients = nil
    }
    (keys, keyManager) = try Self.signingKeys(config: config, store: store, clock: clock, logger: logger)
    service = AuthService(
      settings: config.auth, store: store,
      hasher: Argon2PasswordHashing(parameters: config.argon2Parameters, pool: hashing),
      codec: JWTAccessTokenCodec(ring: keys),
      secrets: CryptoTokenSecrets(secret: config.jwtSecret), revocations: view, clock: clock, counter: metrics
    )
    let pool = self.pool
    let keys = self.keys
    let routes = Routes(
      service: service, config: config, metrics: metrics, keys: keys, clients: clients,
      readiness: { pool.ping() && keys.isLoaded })
    responder = Responder(
      router: routes.router(), cors: CORSPolicy(allowedOrigins: Set(config.allowedOrigins)),
      mapError: { error in
        if let store = error as? any StoreFailure, !store.isTransient, !store.isInvalidInput {
          logger.error("unexpected database error", ["error": String(describing: error)])
        }
        return ErrorMapping.map(error)
      },
      onUnexpectedError: { request, error in
        logger.error(
          "unhandled error",
          [
            "request_id": request.requestID, "route": request.routePattern,
            "error": String(describing: error),
          ])
      })
    var http = HTTPServerConfiguration()
    http.host = config.host
    http.port = config.port
    // Short blocking work is SQL: one worker per database connection, so
    // workers never sleep waiting for one. Password work has its own threads,
    // enough to keep every hashing thread busy while the others read or write.
    http.workerThreads = max(4, config.databasePoolSize)
    http.slowWorkerThreads = 4 * hashing.threadCount
    // Past this many waiting (a few seconds of hashing), a login is refused
    // (503, Retry-After) rather than queued behind more.
    http.slowWorkerQueueLimit = 256
    server = HTTPServer(
      configuration: http, responder: responder,
      observer: RequestLogObserver(logger: logger, metrics: metrics, accessLog: config.accessLog))
    purger = Purger(store: store, accessTTL: config.auth.accessTTL, clock: clock, logger: logger)
    var background: [any BackgroundService] = []
    if let view { background.append(view) }
    if let clients { background.append(clients) }
    if let keyManager { background.append(keyManager) }
    background.append(HTTPService(server: server))
    background.append(purger)
    services = ServiceGroup(background)
    metrics.addGauges(
      Self.gauges(pool: pool, hashing: hashing, workers: server.workers, slowWorkers: server.slowWorkers))
    if keyManager != nil { metrics.addGauges(keys.gauges) }
  }

  /// Applies migrations (tolerating a database that is not up yet: the
  /// service starts anyway, answers 503 and /readyz says so), then starts
  /// the revocation view, the client registry, the signing keys, the HTTP server and the purger,
  /// in that order.
  public func start() throws {
    let directory = Migrations.directory(configured: config.migrationsDirectory)
    do {
      let applied = try Migrations.apply(url: config.databaseListenURL, directory: directory)
      logger.info("migrations applied", ["count": String(applied.count), "directory": directory])
    } catch let error as PostgresError where error.isUnavailable {
      logger.warning("database unreachable at start-up; migrations deferred", ["error": error.description])
    }
    if config.demo { ensureDemoClient() }
    try services.start()
    logger.info("listening", ["host": config.host, "port": String(server.port)])
  }

  /// The demo's client, registered before the first request can ask for it.
  /// A database that is not up yet only costs the demo its third-party page.
  private func ensureDemoClient() {
    do {
      try DemoClient.ensure(
        OAuthService(auth: service, clientTokenTTL: config.clientTokenTTL), publicURL: config.publicURL)
    } catch {
      logger.warning("could not register the demo client", ["error": String(describing: error)])
    }
  }

  /// Stops everything in reverse order of starting, then closes the pool.
  public func stop() {
    services.stop()
    pool.close()
    logger.info("stopped")
    logger.flush()
  }

  /// The key ring, and with ES256 or EdDSA the manager that keeps it and the key table current.
  private static func signingKeys(
    config: Configuration, store: PostgresStore, clock: any WallClock, logger: Logger
  ) throws -> (KeyRing, KeyManager?) {
    let lifecycle = SigningKeyLifecycle(policy: config.signingKeyPolicy)
    let ring = try KeyRing(
      algorithm: config.signingKeyAlgorithm, secret: config.jwtSecret,
      previousSecrets: config.jwtPreviousSecrets, issuer: config.auth.issuer, audience: config.auth.audience,
      lifecycle: lifecycle, clock: clock, logger: logger)
    guard
      let service = try SigningKeyService.configured(
        config, algorithm: config.signingKeyAlgorithm, store: store, clock: clock)
    else { return (ring, nil) }
    let manager = KeyManager(
      service: service, ring: ring, listenURL: config.databaseListenURL, clock: clock, logger: logger)
    return (ring, manager)
  }

  /// Runs the hashing threads at nice 10: a login flood then takes the cores only as far as
  /// request handling leaves them idle, so `/api` answers keep their latency, while logins alone
  /// still hash at full speed (nothing else competes). Each thread lowers its own priority:
  /// one job per thread, held until every thread has taken one.
  private static func yieldToRequests(_ pool: BoundedThreadPool) {
    let started = DispatchSemaphore(value: 0)
    let proceed = DispatchSemaphore(value: 0)
    var submitted = 0
    for _ in 0..<pool.threadCount {
      let accepted = pool.submit {
        // On Linux the nice value is per thread, and 0 names the calling one.
        _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, 10)
        started.signal()
        proceed.wait()
      }
      if accepted { submitted += 1 }
    }
    for _ in 0..<submitted { started.wait() }
    for _ in 0..<submitted { proceed.signal() }
  }

  private static func gauges(
    pool: PostgresPool, hashing: BoundedThreadPool, workers: BoundedThreadPool, slowWorkers: BoundedThreadPool
  ) -> @Sendable () -> [Metrics.Gauge] {
    {
      let stats = pool.stats
      let connections = "Database pool connections by state"
      return [
        ("latchkey_db_pool_connections", connections, [("state", "open")], Double(stats.open)),
        ("latchkey_db_pool_connections", connections, [("state", "in_use")], Double(stats.inUse)),
        ("latchkey_db_pool_size", "Database pool maximum size", [], Double(stats.size)),
        ("latchkey_db_pool_waiting", "Threads waiting for a database connection", [], Double(stats.waiting)),
        (
          "latchkey_db_pool_acquire_timeouts", "Database pool acquire timeouts since start", [],
          Double(stats.acquireTimeouts)
        ),
        ("latchkey_hashing_queue", "argon2 jobs waiting", [], Double(hashing.queued)),
        ("latchkey_hashing_active", "argon2 jobs running", [], Double(hashing.active)),
        ("latchkey_worker_queue", "Blocking requests waiting for a worker", [], Double(workers.queued)),
        (
          "latchkey_slow_worker_queue", "Password requests waiting for a slow-work thread", [],
          Double(slowWorkers.queued)
        ),
      ]
    }
  }
}

/// The HTTP server as a background service: started after the revocation
/// view, stopped (drained) before it.
final class HTTPService: BackgroundService {
  let server: HTTPServer
  let name = "http"

  init(server: HTTPServer) {
    self.server = server
  }

  func start() throws { try server.start() }
  func stop() { server.stop() }
}
