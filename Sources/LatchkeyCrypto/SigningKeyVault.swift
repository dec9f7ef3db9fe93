/// Encrypts signing keys for storage, so that a database dump alone signs nothing: AES-256-GCM under a
/// key derived with HKDF-SHA256 from the configured secret, the key id and type bound as associated
/// data (a sealed key moved to another row does not open). Opening also tries keys derived from
/// previous secrets, so replacing the secret does not strand the stored keys.
public struct SigningKeyVault: Sendable, CustomStringConvertible, CustomReflectable {
  static let version: UInt8 = 1
  static let info = Array("latchkey signing-key encryption v1".utf8)

  private let keys: [[UInt8]]

  /// `secrets` newest first: the first seals, all open.
  public init(secrets: [[UInt8]]) throws(CryptoError) {
    guard !secrets.isEmpty else { throw CryptoError(.invalidParameter, operation: "SigningKeyVault") }
    var keys: [[UInt8]] = []
    for secret in secrets {
      keys.append(try HKDF.sha256(secret: secret, info: Self.info, outputLength: AESGCM.keyLength))
    }
    self.keys = keys
  }

  /// version ‖ nonce ‖ ciphertext of the PKCS#8 DER ‖ tag.
  public func seal(_ key: SigningPrivateKey, kid: String) throws(CryptoError) -> [UInt8] {
    var der = try key.pkcs8DER()
    defer { SecureBytes.zeroize(&der) }
    let box = try AESGCM.seal(
      der, key: keys[0], associatedData: Self.associatedData(kid: kid, type: key.type))
    return [Self.version] + box
  }

  public func open(_ sealed: [UInt8], kid: String, type: SigningKeyType) throws(CryptoError)
    -> SigningPrivateKey
  {
    guard sealed.first == Self.version else {
      throw CryptoError(.authenticationFailed, operation: "SigningKeyVault open", detail: "unknown version")
    }
    let box = Array(sealed.dropFirst())
    let associatedData = Self.associatedData(kid: kid, type: type)
    for key in keys {
      guard var der = try? AESGCM.open(box, key: key, associatedData: associatedData) else { continue }
      defer { SecureBytes.zeroize(&der) }
      return try SigningPrivateKey(pkcs8DER: der, type: type)
    }
    throw CryptoError(.authenticationFailed, operation: "SigningKeyVault open")
  }

  public var description: String { "SigningKeyVault(keys: \(keys.count))" }

  public var customMirror: Mirror { Mirror(self, children: ["keys": keys.count]) }

  private static func associatedData(kid: String, type: SigningKeyType) -> [UInt8] {
    Array("latchkey-signing-key:v1:\(type.rawValue):\(kid)".utf8)
  }
}
