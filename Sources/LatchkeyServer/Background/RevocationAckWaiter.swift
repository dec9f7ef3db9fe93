import FoundationEssentials
import LatchkeyConcurrency
import LatchkeyDomain
import LatchkeyPostgres
import LatchkeyStore
import Synchronization

/// The revocation checker of one-shot commands that revoke (`latchkey client
/// remove`): it answers from the store, and after a commit it waits, as a
/// serving instance does, until every live revocation view has acknowledged
/// the revocations, so that when the command returns no instance still
/// accepts what it revoked (docs/oauth.md#removing-a-client).
public final class RevocationAckWaiter: RevocationChecker {
  private let fallback: StoreRevocationChecker
  private let store: PostgresStore
  private let listener: PostgresListener
  private let book = AckBook()

  /// What the listener heard, shared with its callbacks.
  private final class AckBook: Sendable {
    let acks = Mutex<[String: Set<String>]>([:])
    let connected = Atomic(false)
    /// Signalled on every ack and connection change; waits carry a deadline.
    let changed = ThreadCondition()

    func signal() {
      changed.lock()
      changed.broadcast()
      changed.unlock()
    }
  }

  public init(listenURL: String, store: PostgresStore) {
    self.store = store
    self.fallback = StoreRevocationChecker(store: store)
    let book = self.book
    // Not the views' application name: this listener acknowledges nothing
    // and must not be counted among the views to wait for.
    listener = PostgresListener(
      url: listenURL, channels: [RevocationChannels.acks], connectTimeoutSeconds: 2,
      applicationName: "latchkey-command",
      onNotification: { _, payload in
        guard let ack = RevocationAck(payload: payload) else { return }
        book.acks.withLock { _ = $0[ack.key, default: []].insert(ack.instance) }
        book.signal()
      },
      onConnectionChange: { up in
        book.connected.store(up, ordering: .releasing)
        book.signal()
      })
  }

  /// Starts listening for acknowledgements; call before the revoking commit
  /// (an ack sent before the listener is up would be missed). False when
  /// the listener did not connect within `timeout`.
  @discardableResult
  public func start(timeout: Double = 2) -> Bool {
    listener.start()
    return wait(until: Date().addingTimeInterval(timeout)) { self.book.connected.load(ordering: .acquiring) }
  }

  public func stop() { listener.stop() }

  public var answersWithoutIO: Bool { false }

  public func isRevoked(_ token: AuthenticatedUser) throws -> Bool { try fallback.isRevoked(token) }

  public func isClientTokenRevoked(jti: String, client: UUID) throws -> Bool {
    try fallback.isClientTokenRevoked(jti: jti, client: client)
  }

  /// Waits (at most two seconds) until every live view has acknowledged
  /// every revocation of the batch.
  public func revoked(_ batch: RevocationBatch) {
    let keys = batch.notices.map(\.key)
    guard !keys.isEmpty, book.connected.load(ordering: .acquiring) else { return }
    let live = (try? store.pool.withConnection { try RevocationChannels.liveListeners(on: $0) }) ?? 0
    guard live > 0 else { return }
    _ = wait(until: Date().addingTimeInterval(2)) {
      self.book.acks.withLock { acks in keys.allSatisfy { (acks[$0]?.count ?? 0) >= live } }
    }
  }

  private func wait(until deadline: Date, _ done: () -> Bool) -> Bool {
    book.changed.lock()
    defer { book.changed.unlock() }
    while !done() {
      if !book.changed.wait(until: deadline) { return done() }
    }
    return true
  }
}
