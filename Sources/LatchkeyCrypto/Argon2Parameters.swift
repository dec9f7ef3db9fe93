/// Cost parameters for argon2id hashing; the defaults are OWASP's minimum (19 MiB, 2 passes, 1 lane).
public struct Argon2Parameters: Sendable, Equatable, CustomStringConvertible {
  public var memoryKiB: UInt32
  public var iterations: UInt32
  public var parallelism: UInt32

  public init(memoryKiB: UInt32 = 19456, iterations: UInt32 = 2, parallelism: UInt32 = 1) {
    self.memoryKiB = memoryKiB
    self.iterations = iterations
    self.parallelism = parallelism
  }

  public static let owasp = Argon2Parameters()

  public var description: String { "m=\(memoryKiB),t=\(iterations),p=\(parallelism)" }
}

/// Upper bounds on what a *stored* hash may ask for. Hashes come from the database, so a corrupted or
/// planted row must not be able to make one verification allocate gigabytes or burn seconds of CPU.
public struct Argon2Limits: Sendable, Equatable {
  public var maxMemoryKiB: UInt32
  public var maxIterations: UInt32
  public var maxParallelism: UInt32
  public var maxSaltBytes: Int
  public var maxTagBytes: Int

  public init(
    maxMemoryKiB: UInt32 = 262_144, maxIterations: UInt32 = 16, maxParallelism: UInt32 = 16,
    maxSaltBytes: Int = 64, maxTagBytes: Int = 64
  ) {
    self.maxMemoryKiB = maxMemoryKiB
    self.maxIterations = maxIterations
    self.maxParallelism = maxParallelism
    self.maxSaltBytes = maxSaltBytes
    self.maxTagBytes = maxTagBytes
  }

  public static let `default` = Argon2Limits()

  func allow(_ hash: Argon2EncodedHash) -> Bool {
    hash.parameters.memoryKiB <= maxMemoryKiB && hash.parameters.iterations <= maxIterations
      && hash.parameters.parallelism <= maxParallelism && hash.salt.count <= maxSaltBytes
      && hash.tag.count <= maxTagBytes
  }
}
