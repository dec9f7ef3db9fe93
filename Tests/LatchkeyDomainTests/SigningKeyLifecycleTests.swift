import Testing

@testable import LatchkeyDomain

/// The key lifecycle against an injected clock: publish delay 600 s, rotation every 86,400 s, tokens
/// living at most 900 s, 30 s leeway.
@Suite struct SigningKeyLifecycleTests {
  static let policy = SigningKeyPolicy(
    publishDelay: 600, rotationInterval: 86_400, longestTokenLifetime: 900, leeway: 30)
  let lifecycle = SigningKeyLifecycle(policy: Self.policy)
  let clock = ManualClock(1_800_000_000)
  var t0: Double { 1_800_000_000 }

  func key(_ kid: String, created: Double, activates: Double, _ algorithm: SigningKeyAlgorithm = .es256)
    -> SigningKeyRecord
  {
    SigningKeyRecord(kid: kid, algorithm: algorithm, createdAt: created, activatesAt: activates)
  }

  /// Creates a key the way a server would at the clock's time, following `plan`.
  func create(_ kid: String, in keys: inout [SigningKeyRecord], _ algorithm: SigningKeyAlgorithm = .es256) {
    let now = clock.now()
    keys.append(key(kid, created: now, activates: lifecycle.activationTime(among: keys, now: now), algorithm))
  }

  func states(_ keys: [SigningKeyRecord]) -> [String: SigningKeyState] {
    Dictionary(
      uniqueKeysWithValues: lifecycle.states(among: keys, now: clock.now()).map { ($0.key.kid, $0.state) })
  }

  @Test func theFirstKeyIsActiveAtOnce() {
    var keys: [SigningKeyRecord] = []
    #expect(lifecycle.activeKey(among: keys, now: clock.now()) == nil)
    #expect(lifecycle.plan(among: keys, now: clock.now(), algorithm: .es256) == .createActive(.es256))
    #expect(lifecycle.activationTime(among: keys, now: clock.now()) == t0)
    create("a", in: &keys)
    #expect(lifecycle.activeKey(among: keys, now: clock.now())?.kid == "a")
    #expect(states(keys) == ["a": .active])
    #expect(lifecycle.plan(among: keys, now: clock.now(), algorithm: .es256) == .none)
    #expect(lifecycle.published(among: keys, now: clock.now()).map(\.kid) == ["a"])
  }

  @Test func aRotatedKeyIsPublishedForTheDelayBeforeItSigns() {
    var keys = [key("a", created: t0, activates: t0)]
    clock.advance(1000)
    create("b", in: &keys)
    #expect(keys[1].activatesAt == t0 + 1000 + 600)
    #expect(states(keys) == ["a": .active, "b": .next])
    #expect(lifecycle.activeKey(among: keys, now: clock.now())?.kid == "a")
    #expect(lifecycle.published(among: keys, now: clock.now()).map(\.kid) == ["a", "b"])

    clock.advance(599)
    #expect(lifecycle.activeKey(among: keys, now: clock.now())?.kid == "a")
    #expect(states(keys) == ["a": .active, "b": .next])
    clock.advance(1)  // exactly the activation time: inclusive
    #expect(lifecycle.activeKey(among: keys, now: clock.now())?.kid == "b")
    #expect(states(keys) == ["a": .retired, "b": .active])
    #expect(lifecycle.retiredAt(of: keys[0], among: keys) == t0 + 1600)
  }

  @Test func aRetiredKeyStaysUntilItsLastTokenHasExpiredPlusLeeway() {
    let keys = [key("a", created: t0, activates: t0), key("b", created: t0 + 10, activates: t0 + 610)]
    clock.advance(610 + 930 - 1)
    #expect(states(keys) == ["a": .retired, "b": .active])
    #expect(lifecycle.gone(among: keys, now: clock.now()).isEmpty)
    clock.advance(1)
    #expect(states(keys) == ["a": .gone, "b": .active])
    #expect(lifecycle.published(among: keys, now: clock.now()).map(\.kid) == ["b"])
    #expect(lifecycle.gone(among: keys, now: clock.now()).map(\.kid) == ["a"])
  }

  @Test func noInstanceEverSignsWithAKeyBeforeItsActivationTime() {
    // Keys created at arbitrary times, evaluated at every second around every boundary.
    var keys = [key("a", created: t0, activates: t0)]
    for (index, offset) in [100.0, 5_000, 5_001, 90_000].enumerated() {
      clock.advance(offset - (clock.now() - t0))
      create("k\(index)", in: &keys)
    }
    let boundaries = keys.flatMap { [$0.activatesAt - 1, $0.activatesAt, $0.activatesAt + 1] }
    for now in boundaries where now >= t0 {
      let active = lifecycle.activeKey(among: keys, now: now)
      #expect(active != nil)
      if let active {
        #expect(active.activatesAt <= now)
        #expect(active.kid == "a" || active.activatesAt >= active.createdAt + Self.policy.publishDelay)
        let states = lifecycle.states(among: keys, now: now)
        #expect(states.filter { $0.state == .active }.map(\.key) == [active])
      }
    }
  }

