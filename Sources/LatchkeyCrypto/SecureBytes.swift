import CLibCrypto

/// Wiping secrets held in Swift arrays once they are no longer needed. Copies the compiler made earlier
/// cannot be reached, so this narrows the window rather than closing it.
public enum SecureBytes {
  public static func zeroize(_ bytes: inout [UInt8]) {
    bytes.withUnsafeMutableBytes { buffer in
      if let base = buffer.baseAddress, buffer.count > 0 { OPENSSL_cleanse(base, buffer.count) }
    }
  }
}
