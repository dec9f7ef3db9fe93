import Dispatch
import Foundation
import LatchkeyDomain
import LatchkeyPostgres
import LatchkeyStore
import LatchkeyTesting
import Synchronization
import Testing

/// The signing-key table, its lock and its notice against a real PostgreSQL.
@Suite struct SigningKeyStoreTests {
  /// Random kids; the "sealed" bytes start with the vault's version byte, as real ones do.
  final class FakeMinter: SigningKeyMinter {
    let minted = Mutex(0)
    func mint(_ algorithm: SigningKeyAlgorithm) throws -> MintedSigningKey {
      minted.withLock { $0 += 1 }
      return MintedSigningKey(
        kid: UUID().uuidString.lowercased(), sealedPrivateKey: [1] + Array(repeating: 7, count: 60),
        publicKey: Array(repeating: 4, count: 64))
    }
  }

  func withStore<T>(_ body: (PostgresStore, String) throws -> T) throws -> T {
    let url = try TestDatabase.create(prefix: "keys")
    defer { TestDatabase.drop(url) }
    _ = try Migrations.apply(url: url, directory: TestServer.migrationsDirectory)
    let pool = PostgresPool(url: url, size: 8)
    defer { pool.close() }
    return try body(PostgresStore(pool: pool), url)
  }

  func service(_ store: PostgresStore, _ minter: FakeMinter) -> SigningKeyService {
    SigningKeyService(
      store: store,
      lifecycle: SigningKeyLifecycle(
        policy: SigningKeyPolicy(publishDelay: 600, rotationInterval: 0, longestTokenLifetime: 900)),
      minter: minter, clock: SystemClock(), algorithm: .es256)
  }

  @Test func keysRoundTripAndAreDeleted() throws {
    try withStore { store, _ throws in
      let key = StoredSigningKey(
        record: SigningKeyRecord(
          kid: "a-kid", algorithm: .edDSA, createdAt: 1_800_000_000.25, activatesAt: 1_800_000_600.5),
        sealedPrivateKey: [1, 2, 3] + Array(repeating: 9, count: 40),
        publicKey: Array(repeating: 5, count: 32))
      try store.transaction { try $0.insertSigningKey(key) }
      #expect(try store.read { try $0.signingKeys() } == [key])
      try store.transaction { try $0.deleteSigningKeys(kids: ["a-kid", "unknown"]) }
      #expect(try store.read { try $0.signingKeys() }.isEmpty)
    }
  }

  @Test func anUnencryptedPrivateKeyCannotBeStored() throws {
    try withStore { store, _ throws in
      // What PKCS#8 DER starts with: a SEQUENCE.
      let der = [0x30, 0x81, 0x87] + Array(repeating: UInt8(0), count: 60)
      let key = StoredSigningKey(
        record: SigningKeyRecord(kid: "plain", algorithm: .es256, createdAt: 1, activatesAt: 1),
        sealedPrivateKey: der, publicKey: [1])
      #expect(throws: PostgresError.self) { try store.transaction { try $0.insertSigningKey(key) } }
    }
  }

  @Test func concurrentFirstStartsCreateExactlyOneKey() throws {
    try withStore { store, _ throws in
      let minter = FakeMinter()
      let service = service(store, minter)
      let gate = DispatchSemaphore(value: 0)
      let group = DispatchGroup()
      let failures = Mutex(0)
      let count = 6
      for _ in 0..<count {
        group.enter()
        Thread {
          gate.wait()
          do { try service.reconcile() } catch { failures.withLock { $0 += 1 } }
          group.leave()
        }.start()
      }
      for _ in 0..<count { gate.signal() }
      group.wait()
      #expect(failures.withLock { $0 } == 0)
      let keys = try store.read { try $0.signingKeys() }
      #expect(keys.count == 1)
      #expect(minter.minted.withLock { $0 } == 1)
    }
  }

  @Test func aChangeIsAnnouncedOnCommit() throws {
    try withStore { store, url throws in
      let connected = DispatchSemaphore(value: 0)
      let notified = DispatchSemaphore(value: 0)
      let listener = PostgresListener(
        url: url, channels: [SigningKeyChannel.name],
        onNotification: { _, _ in notified.signal() },
        onConnectionChange: { if $0 { connected.signal() } })
      listener.start()
      defer { listener.stop() }
      #expect(connected.wait(timeout: .now() + 5) == .success)
      struct Abort: Error {}
      // Rolled back: no notice.
      _ = try? store.transaction { tx in
        try tx.publishSigningKeysChanged()
        throw Abort()
      }
      try service(store, FakeMinter()).rotate()
      #expect(notified.wait(timeout: .now() + 5) == .success)
      #expect(notified.wait(timeout: .now() + 0.2) == .timedOut)
    }
  }
}
