import CLibCrypto

/// A private signing key, P-256 or Ed25519, held by OpenSSL. It leaves the process only as PKCS#8 DER
/// for the caller to encrypt; printing or dumping it shows the type alone.
public struct SigningPrivateKey: Sendable, CustomStringConvertible, CustomReflectable {
  public let type: SigningKeyType
  public let publicKey: SigningPublicKey
  let key: EVPKey

  private init(type: SigningKeyType, key: EVPKey) throws(CryptoError) {
    self.type = type
    self.key = key
    publicKey = try SigningPublicKey(type: type, key: key)
  }

  /// A fresh key pair from OpenSSL's CSPRNG.
  public static func generate(_ type: SigningKeyType) throws(CryptoError) -> SigningPrivateKey {
    let algorithm = type == .p256 ? "EC" : "ED25519"
    let context = try OpenSSL.check(
      EVP_PKEY_CTX_new_from_name(nil, algorithm, nil), "EVP_PKEY_CTX_new_from_name")
    defer { EVP_PKEY_CTX_free(context) }
    try OpenSSL.check(EVP_PKEY_keygen_init(context), "EVP_PKEY_keygen_init")
    if type == .p256 {
      try OpenSSL.check(EVP_PKEY_CTX_set_group_name(context, "P-256"), "EVP_PKEY_CTX_set_group_name")
    }
    var generated: OpaquePointer?
    try OpenSSL.check(EVP_PKEY_generate(context, &generated), "EVP_PKEY_generate")
    return try SigningPrivateKey(type: type, key: EVPKey(try OpenSSL.check(generated, "EVP_PKEY_generate")))
  }

  /// Reads an unencrypted PKCS#8 PrivateKeyInfo, refusing trailing bytes and keys of another type.
  public init(pkcs8DER der: [UInt8], type: SigningKeyType) throws(CryptoError) {
    let decoded = der.withUnsafeBufferPointer { buffer -> OpaquePointer? in
      var cursor: UnsafePointer<UInt8>? = buffer.baseAddress
      guard let info = d2i_PKCS8_PRIV_KEY_INFO(nil, &cursor, buffer.count) else { return nil }
      defer { PKCS8_PRIV_KEY_INFO_free(info) }
      guard cursor == buffer.baseAddress.map({ $0 + buffer.count }) else { return nil }
      return EVP_PKCS82PKEY(info)
    }
    let key = EVPKey(try OpenSSL.check(decoded, "d2i_PKCS8_PRIV_KEY_INFO", reason: .invalidKey))
    guard key.isType(type) else {
      throw CryptoError(.invalidKey, operation: "PKCS#8 private key", detail: "not a \(type.rawValue) key")
    }
    try self.init(type: type, key: key)
  }

  /// An Ed25519 key from its 32-byte seed (JWK `d`, RFC 8037).
  public init(ed25519Seed seed: [UInt8]) throws(CryptoError) {
    guard seed.count == 32 else {
      throw CryptoError(.invalidKey, operation: "Ed25519 private key", detail: "seed must be 32 bytes")
    }
    let pointer = EVP_PKEY_new_raw_private_key_ex(nil, "ED25519", nil, seed, seed.count)
    try self.init(
      type: .ed25519,
      key: EVPKey(try OpenSSL.check(pointer, "EVP_PKEY_new_raw_private_key_ex", reason: .invalidKey)))
  }

  /// PKCS#8 PrivateKeyInfo DER. The caller owns the secret bytes: encrypt them, then
  /// `SecureBytes.zeroize` them.
  public func pkcs8DER() throws(CryptoError) -> [UInt8] {
    let info = try OpenSSL.check(EVP_PKEY2PKCS8(key.pointer), "EVP_PKEY2PKCS8")
    defer { PKCS8_PRIV_KEY_INFO_free(info) }
    return try key.derEncode("i2d_PKCS8_PRIV_KEY_INFO") { i2d_PKCS8_PRIV_KEY_INFO(info, $0) }
  }

  /// A JWS signature over `message`: r‖s (64 bytes) with SHA-256 for P-256, pure Ed25519 (64 bytes).
  public func signature<M: Collection>(for message: M) throws(CryptoError) -> [UInt8]
  where M.Element == UInt8 {
    let result: Result<[UInt8], CryptoError> = message.withContiguousBytes { input in
      do throws(CryptoError) {
        switch type {
        case .ed25519:
          return .success(try key.sign(input, digest: false))
        case .p256:
          return .success(try ECDSASignature.raw(fromDER: try key.sign(input, digest: true)))
        }
      } catch {
        return .failure(error)
      }
    }
    return try result.get()
  }

  public var description: String { "SigningPrivateKey(\(type.rawValue))" }

  public var customMirror: Mirror { Mirror(self, children: ["type": type]) }
}
