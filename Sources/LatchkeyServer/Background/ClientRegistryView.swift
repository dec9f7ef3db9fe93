import FoundationEssentials
import LatchkeyConcurrency
import LatchkeyDomain
import LatchkeyPostgres
import LatchkeyStore
import Synchronization

/// The registered OAuth clients, and which throttle keys have failures on
/// record, kept in memory so that a client's successful authentication
/// (token, revocation and introspection endpoints) reads nothing from the
/// database (docs/oauth.md#client-authentication). Fed like the revocation
/// view: the whole table on every (re)connect and periodically, and the
/// `ClientNotice`s every client change and every recorded failure publish at
/// commit, heard over LISTEN.
///
/// Never trusts itself when it may have missed something: while the
/// listener is disconnected or before the first load it reads the store
/// (clients, and the counters of every attempt). In sync, an id it does not
/// know is answered nil; authentication then looks the client up in the
/// store, as it does for every failure (a client added a moment ago, whose
/// notice is still in flight, is found that way).
public final class ClientRegistryView: ClientRegistry, BackgroundService {
  private struct State {
    var clients: [UUID: OAuthClient] = [:]
    /// Throttle key → until when a failure may be on record under it.
    var suspects: [String: Double] = [:]
    var inSync = false
    var listenerConnected = false
  }

  private let state = Mutex(State())
  private let store: PostgresStore
  private let fallback: StoreClientRegistry
  private let listenURL: String
  private let clock: any WallClock
  /// The failure window, seconds: how long a recorded failure can matter.
  private let failureWindow: Double
  private let resyncInterval: Double
  private let listener = Mutex<PostgresListener?>(nil)
  private let logger: Logger
  private let ticker = Ticker()
  private let synced = ThreadCondition()

  public let name = "client registry"

  public init(
    listenURL: String, store: PostgresStore, failureWindow: Int64, clock: any WallClock, logger: Logger,
    resyncInterval: Double = 30
  ) {
    self.listenURL = listenURL
    self.store = store
    self.fallback = StoreClientRegistry(store: store)
    self.failureWindow = Double(failureWindow)
    self.clock = clock
    self.logger = logger
    self.resyncInterval = resyncInterval
  }

  public var isInSync: Bool { state.withLock { $0.inSync } }

  public func start() throws {
    let listener = PostgresListener(
      url: listenURL, channels: [ClientChannels.clients], connectTimeoutSeconds: 2,
      applicationName: ClientChannels.listenerName,
      onNotification: { [weak self] _, payload in self?.received(payload) },
      onConnectionChange: { [weak self] connected in self?.connectionChanged(connected) })
    self.listener.withLock { $0 = listener }
    listener.start()
    NativeThread.start(name: "lk-client-sync") { [weak self] in
      while let self, self.ticker.wait(seconds: self.isInSync ? self.resyncInterval : 1) { self.resync() }
    }
    if !waitUntil(timeout: 1, { $0.isInSync }) {
      logger.warning("client registry not in sync yet; client authentication reads the database")
    }
  }

  /// Waits (at most `timeout` seconds) until `condition` holds, looking
  /// again after every resync and notice: start-up waits for the first load
  /// this way, and tests for a notice from another instance.
  @discardableResult
  public func waitUntil(timeout: Double, _ condition: (ClientRegistryView) -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    synced.lock()
    defer { synced.unlock() }
    while !condition(self) {
      if !synced.wait(until: deadline) { return condition(self) }
    }
    return true
  }

  public func stop() {
    ticker.stop()
    listener.withLock { $0 }?.stop()
  }

  // MARK: - ClientRegistry

  public func client(id: UUID) throws -> OAuthClient? {
    let known: OAuthClient?? = state.withLock { $0.inSync ? .some($0.clients[id]) : .none }
    if let known { return known }
    return try fallback.client(id: id)
  }

  public func mayHaveFailures(_ keys: [String]) -> Bool {
    let now = clock.now()
    return state.withLock { state in
      !state.inSync || keys.contains { (state.suspects[$0] ?? 0) > now }
    }
  }

  public func failed(_ keys: [String]) {
    let until = clock.now() + failureWindow
    state.withLock { state in for key in keys { state.suspects[key] = max(state.suspects[key] ?? 0, until) } }
  }

  // MARK: - Listener callbacks

  func received(_ payload: String) {
    switch ClientNotice(payload: payload) {
    case .added(let id):
      // Loaded here, off the request path; if this fails, the first
      // request for it reads it instead.
      if let client = try? fallback.client(id: id) { state.withLock { $0.clients[id] = client } }
    case .removed(let id): _ = state.withLock { $0.clients.removeValue(forKey: id) }
    case .failure(let key): failed([key])
    case nil: break
    }
    signal()
  }

  private func signal() {
    synced.lock()
    synced.broadcast()
    synced.unlock()
  }

  func connectionChanged(_ connected: Bool) {
    state.withLock {
      $0.listenerConnected = connected
      if !connected { $0.inSync = false }
    }
    if connected {
      resync()
    } else if !ticker.isStopped {
      logger.warning(
        "client listener disconnected; client authentication reads the database until it is back")
    }
  }

  /// Reloads every client and every open failure window. Replacing the map
  /// may briefly resurrect a client whose removal notice came in while the
  /// table was read; the revocation view's removal entry (checked first by
  /// authentication and introspection) covers that until the next resync.
  func resync() {
    let now = clock.now()
    do {
      let (clients, windows) = try store.pool.withConnection { db in
        let tx = PostgresTransaction(db: db)
        return (try tx.listClients(), try tx.openClientFailureWindows(since: now - failureWindow))
      }
      let (was, isNow) = state.withLock { state -> (Bool, Bool) in
        state.clients = Dictionary(clients.map { ($0.id, $0) }, uniquingKeysWith: { $1 })
        state.suspects = state.suspects.filter { $0.value > now }
        for (key, started) in windows {
          state.suspects[key] = max(state.suspects[key] ?? 0, started + failureWindow)
        }
        let was = state.inSync
        state.inSync = state.listenerConnected
        return (was, state.inSync)
      }
      if !was && isNow { logger.info("client registry in sync") }
      signal()
    } catch {
      logger.warning("client registry resync failed", ["error": String(describing: error)])
    }
  }
}
