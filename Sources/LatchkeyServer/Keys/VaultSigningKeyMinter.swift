import LatchkeyCrypto
import LatchkeyDomain
import LatchkeyJWT

/// The domain's key minter on OpenSSL: a fresh key pair from the CSPRNG, its kid the RFC 7638
/// thumbprint (anyone can recompute it from the published key), its private half sealed by the vault
/// before it leaves this function.
struct VaultSigningKeyMinter: SigningKeyMinter {
  let vault: SigningKeyVault

  func mint(_ algorithm: SigningKeyAlgorithm) throws -> MintedSigningKey {
    let privateKey = try SigningPrivateKey.generate(algorithm.keyType)
    let kid = JWTKey.thumbprint(of: privateKey.publicKey)
    return MintedSigningKey(
      kid: kid, sealedPrivateKey: try vault.seal(privateKey, kid: kid),
      publicKey: privateKey.publicKey.rawRepresentation)
  }
}

extension SigningKeyAlgorithm {
  var keyType: SigningKeyType {
    switch self {
    case .es256: .p256
    case .edDSA: .ed25519
    }
  }
}

extension VaultSigningKeyMinter {
  /// Sealed under the current secret; opened with it or any previous one.
  init(config: Configuration) throws {
    vault = try SigningKeyVault(secrets: [config.jwtSecret] + config.jwtPreviousSecrets)
  }
}
