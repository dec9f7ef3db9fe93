import LatchkeyCrypto
import Testing

@Suite struct SigningKeyVaultTests {
  static let secret = Array("the configured JWT secret, 32+ bytes long".utf8)
  static let previous = Array("the secret before it, also 32+ bytes long".utf8)

  @Test(arguments: SigningKeyType.allCases)
  func sealedKeysOpenToTheSameKey(type: SigningKeyType) throws {
    let vault = try SigningKeyVault(secrets: [Self.secret])
    let key = try SigningPrivateKey.generate(type)
    let sealed = try vault.seal(key, kid: "k1")
    #expect(sealed.first == 1)
    let opened = try vault.open(sealed, kid: "k1", type: type)
    #expect(opened.publicKey == key.publicKey)
    let message = Array("m".utf8)
    #expect(key.publicKey.isValidSignature(try opened.signature(for: message), for: message))
    // The plaintext key is not in the sealed bytes.
    let der = try key.pkcs8DER()
    let tail = Array(der.suffix(16))
    #expect(!(0...(sealed.count - 16)).contains { Array(sealed[$0..<($0 + 16)]) == tail })
  }

  @Test func aSealedKeyOpensOnlyForItsKidTypeAndSecret() throws {
    let vault = try SigningKeyVault(secrets: [Self.secret])
    let sealed = try vault.seal(try SigningPrivateKey.generate(.ed25519), kid: "k1")
    #expect(throws: CryptoError.self) { try vault.open(sealed, kid: "k2", type: .ed25519) }
    #expect(throws: CryptoError.self) { try vault.open(sealed, kid: "k1", type: .p256) }
    #expect(throws: CryptoError.self) {
      try SigningKeyVault(secrets: [Self.previous]).open(sealed, kid: "k1", type: .ed25519)
    }
    var tampered = sealed
    tampered[20] ^= 1
    #expect(throws: CryptoError.self) { try vault.open(tampered, kid: "k1", type: .ed25519) }
    var otherVersion = sealed
    otherVersion[0] = 2
    #expect(throws: CryptoError.self) { try vault.open(otherVersion, kid: "k1", type: .ed25519) }
    #expect(throws: CryptoError.self) { try vault.open([], kid: "k1", type: .ed25519) }
  }

  @Test func keysSealedUnderAPreviousSecretStillOpen() throws {
    let old = try SigningKeyVault(secrets: [Self.previous])
    let key = try SigningPrivateKey.generate(.p256)
    let sealed = try old.seal(key, kid: "k1")
    let current = try SigningKeyVault(secrets: [Self.secret, Self.previous])
    #expect(try current.open(sealed, kid: "k1", type: .p256).publicKey == key.publicKey)
    // New seals use the newest secret only.
    let resealed = try current.seal(key, kid: "k1")
    #expect(throws: CryptoError.self) { try old.open(resealed, kid: "k1", type: .p256) }
  }

  @Test func theVaultPrintsNoKeyMaterial() throws {
    let vault = try SigningKeyVault(secrets: [Self.secret])
    var dumped = ""
    dump(vault, to: &dumped)
    #expect(vault.description == "SigningKeyVault(keys: 1)")
    #expect(!dumped.contains(","))
    #expect(throws: CryptoError.self) { try SigningKeyVault(secrets: []) }
  }
}
