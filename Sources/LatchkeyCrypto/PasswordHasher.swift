import CArgon2
import CLibCrypto
import Synchronization

public enum PasswordHasherError: Error, Sendable, Equatable {
  /// libargon2 refused to hash (bad parameters or out of memory); the code is its error number.
  case hashingFailed(code: Int32)
}

/// argon2id password hashing in PHC string form, interoperable with libargon2, argon2-cffi and Go.
public struct PasswordHasher: Sendable {
  public static let saltBytes = 16
  public static let tagBytes = 32

  public let parameters: Argon2Parameters
  public let limits: Argon2Limits
  private let dummy: DummyHashCache

  public init(parameters: Argon2Parameters, limits: Argon2Limits = .default) {
    self.parameters = parameters
    self.limits = limits
    self.dummy = DummyHashCache()
  }

  public func hash(_ password: String) throws -> String {
    let salt = SecureRandom.bytes(Self.saltBytes)
    var tag = [UInt8](repeating: 0, count: Self.tagBytes)
    let status = Self.compute(
      password: password, variant: .argon2id, version: Argon2EncodedHash.version13,
      parameters: parameters, salt: salt, into: &tag)
    guard status == ARGON2_OK.rawValue else { throw PasswordHasherError.hashingFailed(code: status) }
    return Argon2EncodedHash(
      variant: .argon2id, version: Argon2EncodedHash.version13, parameters: parameters,
      salt: salt, tag: tag
    ).encoded
  }

  /// Accepts argon2id and argon2i (v=19, or no v= meaning 0x10) whose costs are within `limits`.
  /// Anything malformed or over the limits is false, never an error: callers treat both as a failed login.
  public func verify(_ password: String, encoded: String) -> Bool {
    guard let stored = Argon2EncodedHash(parsing: encoded), limits.allow(stored) else { return false }
    var computed = [UInt8](repeating: 0, count: stored.tag.count)
    defer { Self.cleanse(&computed) }
    let status = Self.compute(
      password: password, variant: stored.variant, version: stored.version,
      parameters: stored.parameters, salt: stored.salt, into: &computed)
    guard status == ARGON2_OK.rawValue else { return false }
    return ConstantTime.equals(computed, stored.tag)
  }

  /// True when the stored hash should be replaced at the next successful login: not argon2id, an
  /// older version, any cost below ours, shorter salt or tag, or not parsable at all.
  public func needsRehash(_ encoded: String) -> Bool {
    guard let stored = Argon2EncodedHash(parsing: encoded) else { return true }
    return stored.variant != .argon2id || stored.version != Argon2EncodedHash.version13
      || stored.parameters.memoryKiB < parameters.memoryKiB
      || stored.parameters.iterations < parameters.iterations
      || stored.parameters.parallelism < parameters.parallelism
      || stored.salt.count < Self.saltBytes || stored.tag.count < Self.tagBytes
  }

  /// A real hash with our parameters, computed once per hasher, so a login for an unknown account
  /// costs the same verification as a known one.
  public func dummyHash() -> String {
    dummy.value { [parameters] in
      let password = SecureRandom.token()
      let salt = SecureRandom.bytes(Self.saltBytes)
      var tag = [UInt8](repeating: 0, count: Self.tagBytes)
      let status = Self.compute(
        password: password, variant: .argon2id, version: Argon2EncodedHash.version13,
        parameters: parameters, salt: salt, into: &tag)
      if status != ARGON2_OK.rawValue {
        // Still a well-formed hash with our costs; verification against it fails either way.
        tag = SecureRandom.bytes(Self.tagBytes)
      }
      return Argon2EncodedHash(
        variant: .argon2id, version: Argon2EncodedHash.version13, parameters: parameters,
        salt: salt, tag: tag
      ).encoded
    }
  }

  /// libargon2's `argon2_hash`, spelled out through `argon2_ctx` so the block matrix comes from
  /// `Argon2Memory` instead of malloc.
  static func compute(
    password: String, variant: Argon2EncodedHash.Variant, version: UInt32,
    parameters: Argon2Parameters, salt: [UInt8], into tag: inout [UInt8]
  ) -> Int32 {
    var password = password
    return password.withUTF8 { passwordBytes in
      salt.withUnsafeBufferPointer { saltBytes in
        tag.withUnsafeMutableBufferPointer { tagBytes in
          guard let passwordLength = UInt32(exactly: passwordBytes.count) else {
            return ARGON2_PWD_TOO_LONG.rawValue
          }
          guard let saltLength = UInt32(exactly: saltBytes.count) else {
            return ARGON2_SALT_TOO_LONG.rawValue
          }
          guard let tagLength = UInt32(exactly: tagBytes.count) else {
            return ARGON2_OUTPUT_TOO_LONG.rawValue
          }
          // libargon2 only reads the password and salt: ARGON2_FLAG_CLEAR_PASSWORD is not set.
          var context = argon2_context(
            out: tagBytes.baseAddress, outlen: tagLength,
            pwd: UnsafeMutablePointer(mutating: passwordBytes.baseAddress), pwdlen: passwordLength,
            salt: UnsafeMutablePointer(mutating: saltBytes.baseAddress), saltlen: saltLength,
            secret: nil, secretlen: 0, ad: nil, adlen: 0,
            t_cost: parameters.iterations, m_cost: parameters.memoryKiB,
            lanes: parameters.parallelism, threads: parameters.parallelism, version: version,
            allocate_cbk: Argon2Memory.allocate, free_cbk: Argon2Memory.release,
            flags: 0)  // ARGON2_DEFAULT_FLAGS, a macro Swift cannot import
          return argon2_ctx(&context, variant.type)
        }
      }
    }
  }

  private static func cleanse(_ bytes: inout [UInt8]) {
    bytes.withUnsafeMutableBytes { buffer in
      if let base = buffer.baseAddress { OPENSSL_cleanse(base, buffer.count) }
    }
  }
}

/// Holds the lazily computed dummy hash; copies of a PasswordHasher share it.
private final class DummyHashCache: Sendable {
  private let storage = Mutex<String?>(nil)

  func value(_ make: () -> String) -> String {
    storage.withLock { cached in
      if let cached { return cached }
      let made = make()
      cached = made
      return made
    }
  }
}
