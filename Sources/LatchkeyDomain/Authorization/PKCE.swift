/// Proof Key for Code Exchange with the S256 method only (RFC 7636; `plain` would let anyone who saw
/// the authorization request redeem the code).
public enum PKCE {
  /// RFC 7636 §4.1: 43 to 128 characters from `A-Z a-z 0-9 - . _ ~`.
  public static func isValidVerifier(_ verifier: String) -> Bool {
    let bytes = verifier.utf8
    return (43...128).contains(bytes.count) && bytes.allSatisfy(isUnreserved)
  }

  /// Whether `challenge` can be the base64url of a SHA-256 without padding: 43 characters whose last
  /// one leaves the two unused bits zero. Anything else could never match, so it is refused when the
  /// client asks for a code rather than when it tries to redeem one.
  public static func isWellFormedChallenge(_ challenge: String) -> Bool {
    let values = challenge.utf8.compactMap(sextet)
    guard challenge.utf8.count == 43, values.count == 43 else { return false }
    return values[42] & 0b11 == 0
  }

  /// `BASE64URL(SHA256(ASCII(verifier)))` (RFC 7636 §4.2).
  public static func challenge(for verifier: String, digests: any Digests) -> String {
    base64URL(digests.sha256(Array(verifier.utf8)))
  }

  /// Whether `verifier` is well formed and its S256 is `challenge`, compared in constant time so the
  /// comparison's timing tells nothing about how much of a guess was right.
  public static func verify(verifier: String, challenge: String, digests: any Digests) -> Bool {
    guard isValidVerifier(verifier) else { return false }
    let computed = Array(self.challenge(for: verifier, digests: digests).utf8)
    let expected = Array(challenge.utf8)
    guard computed.count == expected.count else { return false }
    var difference: UInt8 = 0
    for index in computed.indices { difference |= computed[index] ^ expected[index] }
    return difference == 0
  }

  /// base64url without padding (RFC 4648 §5, RFC 7636 Appendix A).
  static func base64URL(_ bytes: [UInt8]) -> String {
    let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
    var out: [UInt8] = []
    out.reserveCapacity((bytes.count * 4 + 2) / 3)
    var index = 0
    while index < bytes.count {
      let chunk = bytes[index..<min(index + 3, bytes.count)]
      var group = UInt32(0)
      for (offset, byte) in chunk.enumerated() { group |= UInt32(byte) << (16 - 8 * offset) }
      for position in 0...chunk.count { out.append(alphabet[Int((group >> (18 - 6 * position)) & 0x3F)]) }
      index += 3
    }
    return String(decoding: out, as: UTF8.self)
  }

  /// The value of a base64url character, nil for anything else.
  private static func sextet(_ byte: UInt8) -> UInt8? {
    switch byte {
    case UInt8(ascii: "A")...UInt8(ascii: "Z"): byte - UInt8(ascii: "A")
    case UInt8(ascii: "a")...UInt8(ascii: "z"): byte - UInt8(ascii: "a") + 26
    case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0") + 52
    case UInt8(ascii: "-"): 62
    case UInt8(ascii: "_"): 63
    default: nil
    }
  }

  private static func isUnreserved(_ byte: UInt8) -> Bool {
    sextet(byte) != nil || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "~")
  }
}
