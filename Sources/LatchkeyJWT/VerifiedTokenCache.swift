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

  private struct Slot {
    /// Whose entry this is; 0 (no verifier has it) for none.
    var verifier: UInt64 = 0
    var hash = 0
    var token: [UInt8] = []
    var claims: AccessClaims?
  }

  /// Read through a buffer pointer, so a lookup loads each field in place: an optional entry
  /// read from the array was copied out whole (its token and every claim retained) to be checked.
  private var table = [Slot](repeating: Slot(), count: VerifiedTokenCache.slots)

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
  /// Only the length and the last 8 bytes (the end of the signature, a MAC's or an ECDSA or
  /// EdDSA signature's random-looking bits) are hashed: the hash picks a slot and is never
  /// trusted, the whole token is compared, and SipHash over a few hundred bytes cost more than
  /// the rest of the lookup.
  static func hash(_ token: UnsafeBufferPointer<UInt8>) -> Int {
    var hasher = Hasher()
    hasher.combine(token.count)
    if token.count >= 8, let base = token.baseAddress {
      hasher.combine(UnsafeRawPointer(base).loadUnaligned(fromByteOffset: token.count - 8, as: UInt64.self))
    } else {
      hasher.combine(bytes: UnsafeRawBufferPointer(token))
    }
    return hasher.finalize()
  }

  func claims(for token: UnsafeBufferPointer<UInt8>, hash: Int, verifier: UInt64) -> AccessClaims? {
    let index = slot(hash)
    return table.withUnsafeBufferPointer { slots in
      guard slots[index].verifier == verifier, slots[index].hash == hash,
        slots[index].token.count == token.count
      else { return nil }
      // Constant time over the whole token: a valid token held by someone else must not be
      // recoverable byte by byte from how long a near miss takes.
      let same = slots[index].token.withUnsafeBufferPointer { cached in Self.equal(cached, token) }
      return same ? slots[index].claims : nil
    }
  }

  /// Equal buffers of the same length, eight bytes at a time, always reading all of them.
  static func equal(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
    guard a.count == b.count else { return false }
    guard let left = a.baseAddress, let right = b.baseAddress else { return true }
    let x = UnsafeRawPointer(left)
    let y = UnsafeRawPointer(right)
    var difference: UInt64 = 0
    var index = 0
    while index + 8 <= a.count {
      difference |=
        x.loadUnaligned(fromByteOffset: index, as: UInt64.self)
        ^ y.loadUnaligned(fromByteOffset: index, as: UInt64.self)
      index += 8
    }
    while index < a.count {
      difference |= UInt64(a[index] ^ b[index])
      index += 1
    }
    return difference == 0
  }

  func remember(_ claims: AccessClaims, for token: UnsafeBufferPointer<UInt8>, hash: Int, verifier: UInt64) {
    guard token.count <= Self.maxTokenBytes else { return }
    table[slot(hash)] = Slot(verifier: verifier, hash: hash, token: Array(token), claims: claims)
  }

  private func slot(_ hash: Int) -> Int { Int(UInt(bitPattern: hash) % UInt(Self.slots)) }
}
