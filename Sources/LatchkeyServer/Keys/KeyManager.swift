import Dispatch
import FoundationEssentials
import LatchkeyConcurrency
import LatchkeyDomain
import LatchkeyPostgres
import LatchkeyStore
import Synchronization

/// Keeps the key table and this instance's `KeyRing` current (ES256 and EdDSA only): at start it makes
/// sure a key exists (the first start creates one, active at once) and loads the keys; afterwards it
/// looks again when the lifecycle's next instant comes (a rotation is due, a retired key is gone), when
/// another instance announces a change (NOTIFY `latchkey_keys`), and every `resyncInterval` in case a
/// notice was missed.
public final class KeyManager: BackgroundService {
  public let service: SigningKeyService
  public let ring: KeyRing
  private let listenURL: String
  private let clock: any WallClock
  private let logger: Logger
  private let resyncInterval: Double
  private let stopped = Atomic(false)
  private let wake = DispatchSemaphore(value: 0)
  private let listener = Mutex<PostgresListener?>(nil)
  private let running = DispatchGroup()
  /// One reconcile at a time: the loop and a signer that found no key may both ask.
  private let reconciling = Mutex(())

  public let name = "signing keys"

  public init(
    service: SigningKeyService, ring: KeyRing, listenURL: String, clock: any WallClock, logger: Logger,
    resyncInterval: Double = 60
  ) {
    self.service = service
    self.ring = ring
    self.listenURL = listenURL
    self.clock = clock
    self.logger = logger
    self.resyncInterval = resyncInterval
  }

  public func start() {
    ring.setLoader { [weak self] in _ = try? self?.reconcile() }
    let listener = PostgresListener(
      url: listenURL, channels: [SigningKeyChannel.name], connectTimeoutSeconds: 2,
      onNotification: { [weak self] _, _ in self?.wake.signal() },
      // Notices sent while disconnected are lost: look again on every (re)connect.
      onConnectionChange: { [weak self] connected in if connected { self?.wake.signal() } })
    self.listener.withLock { $0 = listener }
    listener.start()
    // Before the HTTP server starts, so the first token is signed by a stored key.
    do {
      try reconcile()
    } catch {
      logger.warning("signing keys not loaded yet; retrying", ["error": String(describing: error)])
    }
    running.enter()
    NativeThread.start(name: "latchkey-signing-keys") { [self] in
      defer { running.leave() }
      while waitForWork() {
        do {
          try reconcile()
        } catch {
          logger.warning("signing key check failed", ["error": String(describing: error)])
        }
      }
    }
  }

  public func stop() {
    if !stopped.exchange(true, ordering: .acquiringAndReleasing) { wake.signal() }
    listener.withLock { $0 }?.stop()
    running.wait()
  }

  /// Applies the lifecycle to the table (creating or deleting keys as it says) and installs the
  /// result in the ring, synchronously.
  public func reconcile() throws {
    try reconciling.withLock { _ in
      let keys = try service.reconcile()
      ring.install(keys)
    }
  }

  /// Sleeps until the lifecycle's next instant, a notice, or the resync interval (one second while
  /// nothing is loaded); false once stopped.
  private func waitForWork() -> Bool {
    var seconds = ring.isLoaded ? resyncInterval : 1
    if ring.isLoaded, let next = nextChange() {
      seconds = min(seconds, max(0.05, next - clock.now()))
    }
    _ = wake.wait(timeout: .now() + seconds)
    return !stopped.load(ordering: .acquiring)
  }

  private func nextChange() -> Double? {
    service.lifecycle.nextChange(among: ring.records, now: clock.now())
  }
}