  @Test func exactlyOneKeyIsActiveAtEveryMoment() {
    var keys: [SigningKeyRecord] = []
    create("a", in: &keys)
    for step in 1...12 {
      clock.advance(20_000)
      if lifecycle.plan(among: keys, now: clock.now(), algorithm: .es256) != .none {
        create("k\(step)", in: &keys)
      }
      let states = lifecycle.states(among: keys, now: clock.now())
      #expect(states.filter { $0.state == .active }.count == 1)
      #expect(states.filter { $0.state == .next }.count <= 1)
    }
  }

  @Test func everyInstanceReachesTheSameStatesFromTheSameRowsInAnyOrder() {
    let keys = [
      key("c", created: t0 + 200, activates: t0 + 800), key("a", created: t0, activates: t0),
      key("b", created: t0 + 100, activates: t0 + 700),
    ]
    for now in stride(from: t0 - 1, through: t0 + 3000, by: 50) {
      let reference = lifecycle.states(among: keys, now: now).map { "\($0.key.kid)=\($0.state)" }
      for permutation in [[0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]] {
        let shuffled = permutation.map { keys[$0] }
        #expect(lifecycle.states(among: shuffled, now: now).map { "\($0.key.kid)=\($0.state)" } == reference)
        #expect(lifecycle.activeKey(among: shuffled, now: now) == lifecycle.activeKey(among: keys, now: now))
      }
    }
  }

  @Test func tiesInActivationTimeAreBrokenByCreationThenKid() {
    let keys = [
      key("z", created: t0, activates: t0 + 600), key("y", created: t0 + 1, activates: t0 + 600),
      key("x", created: t0 + 1, activates: t0 + 600), key("a", created: t0 - 10, activates: t0 - 10),
    ]
    clock.advance(600)
    #expect(SigningKeyLifecycle.ordered(keys).map(\.kid) == ["a", "z", "x", "y"])
    #expect(lifecycle.activeKey(among: keys, now: clock.now())?.kid == "y")
    // The keys that were superseded at the same instant never signed; they are retired at once.
    #expect(states(keys) == ["a": .retired, "z": .retired, "x": .retired, "y": .active])
  }

  @Test func automaticRotationCreatesTheNextKeySoItActivatesOneIntervalLater() {
    var keys: [SigningKeyRecord] = []
    create("a", in: &keys)
    #expect(lifecycle.rotationTime(among: keys, now: clock.now()) == t0 + 86_400 - 600)
    clock.advance(86_400 - 601)
    #expect(!lifecycle.rotationDue(among: keys, now: clock.now()))
    #expect(lifecycle.plan(among: keys, now: clock.now(), algorithm: .es256) == .none)
    clock.advance(1)
    #expect(lifecycle.rotationDue(among: keys, now: clock.now()))
    #expect(lifecycle.plan(among: keys, now: clock.now(), algorithm: .es256) == .createNext(.es256))
    create("b", in: &keys)
    #expect(keys[1].activatesAt == t0 + 86_400)
    // A rotation under way is not started again.
    #expect(!lifecycle.rotationDue(among: keys, now: clock.now()))
    #expect(lifecycle.plan(among: keys, now: clock.now(), algorithm: .es256) == .none)
    clock.advance(600)
    #expect(lifecycle.activeKey(among: keys, now: clock.now())?.kid == "b")
    #expect(lifecycle.rotationTime(among: keys, now: clock.now()) == t0 + 2 * 86_400 - 600)
  }

  @Test func rotationOffNeverRotates() {
    let lifecycle = SigningKeyLifecycle(
      policy: SigningKeyPolicy(publishDelay: 600, rotationInterval: 0, longestTokenLifetime: 900))
    let keys = [key("a", created: t0, activates: t0)]
    #expect(lifecycle.rotationTime(among: keys, now: t0 + 1e9) == nil)
    #expect(!lifecycle.rotationDue(among: keys, now: t0 + 1e9))
    #expect(lifecycle.plan(among: keys, now: t0 + 1e9, algorithm: .es256) == .none)
    #expect(lifecycle.nextChange(among: keys, now: t0) == nil)
  }

  @Test func anIntervalShorterThanTheDelayRotatesAsSoonAsAKeyIsActive() {
    let lifecycle = SigningKeyLifecycle(
      policy: SigningKeyPolicy(publishDelay: 600, rotationInterval: 60, longestTokenLifetime: 900))
    let keys = [key("a", created: t0, activates: t0)]
    #expect(lifecycle.rotationTime(among: keys, now: t0) == t0)
    #expect(lifecycle.rotationDue(among: keys, now: t0))
  }

