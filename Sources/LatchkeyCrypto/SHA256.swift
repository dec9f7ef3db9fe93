import CLibCrypto

public enum SHA256 {
  public static let digestLength = 32

  public static func hash<C: Collection>(_ bytes: C) -> [UInt8] where C.Element == UInt8 {
    bytes.withContiguousBytes { input in
      [UInt8](unsafeUninitializedCapacity: digestLength) { output, initialized in
        var length: UInt32 = 0
        let status = EVP_Digest(
          input.baseAddress, input.count, output.baseAddress, &length, EVP_sha256(), nil)
        guard status == 1, length == UInt32(digestLength) else {
          fatalError("EVP_Digest(SHA-256) failed")
        }
        initialized = digestLength
      }
    }
  }
}
