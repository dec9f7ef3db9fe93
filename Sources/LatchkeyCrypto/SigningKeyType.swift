/// The asymmetric key types Latchkey signs with: P-256 for ES256, Ed25519 for EdDSA.
public enum SigningKeyType: String, Sendable, CaseIterable {
  case p256 = "P-256"
  case ed25519 = "Ed25519"

  /// Bytes of the raw public key: the uncompressed point's x‖y for P-256, the encoded point for Ed25519.
  public var publicKeyLength: Int {
    switch self {
    case .p256: 64
    case .ed25519: 32
    }
  }

  /// Bytes of a JWS signature: r‖s for ES256, R‖S for Ed25519; both 64.
  public var signatureLength: Int { 64 }
}
