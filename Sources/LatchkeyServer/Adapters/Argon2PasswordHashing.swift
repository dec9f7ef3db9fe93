import LatchkeyConcurrency
import LatchkeyCrypto
import LatchkeyDomain

/// argon2id on a bounded pool of its own threads: a hash holds ~19 MiB and
/// 25 ms of CPU, so the pool's width bounds memory and its queue bounds
/// what waits; past that the caller gets a "busy" error (503).
public struct Argon2PasswordHashing: PasswordHashing {
  let hasher: PasswordHasher
  let pool: BoundedThreadPool
  public let dummyHash: String

  public init(parameters: Argon2Parameters, pool: BoundedThreadPool) {
    self.hasher = PasswordHasher(parameters: parameters)
    self.pool = pool
    self.dummyHash = hasher.dummyHash()
  }

  public func withSlot<T: Sendable>(_ body: @escaping @Sendable () throws -> T) throws -> T {
    try pool.run(body)
  }

  public func hashInSlot(_ password: String) throws -> String { try hasher.hash(password) }

  public func verifyInSlot(_ password: String, encoded: String) -> Bool {
    hasher.verify(password, encoded: encoded)
  }

  public func needsRehash(_ encoded: String) -> Bool { hasher.needsRehash(encoded) }
}
