/// Applies the key lifecycle to the shared key table: creates the keys the plan asks for, at most one
/// per decision however many instances decide at once, and deletes the keys whose tokens have all
/// expired. The times come from the lifecycle alone, so nothing here can make a key sign before it
/// has been published for the delay.
public struct SigningKeyService: Sendable {
  public let store: any Store
  public let lifecycle: SigningKeyLifecycle
  public let minter: any SigningKeyMinter
  public let clock: any WallClock
  /// The algorithm this instance is configured to sign with.
  public let algorithm: SigningKeyAlgorithm

  public init(
    store: any Store, lifecycle: SigningKeyLifecycle, minter: any SigningKeyMinter, clock: any WallClock,
    algorithm: SigningKeyAlgorithm
  ) {
    self.store = store
    self.lifecycle = lifecycle
    self.minter = minter
    self.clock = clock
    self.algorithm = algorithm
  }

  /// Brings the table up to date with the plan and returns every stored key. The common case (nothing
  /// to do) is one read without a lock; otherwise the plan is made again under the lock, because
  /// another instance may have acted in between.
  @discardableResult
  public func reconcile() throws -> [StoredSigningKey] {
    let keys = try store.read { try $0.signingKeys() }
    guard needsWork(keys, now: clock.now()) else { return keys }
    return try store.transaction { tx in
      try tx.lockSigningKeys()
      var keys = try tx.signingKeys()
      let now = clock.now()
      var changed = false
      switch lifecycle.plan(among: keys.map(\.record), now: now, algorithm: algorithm) {
      case .none: break
      case .createActive(let algorithm), .createNext(let algorithm):
        keys.append(try create(algorithm, among: keys, now: now, in: tx))
        changed = true
      }
      let gone = Set(lifecycle.gone(among: keys.map(\.record), now: now).map(\.kid))
      if !gone.isEmpty {
        try tx.deleteSigningKeys(kids: gone.sorted())
        changed = true
      }
      guard changed else { return keys }
      try tx.publishSigningKeysChanged()
      // Read back, so this instance holds the stored times exactly as every other instance reads them.
      return try tx.signingKeys()
    }
  }

  /// Starts a rotation now (`latchkey keys rotate`): a new key of the configured algorithm, published
  /// at once and signing after the publish delay (at once only when no key can sign).
  @discardableResult
  public func rotate() throws -> StoredSigningKey {
    try store.transaction { tx in
      try tx.lockSigningKeys()
      let keys = try tx.signingKeys()
      let key = try create(algorithm, among: keys, now: clock.now(), in: tx)
      try tx.publishSigningKeysChanged()
      return try tx.signingKeys().first { $0.record.kid == key.record.kid } ?? key
    }
  }

  /// Every stored key with its state and the times of its life, in activation order.
  public func list() throws -> [SigningKeyListing] {
    let keys = try store.read { try $0.signingKeys() }
    let now = clock.now()
    let records = keys.map(\.record)
    return lifecycle.states(among: records, now: now).map { evaluated in
      let retiredAt = lifecycle.retiredAt(of: evaluated.key, among: records)
      return SigningKeyListing(
        record: evaluated.key, state: evaluated.state, retiredAt: retiredAt,
        goneAt: retiredAt.map { $0 + lifecycle.policy.retention })
    }
  }

  private func needsWork(_ keys: [StoredSigningKey], now: Double) -> Bool {
    let records = keys.map(\.record)
    return lifecycle.plan(among: records, now: now, algorithm: algorithm) != .none
      || !lifecycle.gone(among: records, now: now).isEmpty
  }

  private func create(
    _ algorithm: SigningKeyAlgorithm, among keys: [StoredSigningKey], now: Double, in tx: any StoreTransaction
  ) throws -> StoredSigningKey {
    let minted = try minter.mint(algorithm)
    let record = SigningKeyRecord(
      kid: minted.kid, algorithm: algorithm, createdAt: now,
      activatesAt: lifecycle.activationTime(among: keys.map(\.record), now: now))
    let key = StoredSigningKey(
      record: record, sealedPrivateKey: minted.sealedPrivateKey, publicKey: minted.publicKey)
    try tx.insertSigningKey(key)
    return key
  }
}

/// One key as `latchkey keys list` shows it.
public struct SigningKeyListing: Sendable, Equatable {
  public var record: SigningKeyRecord
  public var state: SigningKeyState
  /// When it stopped (or will stop) signing; nil while no successor exists.
  public var retiredAt: Double?
  /// When it leaves the published set; nil while no successor exists.
  public var goneAt: Double?
}
