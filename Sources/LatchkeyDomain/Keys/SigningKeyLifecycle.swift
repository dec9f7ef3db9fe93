/// The signing-key lifecycle as pure functions of the stored rows, the policy and `now`, so every
/// instance that reads the same rows reaches the same states at the same instants, with no state
/// of its own and no coordination beyond the table.
///
/// Keys are ordered by activation (`activatesAt`, then `createdAt`, then `kid`). At any time the
/// active key is the last one in that order whose activation time has come; a key is retired from
/// the moment its successor in that order activates, and gone once the longest token lifetime plus
/// leeway has passed since then. Because activation only ever comes from the stored time, a key
/// never signs before it has been published for the delay it was created with.
public struct SigningKeyLifecycle: Sendable {
  public let policy: SigningKeyPolicy

  public init(policy: SigningKeyPolicy) {
    self.policy = policy
  }

  /// `keys` in activation order.
  public static func ordered(_ keys: [SigningKeyRecord]) -> [SigningKeyRecord] {
    keys.sorted { a, b in
      if a.activatesAt != b.activatesAt { return a.activatesAt < b.activatesAt }
      if a.createdAt != b.createdAt { return a.createdAt < b.createdAt }
      return a.kid < b.kid
    }
  }

  /// When `key` stopped (or will stop) signing: its successor's activation time; nil while it has none.
  public func retiredAt(of key: SigningKeyRecord, among keys: [SigningKeyRecord]) -> Double? {
    let ordered = Self.ordered(keys)
    guard let index = ordered.firstIndex(of: key), index + 1 < ordered.count else { return nil }
    return ordered[index + 1].activatesAt
  }

  public func state(of key: SigningKeyRecord, among keys: [SigningKeyRecord], now: Double) -> SigningKeyState
  {
    state(activatesAt: key.activatesAt, retiredAt: retiredAt(of: key, among: keys), now: now)
  }

  /// A key and its state at one instant.
  public typealias Evaluated = (key: SigningKeyRecord, state: SigningKeyState)

  /// Every key with its state, in activation order.
  public func states(among keys: [SigningKeyRecord], now: Double) -> [Evaluated] {
    let ordered = Self.ordered(keys)
    return ordered.indices.map { index in
      let retiredAt = index + 1 < ordered.count ? ordered[index + 1].activatesAt : nil
      return (ordered[index], state(activatesAt: ordered[index].activatesAt, retiredAt: retiredAt, now: now))
    }
  }

  private func state(activatesAt: Double, retiredAt: Double?, now: Double) -> SigningKeyState {
    if now < activatesAt { return .next }
    guard let retiredAt, now >= retiredAt else { return .active }
    return now >= retiredAt + policy.retention ? .gone : .retired
  }

  /// The one key that signs now; nil only when no key has reached its activation time.
  public func activeKey(among keys: [SigningKeyRecord], now: Double) -> SigningKeyRecord? {
    Self.ordered(keys).last { $0.activatesAt <= now }
  }

  /// The keys to publish (JWKS) and to verify with: next, active and retired, in activation order.
  public func published(among keys: [SigningKeyRecord], now: Double) -> [SigningKeyRecord] {
    states(among: keys, now: now).filter { $0.state != .gone }.map(\.key)
  }

  /// Keys whose every token has expired: safe to delete.
  public func gone(among keys: [SigningKeyRecord], now: Double) -> [SigningKeyRecord] {
    states(among: keys, now: now).filter { $0.state == .gone }.map(\.key)
  }

  /// Keys published but not signing yet.
  public func pending(among keys: [SigningKeyRecord], now: Double) -> [SigningKeyRecord] {
    Self.ordered(keys).filter { $0.activatesAt > now }
  }

  /// When automatic rotation should create the next key: early enough that it activates one rotation
  /// interval after the active key did. Nil when rotation is off or there is no active key.
  public func rotationTime(among keys: [SigningKeyRecord], now: Double) -> Double? {
    guard policy.rotationInterval > 0, let active = activeKey(among: keys, now: now) else { return nil }
    return active.activatesAt + max(0, policy.rotationInterval - policy.publishDelay)
  }

  /// True when automatic rotation is on, its time has come, and no rotation is already under way.
  public func rotationDue(among keys: [SigningKeyRecord], now: Double) -> Bool {
    guard let time = rotationTime(among: keys, now: now) else { return false }
    return now >= time && pending(among: keys, now: now).isEmpty
  }

  /// The activation time of a key created at `now`: at once when no key can sign (the first start,
  /// or every key gone), otherwise after the publish delay.
  public func activationTime(among keys: [SigningKeyRecord], now: Double) -> Double {
    activeKey(among: keys, now: now) == nil ? now : now + policy.publishDelay
  }

  /// What to do now for a server configured with `algorithm`: create a key active at once when none
  /// can sign; start a rotation when one is due or the configured algorithm differs from the active
  /// key's (the new algorithm takes over after the publish delay, so verifiers that cache the key set
  /// learn its key first); otherwise nothing. Instances configured with different algorithms each
  /// start at most one rotation per publish delay, never a loop. Concurrent instances may reach the same answer: the
  /// store must create at most one key per decision (e.g. under an advisory lock, re-planning inside).
  public func plan(among keys: [SigningKeyRecord], now: Double, algorithm: SigningKeyAlgorithm)
    -> SigningKeyAction
  {
    guard let active = activeKey(among: keys, now: now) else { return .createActive(algorithm) }
    let pending = pending(among: keys, now: now)
    if active.algorithm != algorithm {
      return pending.contains { $0.algorithm == algorithm } ? .none : .createNext(algorithm)
    }
    return rotationDue(among: keys, now: now) ? .createNext(algorithm) : .none
  }

  /// The next instant after `now` at which any state, the plan or the published set changes: when a
  /// server should look again (besides being notified of new rows). Nil when nothing is scheduled.
  public func nextChange(among keys: [SigningKeyRecord], now: Double) -> Double? {
    var times: [Double] = []
    for key in keys {
      times.append(key.activatesAt)
      if let retiredAt = retiredAt(of: key, among: keys) {
        times.append(retiredAt + policy.retention)
      }
    }
    if let rotation = rotationTime(among: keys, now: now) { times.append(rotation) }
    return times.filter { $0 > now }.min()
  }
}
