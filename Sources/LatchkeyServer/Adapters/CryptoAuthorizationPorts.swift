import LatchkeyCrypto
import LatchkeyDomain

/// The authorization rules' SHA-256 (PKCE) on libcrypto.
struct CryptoDigests: Digests {
  func sha256(_ bytes: [UInt8]) -> [UInt8] { SHA256.hash(bytes) }
}

/// The authorization rules' randomness (user codes) from the CSPRNG.
struct CryptoRandomBytes: RandomByteSource {
  func randomBytes(count: Int) -> [UInt8] { SecureRandom.bytes(count) }
}
