import LatchkeyCrypto

/// JWS compact serialization (RFC 7515 §7.1) for HS256, below the level of keys and claims.
enum JWS {
  /// The three decoded segments of a compact token and where its signing input ends.
  struct Parts {
    var header: [UInt8]
    var payload: [UInt8]
    var signature: [UInt8]
    /// Length in bytes of `base64(header) + "." + base64(payload)`, the HMAC input.
    var signingInputLength: Int
  }

  /// Exactly three strictly base64url-encoded segments, else nil.
  static func split(_ token: UnsafeBufferPointer<UInt8>) -> Parts? {
    var firstDot = -1
    var secondDot = -1
    for position in 0..<token.count where token[position] == UInt8(ascii: ".") {
      if firstDot < 0 {
        firstDot = position
      } else if secondDot < 0 {
        secondDot = position
      } else {
        return nil
      }
    }
    guard secondDot > 0,
      let header = Base64URL.decode(utf8: UnsafeBufferPointer(rebasing: token[0..<firstDot])),
      let payload = Base64URL.decode(
        utf8: UnsafeBufferPointer(rebasing: token[(firstDot + 1)..<secondDot])),
      let signature = Base64URL.decode(
        utf8: UnsafeBufferPointer(rebasing: token[(secondDot + 1)..<token.count]))
    else { return nil }
    return Parts(header: header, payload: payload, signature: signature, signingInputLength: secondDot)
  }

  /// HMAC-SHA256 over the signing input, compared in constant time with the token's signature.
  static func signatureMatches(
    _ token: UnsafeBufferPointer<UInt8>, parts: Parts, secret: [UInt8]
  ) -> Bool {
    let expected = HMACSHA256.mac(
      key: secret, message: UnsafeBufferPointer(rebasing: token[0..<parts.signingInputLength]))
    return ConstantTime.equals(expected, parts.signature)
  }

  /// Signature check only: no header or claims validation. For tests against published examples.
  static func verifySignature(_ token: String, secret: [UInt8]) -> Bool {
    var token = token
    return token.withUTF8 { bytes in
      guard let parts = split(bytes) else { return false }
      return signatureMatches(bytes, parts: parts, secret: secret)
    }
  }
}
