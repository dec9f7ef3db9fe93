import FoundationEssentials
import LatchkeyConcurrency
import LatchkeyDomain
import LatchkeyPostgres
import LatchkeyStore
import Synchronization

/// The revocations an access token can run into, kept in memory so that a
/// protected request checks them in well under a microsecond and never
/// waits for the database (docs/architecture.md#where-things-live). The rules are
/// `RevocationSet`'s; this type feeds it: notices from LISTEN/NOTIFY (every
/// revoking transaction publishes at commit), a snapshot from the store on
/// every (re)connect and periodically.
///
/// Never trusts itself when it may have missed something: while the
/// listener is disconnected or before the first load, `isRevoked` asks the
/// store instead (and the route runs on a worker thread); if that fails too,
/// the answer is 503, never "not revoked".
public final class RevocationView: RevocationChecker, BackgroundService {
  private struct State {
    var set: RevocationSet
    var inSync = false
    var listenerConnected = false
  }

  private let state: Mutex<State>
  /// Which instances have applied each recently revoked key (and when the
  /// first ack came), for `revoked`'s wait. A condition, not a Mutex: the
  /// revoker waits on it with a deadline.
  private let echo = ThreadCondition()
  nonisolated(unsafe) private var acks: [String: (time: Double, instances: Set<String>)] = [:]
  private let instance = UUID().uuidString.lowercased()
  private let ackSender: RevocationAckSender
  private let store: PostgresStore
  private let fallback: StoreRevocationChecker
  private let listenURL: String
  private let clock: any WallClock
  private let resyncInterval: Double
  private let listener = Mutex<PostgresListener?>(nil)
  private let logger: Logger
  private let ticker = Ticker()

  public let name = "revocation view"

  public init(
    listenURL: String, store: PostgresStore, accessTTL: Int64, clock: any WallClock, logger: Logger,
    resyncInterval: Double = 30
  ) {
    self.listenURL = listenURL
    self.store = store
    self.fallback = StoreRevocationChecker(store: store)
    self.ackSender = RevocationAckSender(url: listenURL)
    self.clock = clock
    self.state = Mutex(State(set: RevocationSet(accessTTL: accessTTL)))
    self.resyncInterval = resyncInterval
    self.logger = logger
  }

  public var answersWithoutIO: Bool { isInSync }

  public var isInSync: Bool { state.withLock { $0.inSync } }

  public func start() throws {
    let listener = PostgresListener(
      url: listenURL, channels: [RevocationChannels.revocations, RevocationChannels.acks],
      connectTimeoutSeconds: 2,
      applicationName: RevocationChannels.listenerName,
      onNotification: { [weak self] channel, payload in self?.received(channel: channel, payload: payload) },
      onConnectionChange: { [weak self] connected in self?.connectionChanged(connected) })
    self.listener.withLock { $0 = listener }
    listener.start()
    NativeThread.start(name: "lk-revoke-sync") { [weak self] in
      while let self, self.ticker.wait(seconds: self.isInSync ? self.resyncInterval : 1) { self.resync() }
    }
    if !waitUntilInSync(timeout: 1) {
      logger.warning("revocation view not in sync yet; /api checks the database until it is")
    }
  }

  public func stop() {
    ticker.stop()
    listener.withLock { $0 }?.stop()
    ackSender.close()
  }

  /// Waits until the first load after the listener connected (bounded, so a
  /// database that is down at start-up does not stop the service starting).
  @discardableResult
  public func waitUntilInSync(timeout: Double) -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    echo.lock()
    defer { echo.unlock() }
    while !isInSync {
      if !echo.wait(until: deadline) { return isInSync }
    }
    return true
  }

  // MARK: - The hot path

  public func isRevoked(_ token: AuthenticatedUser) throws -> Bool {
    let answer: Bool? = state.withLock { $0.inSync ? $0.set.isRevoked(token) : nil }
    if let answer { return answer }
    return try fallback.isRevoked(token)
  }

  public func isClientTokenRevoked(jti: String, client: UUID) throws -> Bool {
    let answer: Bool? = state.withLock {
      $0.inSync ? $0.set.isClientTokenRevoked(jti: jti, client: client) : nil
    }
    if let answer { return answer }
    return try fallback.isClientTokenRevoked(jti: jti, client: client)
  }

  /// From memory whether in sync or not: a removal heard of stays true (the
  /// set only accumulates), and what was missed the client registry answers.
  public func isClientRemoved(_ client: UUID) -> Bool {
    state.withLock { $0.set.isClientRemoved(client) }
  }

  // MARK: - Local revocations

  /// Called after this instance committed revocations: applies them here at
  /// once, then waits (at most a second) until every instance whose view is
  /// live has acknowledged applying them, so that when this request answers,
  /// no instance still accepts what it revoked. The live views are the
  /// connected listeners; an instance whose listener is down checks the
  /// database instead, so it needs no ack.
  public func revoked(_ batch: RevocationBatch) {
    let now = clock.now()
    state.withLock { $0.set.apply(batch, now: now) }
    let keys = batch.notices.map(\.key)
    guard !keys.isEmpty else { return }
    let deadline = Date().addingTimeInterval(1)
    let live = (try? store.pool.withConnection { try RevocationChannels.liveListeners(on: $0) }) ?? 1
    echo.lock()
    while !keys.allSatisfy({ (acks[$0]?.instances.count ?? 0) >= live }) && echo.wait(until: deadline) {}
    echo.unlock()
  }

  // MARK: - Listener callbacks

  func received(channel: String, payload: String) {
    if channel == RevocationChannels.acks {
      if let ack = RevocationAck(payload: payload) { record(ack) }
    } else if let notice = RevocationNotice(payload: payload) {
      let now = clock.now()
      state.withLock { $0.set.apply(notice, now: now) }
      ackSender.send(RevocationAck(instance: instance, key: notice.key))
    }
  }

  private func record(_ ack: RevocationAck) {
    let now = clock.now()
    echo.lock()
    var entry = acks[ack.key] ?? (now, [])
    entry.instances.insert(ack.instance)
    acks[ack.key] = entry
    if acks.count > 10_000 { acks = acks.filter { now - $0.value.time < 10 } }
    echo.broadcast()
    echo.unlock()
  }

  func connectionChanged(_ connected: Bool) {
    state.withLock {
      $0.listenerConnected = connected
      if !connected { $0.inSync = false }
    }
    if connected {
      resync()
    } else if !ticker.isStopped {
      logger.warning("revocation listener disconnected; /api checks the database until it is back")
    }
  }

  // MARK: - Resync

  /// Reloads everything that can still matter and merges it in.
  func resync() {
    let now = clock.now()
    let bounds = state.withLock { $0.set.snapshotBounds(now: now) }
    do {
      let snapshot = try store.read {
        try $0.revocationSnapshot(
          revokedSince: bounds.revokedSince, tokensExpiringAfter: bounds.tokensExpiringAfter)
      }
      let (wasInSync, nowInSync) = state.withLock { state -> (Bool, Bool) in
        state.set.merge(snapshot, now: now)
        let was = state.inSync
        // Only a connected listener keeps the view current between resyncs.
        state.inSync = state.listenerConnected
        return (was, state.inSync)
      }
      if !wasInSync && nowInSync { logger.info("revocation view in sync") }
      echo.lock()
      echo.broadcast()
      echo.unlock()
    } catch {
      logger.warning("revocation resync failed", ["error": String(describing: error)])
    }
  }
}
