import Synchronization
import Testing

@testable import LatchkeyDomain

/// `SigningKeyService` applying the lifecycle to a key table in memory: publish delay 600 s, tokens
/// living at most 900 s, 30 s leeway.
@Suite struct SigningKeyServiceTests {
  /// Kids k1, k2, … in minting order; the sealed bytes say which algorithm was asked for.
  final class CountingMinter: SigningKeyMinter {
    let minted = Mutex(0)
    func mint(_ algorithm: SigningKeyAlgorithm) throws -> MintedSigningKey {
      let n = minted.withLock { count -> Int in
        count += 1
        return count
      }
      return MintedSigningKey(
        kid: "k\(n)", sealedPrivateKey: Array("sealed-\(algorithm.rawValue)".utf8), publicKey: [UInt8(n)])
    }
  }

  let store = InMemoryStore()
  let clock = ManualClock()
  let minter = CountingMinter()

  func service(_ algorithm: SigningKeyAlgorithm = .es256, rotationInterval: Double = 0) -> SigningKeyService {
    SigningKeyService(
      store: store,
      lifecycle: SigningKeyLifecycle(
        policy: SigningKeyPolicy(
          publishDelay: 600, rotationInterval: rotationInterval, longestTokenLifetime: 900)),
      minter: minter, clock: clock, algorithm: algorithm)
  }

  func states(_ service: SigningKeyService) throws -> [String: SigningKeyState] {
    Dictionary(uniqueKeysWithValues: try service.list().map { ($0.record.kid, $0.state) })
  }

  @Test func theFirstReconcileCreatesOneKeyActiveAtOnce() throws {
    let keys = try service().reconcile()
    #expect(keys.map(\.record.kid) == ["k1"])
    #expect(keys.first?.record.activatesAt == clock.now())
    #expect(try states(service()) == ["k1": .active])
    #expect(store.snapshot.signingKeyChanges == 1)
    // Nothing more to do: no write, no notice.
    #expect(try service().reconcile().count == 1)
    #expect(store.snapshot.signingKeyChanges == 1)
  }

  @Test func rotateStartsANextKeyThatSignsOnlyAfterThePublishDelay() throws {
    let service = service()
    try service.reconcile()
    let rotated = try service.rotate()
    #expect(rotated.record.activatesAt == clock.now() + 600)
    #expect(try states(service) == ["k1": .active, "k2": .next])
    clock.advance(599)
    #expect(try states(service) == ["k1": .active, "k2": .next])
    clock.advance(1)
    #expect(try states(service) == ["k1": .retired, "k2": .active])
    let listed = try service.list().first { $0.record.kid == "k1" }
    #expect(listed?.retiredAt == clock.now())
    #expect(listed?.goneAt == clock.now() + 930)
  }

  @Test func goneKeysAreDeletedAndAnnounced() throws {
    let service = service()
    try service.reconcile()
    try service.rotate()
    clock.advance(600 + 929)
    #expect(try service.reconcile().count == 2)
    clock.advance(1)
    let changes = store.snapshot.signingKeyChanges
    #expect(try service.reconcile().map(\.record.kid) == ["k2"])
    #expect(store.snapshot.signingKeyChanges == changes + 1)
  }

  @Test func automaticRotationCreatesOneNextKeyWhenDue() throws {
    let service = service(rotationInterval: 3600)
    try service.reconcile()
    clock.advance(3000 - 1)
    #expect(try service.reconcile().count == 1)
    clock.advance(1)
    let keys = try service.reconcile()
    #expect(keys.count == 2)
    #expect(try states(service)["k2"] == .next)
    // Already under way: no second key.
    #expect(try service.reconcile().count == 2)
    #expect(minter.minted.withLock { $0 } == 2)
  }

  @Test func changingTheAlgorithmPublishesTheNewKeyFirst() throws {
    try service(.es256).reconcile()
    let keys = try service(.edDSA).reconcile()
    let added = try #require(keys.first { $0.record.kid == "k2" })
    #expect(added.record.algorithm == .edDSA)
    #expect(added.record.activatesAt == clock.now() + 600)
    #expect(try states(service())["k1"] == .active)
  }

  @Test func aFailedMintWritesNothing() throws {
    struct Broken: SigningKeyMinter {
      struct Failure: Error {}
      func mint(_ algorithm: SigningKeyAlgorithm) throws -> MintedSigningKey { throw Failure() }
    }
    let service = SigningKeyService(
      store: store,
      lifecycle: SigningKeyLifecycle(
        policy: SigningKeyPolicy(publishDelay: 600, rotationInterval: 0, longestTokenLifetime: 900)),
      minter: Broken(), clock: clock, algorithm: .es256)
    #expect(throws: Broken.Failure.self) { try service.reconcile() }
    #expect(store.snapshot.signingKeys.isEmpty)
    #expect(store.snapshot.signingKeyChanges == 0)
  }
}
