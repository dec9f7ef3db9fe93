import CLibCrypto

/// HKDF-SHA256 (RFC 5869) through OpenSSL's EVP_KDF: derives purpose-bound keys (such as the key that
/// encrypts signing keys at rest) from one configured secret.
public enum HKDF {
  public static func sha256(
    secret: [UInt8], salt: [UInt8] = [], info: [UInt8] = [], outputLength: Int
  ) throws(CryptoError) -> [UInt8] {
    // RFC 5869 §2.3: at most 255 blocks of output.
    guard !secret.isEmpty, outputLength > 0, outputLength <= 255 * 32 else {
      throw CryptoError(.invalidParameter, operation: "HKDF-SHA256")
    }
    let algorithm = try OpenSSL.check(EVP_KDF_fetch(nil, "HKDF", nil), "EVP_KDF_fetch")
    let context = EVP_KDF_CTX_new(algorithm)
    EVP_KDF_free(algorithm)
    let kdf = try OpenSSL.check(context, "EVP_KDF_CTX_new")
    defer { EVP_KDF_CTX_free(kdf) }
    var output = [UInt8](repeating: 0, count: outputLength)
    var secret = secret
    var salt = salt
    var info = info
    defer { SecureBytes.zeroize(&secret) }
    let status = secret.withUnsafeMutableBytes { key in
      salt.withUnsafeMutableBytes { saltBytes in
        info.withUnsafeMutableBytes { infoBytes in
          var params = [
            OSSL_PARAM_construct_utf8_string(OpenSSL.name("digest"), OpenSSL.name("SHA256"), 0),
            OSSL_PARAM_construct_octet_string(OpenSSL.name("key"), key.baseAddress, key.count),
          ]
          // OpenSSL treats an absent salt as HashLen zero bytes (RFC 5869 §2.2) and an absent info as empty.
          if saltBytes.count > 0 {
            params.append(
              OSSL_PARAM_construct_octet_string(OpenSSL.name("salt"), saltBytes.baseAddress, saltBytes.count))
          }
          if infoBytes.count > 0 {
            params.append(
              OSSL_PARAM_construct_octet_string(OpenSSL.name("info"), infoBytes.baseAddress, infoBytes.count))
          }
          params.append(OSSL_PARAM_construct_end())
          return EVP_KDF_derive(kdf, &output, outputLength, &params)
        }
      }
    }
    guard status == 1 else {
      SecureBytes.zeroize(&output)
      throw OpenSSL.failure("EVP_KDF_derive")
    }
    return output
  }
}
