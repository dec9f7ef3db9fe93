import CLibCrypto

/// A public key that verifies JWS signatures: ES256 (P-256, raw r‖s) or EdDSA (Ed25519).
public struct SigningPublicKey: Sendable, Equatable, CustomStringConvertible {
  public let type: SigningKeyType
  /// x‖y (32 + 32 bytes) for P-256, the 32-byte encoded point for Ed25519.
  public let rawRepresentation: [UInt8]
  let key: EVPKey

  init(type: SigningKeyType, key: EVPKey) throws(CryptoError) {
    self.type = type
    self.key = key
    rawRepresentation = try key.rawPublicKey(type)
  }

  /// A P-256 key from its affine coordinates, as JWK `x` and `y` carry them. Points not on the curve
  /// are refused.
  public init(p256X x: [UInt8], y: [UInt8]) throws(CryptoError) {
    guard x.count == 32, y.count == 32 else {
      throw CryptoError(.invalidKey, operation: "P-256 public key", detail: "coordinates must be 32 bytes")
    }
    let spki = EVPKey.p256SPKIPrefix + [0x04] + x + y
    let decoded = spki.withUnsafeBufferPointer { buffer -> OpaquePointer? in
      var cursor: UnsafePointer<UInt8>? = buffer.baseAddress
      let key = d2i_PUBKEY(nil, &cursor, buffer.count)
      // Trailing bytes cannot occur with our fixed encoding, but a partial read must not pass silently.
      if let key, cursor != buffer.baseAddress.map({ $0 + buffer.count }) {
        EVP_PKEY_free(key)
        return nil
      }
      return key
    }
    let key = EVPKey(try OpenSSL.check(decoded, "d2i_PUBKEY", reason: .invalidKey))
    guard key.isType(.p256) else { throw CryptoError(.invalidKey, operation: "d2i_PUBKEY") }
    try self.init(type: .p256, key: key)
  }

  /// An Ed25519 key from its 32 raw bytes (JWK `x`).
  public init(ed25519 raw: [UInt8]) throws(CryptoError) {
    guard raw.count == 32 else {
      throw CryptoError(.invalidKey, operation: "Ed25519 public key", detail: "must be 32 bytes")
    }
    let pointer = EVP_PKEY_new_raw_public_key_ex(nil, "ED25519", nil, raw, raw.count)
    try self.init(
      type: .ed25519,
      key: EVPKey(try OpenSSL.check(pointer, "EVP_PKEY_new_raw_public_key_ex", reason: .invalidKey)))
  }

  /// A key of `type` from `rawRepresentation`'s layout.
  public init(type: SigningKeyType, raw: [UInt8]) throws(CryptoError) {
    switch type {
    case .p256:
      guard raw.count == 64 else {
        throw CryptoError(.invalidKey, operation: "P-256 public key", detail: "must be 64 bytes")
      }
      try self.init(p256X: Array(raw[0..<32]), y: Array(raw[32..<64]))
    case .ed25519:
      try self.init(ed25519: raw)
    }
  }

  /// JWK `x`: the x coordinate for P-256, the whole key for Ed25519.
  public var x: [UInt8] {
    type == .p256 ? Array(rawRepresentation[0..<32]) : rawRepresentation
  }

  /// JWK `y` for P-256; nil for Ed25519.
  public var y: [UInt8]? {
    type == .p256 ? Array(rawRepresentation[32..<64]) : nil
  }

  /// Checks a JWS signature: exactly 64 bytes of r‖s for ES256 (SHA-256 of the message), 64 bytes for
  /// pure Ed25519. Anything else, including a DER-encoded ECDSA signature, is false.
  public func isValidSignature<S: Collection, M: Collection>(_ signature: S, for message: M) -> Bool
  where S.Element == UInt8, M.Element == UInt8 {
    let signature = Array(signature)
    guard signature.count == type.signatureLength else { return false }
    return message.withContiguousBytes { input in
      switch type {
      case .ed25519:
        return key.verify(signature, input, digest: false)
      case .p256:
        guard let der = try? ECDSASignature.der(fromRaw: signature) else { return false }
        return key.verify(der, input, digest: true)
      }
    }
  }

  public static func == (lhs: SigningPublicKey, rhs: SigningPublicKey) -> Bool {
    lhs.type == rhs.type && lhs.rawRepresentation == rhs.rawRepresentation
  }

  public var description: String { "SigningPublicKey(\(type.rawValue))" }
}
