/// Conversions between the two encodings of a P-256 ECDSA signature: DER `SEQUENCE { INTEGER r,
/// INTEGER s }`, which OpenSSL produces and consumes, and JWS's fixed-width r‖s (RFC 7518 §3.4).
/// Both directions are strict, so a verifier never accepts two encodings of one signature.
public enum ECDSASignature {
  static let scalarLength = 32

  /// r‖s (64 bytes, big-endian, zero-padded) from strict DER: minimal lengths and integers, positive,
  /// non-zero, at most 32 significant bytes, nothing after the sequence.
  public static func raw(fromDER der: [UInt8]) throws(CryptoError) -> [UInt8] {
    // The longest P-256 signature is 72 bytes, so every length fits the short form.
    guard der.count >= 8, der[0] == 0x30, der[1] < 0x80, Int(der[1]) == der.count - 2 else {
      throw malformed
    }
    var index = 2
    let r = try integer(der, at: &index)
    let s = try integer(der, at: &index)
    guard index == der.count else { throw malformed }
    return padded(r) + padded(s)
  }

  /// Strict DER from r‖s: exactly 64 bytes, neither half zero.
  public static func der(fromRaw raw: [UInt8]) throws(CryptoError) -> [UInt8] {
    guard raw.count == 2 * scalarLength else { throw malformed }
    let r = try encodeInteger(raw[0..<scalarLength])
    let s = try encodeInteger(raw[scalarLength...])
    return [0x30, UInt8(r.count + s.count)] + r + s
  }

  private static var malformed: CryptoError { CryptoError(.invalidSignature, operation: "ECDSA signature") }

  private static func integer(_ der: [UInt8], at index: inout Int) throws(CryptoError) -> ArraySlice<UInt8> {
    guard der.count - index >= 3, der[index] == 0x02 else { throw malformed }
    let length = Int(der[index + 1])
    // 33 bytes allow the 0x00 that keeps a high-bit 32-byte value positive; 0x80+ would be long form.
    guard length >= 1, length <= scalarLength + 1, der.count - index - 2 >= length else { throw malformed }
    var value = der[(index + 2)..<(index + 2 + length)]
    index += 2 + length
    guard value[value.startIndex] & 0x80 == 0 else { throw malformed }
    if value[value.startIndex] == 0 {
      // A leading zero is allowed only to clear the sign bit of the next byte.
      guard value.count > 1, value[value.startIndex + 1] & 0x80 != 0 else { throw malformed }
      value = value.dropFirst()
    }
    guard value.count <= scalarLength else { throw malformed }
    return value
  }

  private static func padded(_ value: ArraySlice<UInt8>) -> [UInt8] {
    [UInt8](repeating: 0, count: scalarLength - value.count) + value
  }

  private static func encodeInteger(_ half: ArraySlice<UInt8>) throws(CryptoError) -> [UInt8] {
    guard let first = half.firstIndex(where: { $0 != 0 }) else { throw malformed }
    let significant = half[first...]
    let body = significant[first] & 0x80 != 0 ? [0x00] + significant : Array(significant)
    return [0x02, UInt8(body.count)] + body
  }
}
