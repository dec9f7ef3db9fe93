import FoundationEssentials
import LatchkeyConcurrency
import LatchkeyCrypto
import LatchkeyDomain
import LatchkeyJWT
import Synchronization

/// The keys this instance signs and verifies with, and the JWKS it publishes.
///
/// With HS256 it is fixed: the secret signs, the previous secrets verify. With ES256 or EdDSA it holds
/// the stored keys (installed by `KeyManager`) and derives, for the current instant, which one signs:
/// the lifecycle's active key. The derived set is rebuilt from the held keys whenever the clock crosses
/// one of the lifecycle's instants, so the switch to a new key happens at its stored activation time
/// on every instance, not whenever a timer happens to fire; a key that is still `next` is held only
/// as a public key, so nothing can sign with it early.
///
/// The HS256 secrets stay verification keys in every mode, so switching `LATCHKEY_JWT_ALG` logs nobody
/// out and tokens signed before the switch keep verifying until they expire.
public final class KeyRing: Sendable {
  /// One interval's signer, verifier and JWKS, replaced as a whole.
  final class Snapshot: Sendable {
    let signer: JWTSigner
    let verifier: JWTVerifier
    let jwks: [UInt8]
    /// False when no stored key can sign (not loaded yet, or none opens): the secret signs meanwhile.
    let signsWithStoredKey: Bool
    let validFrom: Double
    let validUntil: Double

    init(
      keys: JWTKeySet, issuer: String, audience: String, signsWithStoredKey: Bool, validFrom: Double,
      validUntil: Double
    ) {
      signer = JWTSigner(keys: keys)
      verifier = JWTVerifier(keys: keys, issuer: issuer, audience: audience)
      jwks = Array(keys.jwks.utf8)
      self.signsWithStoredKey = signsWithStoredKey
      self.validFrom = validFrom
      self.validUntil = validUntil
    }

    /// A user token through this snapshot's verifier. A method here, so the verifier is used in
    /// place: `current.verifier.verify(...)` copied the struct (retaining each field) per request.
    func verify(_ token: String, now: Int64) throws(JWTError) -> AccessClaims {
      try verifier.verify(token, now: now)
    }
  }

  /// A stored key whose sealed private half opened with our secret and matches its public half.
  struct OpenedKey: Sendable {
    let stored: StoredSigningKey
    let signing: JWTKey
    let verifying: JWTKey
  }

  private struct State {
    var keys: [OpenedKey] = []
    var loaded = false
    var snapshot: Snapshot
  }

  /// nil for HS256.
  public let algorithm: SigningKeyAlgorithm?
  let lifecycle: SigningKeyLifecycle
  private let secretKeys: [JWTKey]
  private let issuer: String
  private let audience: String
  let clock: any WallClock
  private let vault: SigningKeyVault
  private let logger: Logger
  private let state: Mutex<State>
  /// HS256's one snapshot, read without a lock or a clock on the hot path.
  private let fixed: Snapshot?
  private let installed = ThreadCondition()
  /// Set by `KeyManager`: a synchronous load, tried when a token must be signed before any key is.
  private let loadNow = Mutex<(@Sendable () -> Void)?>(nil)
  private let lastLoadAttempt = Mutex<Double>(-.infinity)

  public init(
    algorithm: SigningKeyAlgorithm?, secret: [UInt8], previousSecrets: [[UInt8]], issuer: String,
    audience: String, lifecycle: SigningKeyLifecycle, clock: any WallClock = SystemClock(),
    logger: Logger = .disabled
  ) throws {
    self.algorithm = algorithm
    self.lifecycle = lifecycle
    secretKeys = try ([secret] + previousSecrets).map { try JWTKey(secret: $0) }
    self.issuer = issuer
    self.audience = audience
    self.clock = clock
    vault = try SigningKeyVault(secrets: [secret] + previousSecrets)
    self.logger = logger
    let fixed = Snapshot(
      keys: JWTKeySet(signing: secretKeys[0], previous: Array(secretKeys.dropFirst())), issuer: issuer,
      audience: audience, signsWithStoredKey: algorithm == nil, validFrom: -.infinity, validUntil: .infinity)
    state = Mutex(State(snapshot: fixed))
    self.fixed = algorithm == nil ? fixed : nil
  }

  /// The signer, verifier and JWKS for now.
  var current: Snapshot {
    if let fixed { return fixed }
    let now = clock.now()
    return state.withLock { state in
      if now < state.snapshot.validFrom || now >= state.snapshot.validUntil {
        state.snapshot = build(state.keys, now: now, loaded: state.loaded)
      }
      return state.snapshot
    }
  }

  /// The signer for a new token. Before any stored key can sign (a database that was down at
  /// start-up), one load is tried at once; if none can sign even then, the secret signs, so logins
  /// still work and every instance still verifies the token (only offline verifiers cannot).
  var signer: JWTSigner {
    let snapshot = current
    guard algorithm != nil, !snapshot.signsWithStoredKey else { return snapshot.signer }
    let now = clock.now()
    let due = lastLoadAttempt.withLock { last in
      guard now - last >= 1 else { return false }
      last = now
      return true
    }
    if due, let load = loadNow.withLock({ $0 }) {
      load()
      return current.signer
    }
    return snapshot.signer
  }