  @Test func changingTheAlgorithmStartsARotationToIt() {
    var keys: [SigningKeyRecord] = []
    create("a", in: &keys, .es256)
    clock.advance(10)
    #expect(lifecycle.plan(among: keys, now: clock.now(), algorithm: .edDSA) == .createNext(.edDSA))
    create("b", in: &keys, .edDSA)
    #expect(lifecycle.plan(among: keys, now: clock.now(), algorithm: .edDSA) == .none)
    // Until the new key activates the old one signs; old tokens keep verifying while retired.
    #expect(lifecycle.activeKey(among: keys, now: clock.now())?.algorithm == .es256)
    clock.advance(600)
    #expect(lifecycle.activeKey(among: keys, now: clock.now())?.algorithm == .edDSA)
    #expect(states(keys) == ["a": .retired, "b": .active])
    // Instances configured differently pull the key set their way at most once per publish delay each,
    // never in a tight loop: a pending key of another algorithm is left to activate first.
    clock.advance(10)
    create("c", in: &keys, .es256)
    #expect(lifecycle.plan(among: keys, now: clock.now(), algorithm: .edDSA) == .none)
    #expect(lifecycle.plan(among: keys, now: clock.now(), algorithm: .es256) == .none)
    clock.advance(600)
    #expect(lifecycle.plan(among: keys, now: clock.now(), algorithm: .edDSA) == .createNext(.edDSA))
  }

  @Test func whenEveryKeyIsPendingOneIsCreatedActiveAtOnce() {
    // Only a pending key (say, created by a rotation while all others were purged): nothing can sign.
    let keys = [key("b", created: t0, activates: t0 + 600)]
    #expect(lifecycle.activeKey(among: keys, now: clock.now()) == nil)
    #expect(lifecycle.plan(among: keys, now: clock.now(), algorithm: .es256) == .createActive(.es256))
    var all = keys
    create("a", in: &all)
    #expect(lifecycle.activeKey(among: all, now: clock.now())?.kid == "a")
    #expect(lifecycle.activeKey(among: all, now: t0 + 600)?.kid == "b")
  }

  @Test func nextChangeIsTheEarliestUpcomingBoundary() {
    let keys = [key("a", created: t0, activates: t0), key("b", created: t0 + 100, activates: t0 + 700)]
    #expect(lifecycle.nextChange(among: keys, now: t0 + 100) == t0 + 700)
    // After b activates: a disappears at 700 + 930; rotation for b is due at 700 + 86,400 - 600.
    #expect(lifecycle.nextChange(among: keys, now: t0 + 700) == t0 + 700 + 930)
    #expect(lifecycle.nextChange(among: keys, now: t0 + 700 + 930) == t0 + 700 + 86_400 - 600)
  }

  @Test func policyClampsNegativeValuesAndDerivesRetention() {
    let policy = SigningKeyPolicy(
      publishDelay: -1, rotationInterval: -5, longestTokenLifetime: 3600, leeway: 30)
    #expect(policy.publishDelay == 0)
    #expect(policy.rotationInterval == 0)
    #expect(policy.retention == 3630)
  }

  /// A long randomised run (fixed seed) of servers following `plan`, manual rotations and issuing tokens:
  /// at every step exactly one key signs, it was published for the delay unless it was created because
  /// nothing could sign, and every token issued so far that a verifier could still accept verifies
  /// against the published set.
  @Test(arguments: [1, 2, 3, 42])
  func invariantsHoldOverARandomisedRun(seed: UInt64) {
    var random = SplitMix(seed: seed)
    var keys: [SigningKeyRecord] = []
    var createdActive: Set<String> = []
    var tokens: [(kid: String, expiresAt: Double)] = []
    for step in 0..<2_000 {
      clock.advance(Double(random.next() % 4_000))
      let now = clock.now()
      let algorithm: SigningKeyAlgorithm = random.next() % 50 == 0 ? .edDSA : .es256
      switch lifecycle.plan(among: keys, now: now, algorithm: algorithm) {
      case .none:
        if random.next() % 40 == 0 { create("m\(step)", in: &keys) }  // `latchkey keys rotate`
      case .createActive(let algorithm):
        createdActive.insert("a\(step)")
        create("a\(step)", in: &keys, algorithm)
      case .createNext(let algorithm):
        create("n\(step)", in: &keys, algorithm)
      }
      let states = lifecycle.states(among: keys, now: now)
      let active = states.filter { $0.state == .active }
      #expect(active.count == 1)
      guard let signer = active.first?.key else { continue }
      #expect(signer.activatesAt <= now)
      #expect(
        createdActive.contains(signer.kid)
          || signer.activatesAt >= signer.createdAt + Self.policy.publishDelay)
      tokens.append((signer.kid, now + Self.policy.longestTokenLifetime))
      let published = Set(lifecycle.published(among: keys, now: now).map(\.kid))
      for token in tokens where now < token.expiresAt + Self.policy.leeway {
        #expect(published.contains(token.kid), "step \(step): a live token's key \(token.kid) is unpublished")
      }
      // The store purges gone keys.
      let gone = Set(lifecycle.gone(among: keys, now: now).map(\.kid))
      keys.removeAll { gone.contains($0.kid) }
    }
    #expect(keys.count < 10)
  }
}

/// A small deterministic generator, so a failing run can be replayed from its seed.
private struct SplitMix {
  var state: UInt64
  init(seed: UInt64) { state = seed }
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}
