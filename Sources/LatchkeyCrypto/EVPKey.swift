import CLibCrypto

/// Owns one `EVP_PKEY`. OpenSSL 3 keys are immutable once built and safe to use from several threads,
/// each operation creating its own context, hence the unchecked Sendable.
final class EVPKey: @unchecked Sendable {
  let pointer: OpaquePointer

  init(_ pointer: OpaquePointer) {
    self.pointer = pointer
  }

  deinit {
    EVP_PKEY_free(pointer)
  }

  /// P-256's SubjectPublicKeyInfo is this fixed prefix (id-ecPublicKey, prime256v1, BIT STRING) followed
  /// by the 65-byte uncompressed point; going through it lets OpenSSL's decoder check the point.
  static let p256SPKIPrefix: [UInt8] = [
    0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x02, 0x01, 0x06, 0x08, 0x2A, 0x86,
    0x48,
    0xCE, 0x3D, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00,
  ]

  func isType(_ type: SigningKeyType) -> Bool {
    switch type {
    case .ed25519:
      return EVP_PKEY_is_a(pointer, "ED25519") == 1
    case .p256:
      guard EVP_PKEY_is_a(pointer, "EC") == 1 else { return false }
      var name = [CChar](repeating: 0, count: 64)
      var length = 0
      guard EVP_PKEY_get_group_name(pointer, &name, name.count, &length) == 1 else {
        ERR_clear_error()
        return false
      }
      let group = String(decoding: name.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self)
      return group == "prime256v1" || group == "P-256"
    }
  }

  /// The raw public key: x‖y for P-256, the 32 bytes for Ed25519.
  func rawPublicKey(_ type: SigningKeyType) throws(CryptoError) -> [UInt8] {
    switch type {
    case .ed25519:
      var length = 32
      var raw = [UInt8](repeating: 0, count: 32)
      try OpenSSL.check(EVP_PKEY_get_raw_public_key(pointer, &raw, &length), "EVP_PKEY_get_raw_public_key")
      guard length == 32 else { throw CryptoError(.invalidKey, operation: "EVP_PKEY_get_raw_public_key") }
      return raw
    case .p256:
      let spki = try derEncode("i2d_PUBKEY") { i2d_PUBKEY(pointer, $0) }
      guard spki.count == Self.p256SPKIPrefix.count + 65, spki.starts(with: Self.p256SPKIPrefix),
        spki[Self.p256SPKIPrefix.count] == 0x04
      else { throw CryptoError(.invalidKey, operation: "i2d_PUBKEY") }
      return Array(spki[(Self.p256SPKIPrefix.count + 1)...])
    }
  }

  /// Runs an OpenSSL `i2d_*` function twice: once for the length, once into a buffer we own (so the
  /// caller can wipe it; OpenSSL-allocated output would need OPENSSL_free and a second wipe).
  func derEncode(
    _ operation: StaticString, _ encode: (UnsafeMutablePointer<UnsafeMutablePointer<UInt8>?>?) -> Int32
  ) throws(CryptoError) -> [UInt8] {
    let length = encode(nil)
    guard length > 0 else { throw OpenSSL.failure(operation) }
    var output = [UInt8](repeating: 0, count: Int(length))
    let written = output.withUnsafeMutableBufferPointer { buffer -> Int32 in
      var cursor: UnsafeMutablePointer<UInt8>? = buffer.baseAddress
      return encode(&cursor)
    }
    guard written == length else {
      SecureBytes.zeroize(&output)
      throw OpenSSL.failure(operation)
    }
    return output
  }

  /// One-shot EVP_DigestSign: SHA-256 for ECDSA (DER output), no digest for Ed25519 (pure EdDSA).
  func sign(_ message: UnsafeBufferPointer<UInt8>, digest: Bool) throws(CryptoError) -> [UInt8] {
    let context = try OpenSSL.check(EVP_MD_CTX_new(), "EVP_MD_CTX_new")
    defer { EVP_MD_CTX_free(context) }
    try OpenSSL.check(
      EVP_DigestSignInit_ex(context, nil, digest ? "SHA256" : nil, nil, nil, pointer, nil),
      "EVP_DigestSignInit_ex")
    let input = message.baseAddress
    var length = 0
    try OpenSSL.check(EVP_DigestSign(context, nil, &length, input, message.count), "EVP_DigestSign")
    var signature = [UInt8](repeating: 0, count: length)
    try OpenSSL.check(EVP_DigestSign(context, &signature, &length, input, message.count), "EVP_DigestSign")
    return Array(signature.prefix(length))
  }

  /// True only for a valid signature; malformed input and library errors are false too.
  func verify(_ signature: [UInt8], _ message: UnsafeBufferPointer<UInt8>, digest: Bool) -> Bool {
    guard let context = EVP_MD_CTX_new() else {
      ERR_clear_error()
      return false
    }
    defer { EVP_MD_CTX_free(context) }
    guard EVP_DigestVerifyInit_ex(context, nil, digest ? "SHA256" : nil, nil, nil, pointer, nil) == 1 else {
      ERR_clear_error()
      return false
    }
    let input = message.baseAddress
    let status = EVP_DigestVerify(context, signature, signature.count, input, message.count)
    if status != 1 { ERR_clear_error() }
    return status == 1
  }
}