  /// `{"keys":[…]}`: the next, active and retired public keys.
  public var jwks: [UInt8] { current.jwks }

  /// True once the stored keys have been loaded (always with HS256).
  public var isLoaded: Bool { algorithm == nil || state.withLock { $0.loaded } }

  /// The kids published now, in the order of the JWKS.
  public var publishedKids: [String] {
    current.verifier.keys.allKeys.filter { $0.publicKey != nil }.map(\.kid)
  }

  /// The kid of the key signing now.
  public var signingKid: String { current.signer.keys.signingKey.kid }

  /// The keys held (those that opened), as the lifecycle sees them.
  var records: [SigningKeyRecord] { state.withLock { $0.keys.map(\.stored.record) } }

  func setLoader(_ load: @escaping @Sendable () -> Void) { loadNow.withLock { $0 = load } }

  /// Replaces the held keys with the stored ones. Keys already held are not opened again; a key that
  /// does not open with our secrets (or whose halves do not match) is neither trusted nor published.
  func install(_ stored: [StoredSigningKey]) {
    let held = state.withLock { state in
      Dictionary(state.keys.map { ($0.stored.record.kid, $0) }, uniquingKeysWith: { a, _ in a })
    }
    var opened: [OpenedKey] = []
    for key in stored {
      if let existing = held[key.record.kid], existing.stored == key {
        opened.append(existing)
      } else if let key = open(key) {
        opened.append(key)
      }
    }
    let now = clock.now()
    state.withLock { state in
      state.keys = opened
      state.loaded = true
      state.snapshot = build(opened, now: now, loaded: true)
    }
    installed.lock()
    installed.broadcast()
    installed.unlock()
  }

  /// Waits (bounded) until `condition` holds after an install; true if it does.
  public func waitUntil(timeout: Double, _ condition: (KeyRing) -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    installed.lock()
    defer { installed.unlock() }
    while !condition(self) {
      if !installed.wait(until: deadline) { return condition(self) }
    }
    return true
  }

  private func open(_ key: StoredSigningKey) -> OpenedKey? {
    let kid = key.record.kid
    do {
      let privateKey = try vault.open(key.sealedPrivateKey, kid: kid, type: key.record.algorithm.keyType)
      guard privateKey.publicKey.rawRepresentation == key.publicKey else {
        logger.error("signing key ignored: its public key does not match its private key", ["kid": kid])
        return nil
      }
      return OpenedKey(
        stored: key, signing: try JWTKey(kid: kid, privateKey: privateKey),
        verifying: try JWTKey(kid: kid, publicKey: privateKey.publicKey))
    } catch {
      logger.error(
        "signing key ignored: it does not open with LATCHKEY_JWT_SECRET or LATCHKEY_JWT_PREVIOUS_SECRETS",
        ["kid": kid])
      return nil
    }
  }

  /// The key set for `now`, valid until the lifecycle's next instant.
  private func build(_ keys: [OpenedKey], now: Double, loaded: Bool) -> Snapshot {
    let byKid = Dictionary(keys.map { ($0.stored.record.kid, $0) }, uniquingKeysWith: { a, _ in a })
    let records = keys.map(\.stored.record)
    var active: JWTKey?
    var upcoming: [JWTKey] = []
    var retired: [JWTKey] = []
    for (record, keyState) in lifecycle.states(among: records, now: now) {
      guard let key = byKid[record.kid] else { continue }
      switch keyState {
      case .next: upcoming.append(key.verifying)
      case .active: active = key.signing
      case .retired: retired.append(key.verifying)
      case .gone: break
      }
    }
    let set =
      active.map { JWTKeySet(signing: $0, previous: retired.reversed() + secretKeys, upcoming: upcoming) }
      ?? JWTKeySet(
        signing: secretKeys[0], previous: retired.reversed() + secretKeys.dropFirst(), upcoming: upcoming)
    if loaded && active == nil {
      logger.error("no stored signing key can sign; HS256 signs until one can")
    }
    return Snapshot(
      keys: set, issuer: issuer, audience: audience, signsWithStoredKey: active != nil,
      validFrom: previousChange(records, now: now),
      validUntil: lifecycle.nextChange(among: records, now: now) ?? .infinity)
  }

  /// The last lifecycle instant at or before `now`: a clock read a moment earlier by another thread
  /// still falls inside the same interval, so concurrent requests do not rebuild in turn.
  private func previousChange(_ records: [SigningKeyRecord], now: Double) -> Double {
    var latest = -Double.infinity
    for record in records {
      if record.activatesAt <= now { latest = max(latest, record.activatesAt) }
      if let retiredAt = lifecycle.retiredAt(of: record, among: records) {
        let gone = retiredAt + lifecycle.policy.retention
        if gone <= now { latest = max(latest, gone) }
      }
    }
    return latest
  }
}
