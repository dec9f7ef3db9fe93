/// The one hash the authorization rules need, behind a port because the domain links no crypto
/// library; the server adapts its libcrypto SHA-256 to it.
public protocol Digests: Sendable {
  /// The 32-byte SHA-256 of `bytes`.
  func sha256(_ bytes: [UInt8]) -> [UInt8]
}
