import CLibCrypto
import FoundationEssentials

/// Randomness for salts, tokens and ids, from OpenSSL's CSPRNG.
public enum SecureRandom {
  public static func bytes(_ count: Int) -> [UInt8] {
    precondition(count >= 0, "negative byte count")
    if count == 0 { return [] }
    return [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
      fill(UnsafeMutableRawBufferPointer(buffer))
      initialized = count
    }
  }

  /// base64url of `byteCount` random bytes (32 bytes give 43 characters).
  public static func token(byteCount: Int = 32) -> String {
    Base64URL.encode(bytes(byteCount))
  }

  /// RFC 9562 version 4 UUID.
  public static func uuid() -> UUID {
    var raw: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
    withUnsafeMutableBytes(of: &raw) { fill($0) }
    raw.6 = (raw.6 & 0x0F) | 0x40
    raw.8 = (raw.8 & 0x3F) | 0x80
    return UUID(uuid: raw)
  }

  static func fill(_ buffer: UnsafeMutableRawBufferPointer) {
    guard let base = buffer.baseAddress, buffer.count > 0 else { return }
    // Continuing with predictable salts or tokens would be worse than stopping.
    guard RAND_bytes(base.assumingMemoryBound(to: UInt8.self), Int32(buffer.count)) == 1 else {
      fatalError("RAND_bytes failed: the CSPRNG is unusable")
    }
  }
}
