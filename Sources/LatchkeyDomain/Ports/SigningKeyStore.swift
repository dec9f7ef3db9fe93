/// One row of the key table: what the lifecycle reads, the private key only in sealed form (a dump of
/// the table signs nothing), and the public key that verifies and is published.
public struct StoredSigningKey: Sendable, Equatable {
  public var record: SigningKeyRecord
  public var sealedPrivateKey: [UInt8]
  /// The raw public key (x‖y for P-256, the encoded point for Ed25519).
  public var publicKey: [UInt8]

  public init(record: SigningKeyRecord, sealedPrivateKey: [UInt8], publicKey: [UInt8]) {
    self.record = record
    self.sealedPrivateKey = sealedPrivateKey
    self.publicKey = publicKey
  }
}

/// The signing keys every instance shares.
public protocol SigningKeyStore {
  /// Every stored key, in no particular order.
  func signingKeys() throws -> [StoredSigningKey]
  func insertSigningKey(_ key: StoredSigningKey) throws
  func deleteSigningKeys(kids: [String]) throws
  /// Holds the table's lock until the transaction ends, so instances that decide to create a key at
  /// the same moment do it one after another, each re-reading what the previous one wrote.
  func lockSigningKeys() throws
  /// Tells every instance that the keys changed, when the transaction commits.
  func publishSigningKeysChanged() throws
}

/// A new key pair, its private half already sealed: made outside the domain (the cryptography is an
/// adapter's), stored by the domain.
public struct MintedSigningKey: Sendable {
  public var kid: String
  public var sealedPrivateKey: [UInt8]
  public var publicKey: [UInt8]

  public init(kid: String, sealedPrivateKey: [UInt8], publicKey: [UInt8]) {
    self.kid = kid
    self.sealedPrivateKey = sealedPrivateKey
    self.publicKey = publicKey
  }
}

/// Generates key pairs and seals their private halves for storage.
public protocol SigningKeyMinter: Sendable {
  func mint(_ algorithm: SigningKeyAlgorithm) throws -> MintedSigningKey
}
