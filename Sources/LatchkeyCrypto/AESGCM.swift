import CLibCrypto

/// AES-256-GCM with a fresh random 96-bit nonce per message. A sealed box is nonce ‖ ciphertext ‖ tag;
/// random nonces are safe for far more messages than a signing-key table will ever hold (NIST SP
/// 800-38D §8.3 bounds them at 2^32 per key).
public enum AESGCM {
  public static let keyLength = 32
  public static let nonceLength = 12
  public static let tagLength = 16

  public static func seal(
    _ plaintext: [UInt8], key: [UInt8], associatedData: [UInt8] = []
  ) throws(CryptoError) -> [UInt8] {
    try seal(plaintext, key: key, nonce: SecureRandom.bytes(nonceLength), associatedData: associatedData)
  }

  /// Fixed nonce: for tests only; reusing a nonce under one key breaks GCM completely.
  static func seal(
    _ plaintext: [UInt8], key: [UInt8], nonce: [UInt8], associatedData: [UInt8]
  ) throws(CryptoError) -> [UInt8] {
    guard key.count == keyLength, nonce.count == nonceLength else {
      throw CryptoError(.invalidParameter, operation: "AES-256-GCM seal")
    }
    let context = try OpenSSL.check(EVP_CIPHER_CTX_new(), "EVP_CIPHER_CTX_new")
    defer { EVP_CIPHER_CTX_free(context) }
    try OpenSSL.check(EVP_EncryptInit_ex2(context, EVP_aes_256_gcm(), key, nonce, nil), "EVP_EncryptInit_ex2")
    var length: Int32 = 0
    if !associatedData.isEmpty {
      try OpenSSL.check(
        EVP_EncryptUpdate(context, nil, &length, associatedData, Int32(associatedData.count)),
        "EVP_EncryptUpdate")
    }
    // One spare byte so the output pointer is valid even for an empty plaintext.
    var output = [UInt8](repeating: 0, count: nonceLength + plaintext.count + tagLength + 1)
    let status = output.withUnsafeMutableBufferPointer { buffer -> Int32 in
      let body = buffer.baseAddress! + nonceLength
      var written: Int32 = 0
      guard EVP_EncryptUpdate(context, body, &written, plaintext, Int32(plaintext.count)) == 1,
        written == Int32(plaintext.count)
      else { return 0 }
      var final: Int32 = 0
      guard EVP_EncryptFinal_ex(context, body + Int(written), &final) == 1, final == 0 else { return 0 }
      return EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_GCM_GET_TAG, Int32(tagLength), body + plaintext.count)
    }
    try OpenSSL.check(status, "EVP_EncryptFinal_ex")
    output.removeLast()
    output.replaceSubrange(0..<nonceLength, with: nonce)
    return output
  }

  /// The plaintext, or `authenticationFailed` if the box, its tag, the key or the associated data differ
  /// from what was sealed.
  public static func open(
    _ sealed: [UInt8], key: [UInt8], associatedData: [UInt8] = []
  ) throws(CryptoError) -> [UInt8] {
    guard key.count == keyLength else { throw CryptoError(.invalidParameter, operation: "AES-256-GCM open") }
    guard sealed.count >= nonceLength + tagLength else {
      throw CryptoError(.authenticationFailed, operation: "AES-256-GCM open")
    }
    let bodyLength = sealed.count - nonceLength - tagLength
    let context = try OpenSSL.check(EVP_CIPHER_CTX_new(), "EVP_CIPHER_CTX_new")
    defer { EVP_CIPHER_CTX_free(context) }
    var plaintext = [UInt8](repeating: 0, count: bodyLength + 1)
    let status = sealed.withUnsafeBufferPointer { box -> Int32 in
      let base = box.baseAddress!
      guard EVP_DecryptInit_ex2(context, EVP_aes_256_gcm(), key, base, nil) == 1 else { return -1 }
      var length: Int32 = 0
      if !associatedData.isEmpty {
        guard EVP_DecryptUpdate(context, nil, &length, associatedData, Int32(associatedData.count)) == 1
        else {
          return 0
        }
      }
      return plaintext.withUnsafeMutableBufferPointer { output -> Int32 in
        var written: Int32 = 0
        guard
          EVP_DecryptUpdate(context, output.baseAddress, &written, base + nonceLength, Int32(bodyLength)) == 1
        else { return 0 }
        let tag = UnsafeMutableRawPointer(mutating: base + nonceLength + bodyLength)
        guard EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_GCM_SET_TAG, Int32(tagLength), tag) == 1 else { return 0 }
        var final: Int32 = 0
        return EVP_DecryptFinal_ex(context, output.baseAddress! + Int(written), &final) > 0 ? 1 : 0
      }
    }
    guard status == 1 else {
      SecureBytes.zeroize(&plaintext)
      if status < 0 { throw OpenSSL.failure("EVP_DecryptInit_ex2") }
      ERR_clear_error()
      throw CryptoError(.authenticationFailed, operation: "AES-256-GCM open")
    }
    plaintext.removeLast()
    return plaintext
  }
}
