import Synchronization

#if canImport(Glibc)
  import Glibc
#endif

/// The claims of user tokens this thread verified recently, so a client that presents the same
/// token on every request (what a bearer token is for) costs one keyed hash and one comparison
/// instead of base64, HMAC and a JSON scan. Only a token that passed every check gets in; the
/// time checks (exp, nbf, iat) still run on each request, and the revocation check after
/// verification is the caller's, as before.
///
/// Per thread (no locks on the poll threads), direct-mapped and small: 16 entries of at most
/// 1 KiB of token each. An entry belongs to one verifier (its keys, issuer and audience): a
/// verifier made with other keys never sees another's entries.
final class VerifiedTokenCache {
  static let slots = 16
  static let maxTokenBytes = 1024
  private static let nextVerifier = Atomic<UInt64>(1)

  private struct Entry {
    var verifier: UInt64
    var hash: Int
    var token: [UInt8]
    var claims: AccessClaims
  }

  private var entries = [Entry?](repeating: nil, count: slots)

  /// A fresh identity for a verifier's entries.
  static func newVerifierID() -> UInt64 {
    nextVerifier.add(1, ordering: .relaxed).oldValue
  }

  static func current() -> VerifiedTokenCache {
    if let pointer = pthread_getspecific(threadKey) {
      return Unmanaged<VerifiedTokenCache>.fromOpaque(pointer).takeUnretainedValue()
    }
    let cache = VerifiedTokenCache()
    pthread_setspecific(threadKey, Unmanaged.passRetained(cache).toOpaque())
    return cache
  }

  private static let threadKey: pthread_key_t = {
    var key = pthread_key_t()
    let status = pthread_key_create(&key) { pointer in
      guard let pointer else { return }
      Unmanaged<VerifiedTokenCache>.fromOpaque(pointer).release()
    }
    precondition(status == 0, "pthread_key_create failed")
    return key
  }()

  /// Hasher is seeded per process, so which slot a token lands in tells an observer nothing.
  static func hash(_ token: UnsafeBufferPointer<UInt8>) -> Int {
    var hasher = Hasher()
    hasher.combine(bytes: UnsafeRawBufferPointer(token))
    return hasher.finalize()
  }

  func claims(for token: UnsafeBufferPointer<UInt8>, hash: Int, verifier: UInt64) -> AccessClaims? {
    guard let entry = entries[slot(hash)], entry.verifier == verifier, entry.hash == hash,
      entry.token.count == token.count
    else { return nil }
    // Constant time over the whole token: a valid token held by someone else must not be
    // recoverable byte by byte from how long a near miss takes.
    return entry.token.withUnsafeBufferPointer { cached in
      var difference: UInt8 = 0
      for index in 0..<token.count { difference |= cached[index] ^ token[index] }
      return difference == 0 ? entry.claims : nil
    }
  }

  func remember(_ claims: AccessClaims, for token: UnsafeBufferPointer<UInt8>, hash: Int, verifier: UInt64) {
    guard token.count <= Self.maxTokenBytes else { return }
    entries[slot(hash)] = Entry(verifier: verifier, hash: hash, token: Array(token), claims: claims)
  }

  private func slot(_ hash: Int) -> Int { Int(UInt(bitPattern: hash) % UInt(Self.slots)) }
}
