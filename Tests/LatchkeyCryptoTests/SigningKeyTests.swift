import LatchkeyCrypto
import Testing

private func b64(_ text: String) -> [UInt8] { Base64URL.decode(text)! }

@Suite struct SigningKeyTests {
  // RFC 8037 Appendix A.1-A.5.
  static let ed25519Seed = "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A"
  static let ed25519X = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"
  static let ed25519Input = "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc"
  static let ed25519Signature =
    "hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg"

  // RFC 7515 Appendix A.3.
  static let es256X = "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU"
  static let es256Y = "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"
  static let es256Input =
    "eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ"
  static let es256Signature =
    "DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q"

  @Test func rfc8037Ed25519SignsAndVerifies() throws {
    let key = try SigningPrivateKey(ed25519Seed: b64(Self.ed25519Seed))
    #expect(key.publicKey.rawRepresentation == b64(Self.ed25519X))
    #expect(key.publicKey.y == nil)
    // Ed25519 is deterministic, so the RFC's signature is the one we must produce.
    let signature = try key.signature(for: Array(Self.ed25519Input.utf8))
    #expect(Base64URL.encode(signature) == Self.ed25519Signature)
    let publicKey = try SigningPublicKey(ed25519: b64(Self.ed25519X))
    #expect(publicKey.isValidSignature(b64(Self.ed25519Signature), for: Array(Self.ed25519Input.utf8)))
    #expect(
      !publicKey.isValidSignature(b64(Self.ed25519Signature), for: Array((Self.ed25519Input + "x").utf8)))
  }

  @Test func rfc7515ES256ExampleVerifies() throws {
    let key = try SigningPublicKey(p256X: b64(Self.es256X), y: b64(Self.es256Y))
    #expect(key.x == b64(Self.es256X))
    #expect(key.y == b64(Self.es256Y))
    let signature = b64(Self.es256Signature)
    #expect(key.isValidSignature(signature, for: Array(Self.es256Input.utf8)))
    var tampered = signature
    tampered[10] ^= 0x01
    #expect(!key.isValidSignature(tampered, for: Array(Self.es256Input.utf8)))
    #expect(!key.isValidSignature(signature, for: Array((Self.es256Input + ".").utf8)))
    // The same signature in DER is not a JWS signature.
    #expect(
      !key.isValidSignature(try ECDSASignature.der(fromRaw: signature), for: Array(Self.es256Input.utf8)))
  }

  @Test(arguments: SigningKeyType.allCases)
  func generatedKeysRoundTrip(type: SigningKeyType) throws {
    let key = try SigningPrivateKey.generate(type)
    #expect(key.publicKey.rawRepresentation.count == type.publicKeyLength)
    let message = Array("header.payload".utf8)
    let signature = try key.signature(for: message)
    #expect(signature.count == 64)
    #expect(key.publicKey.isValidSignature(signature, for: message))

    var der = try key.pkcs8DER()
    let restored = try SigningPrivateKey(pkcs8DER: der, type: type)
    SecureBytes.zeroize(&der)
    #expect(der.allSatisfy { $0 == 0 })
    #expect(restored.publicKey == key.publicKey)
    #expect(key.publicKey.isValidSignature(try restored.signature(for: message), for: message))

    let republished = try SigningPublicKey(type: type, raw: key.publicKey.rawRepresentation)
    #expect(republished == key.publicKey)
    #expect(republished.isValidSignature(signature, for: message))

    let other = try SigningPrivateKey.generate(type)
    #expect(other.publicKey != key.publicKey)
    #expect(!other.publicKey.isValidSignature(signature, for: message))
  }

  @Test func pkcs8OfAnotherTypeOrWithTrailingBytesIsRefused() throws {
    let p256 = try SigningPrivateKey.generate(.p256).pkcs8DER()
    let ed25519 = try SigningPrivateKey.generate(.ed25519).pkcs8DER()
    #expect(throws: CryptoError.self) { try SigningPrivateKey(pkcs8DER: p256, type: .ed25519) }
    #expect(throws: CryptoError.self) { try SigningPrivateKey(pkcs8DER: ed25519, type: .p256) }
    #expect(throws: CryptoError.self) { try SigningPrivateKey(pkcs8DER: p256 + [0], type: .p256) }
    #expect(throws: CryptoError.self) { try SigningPrivateKey(pkcs8DER: Array(p256.dropLast()), type: .p256) }
    #expect(throws: CryptoError.self) { try SigningPrivateKey(pkcs8DER: [], type: .p256) }
  }

  @Test func publicKeysOffTheCurveOrOfTheWrongLengthAreRefused() throws {
    var y = b64(Self.es256Y)
    y[31] ^= 0x01
    #expect(throws: CryptoError.self) { try SigningPublicKey(p256X: b64(Self.es256X), y: y) }
    #expect(throws: CryptoError.self) { try SigningPublicKey(p256X: [UInt8](repeating: 0, count: 32), y: y) }
    #expect(throws: CryptoError.self) {
      try SigningPublicKey(p256X: Array(b64(Self.es256X).dropFirst()), y: y)
    }
    #expect(throws: CryptoError.self) { try SigningPublicKey(ed25519: [UInt8](repeating: 1, count: 31)) }
    #expect(throws: CryptoError.self) { try SigningPublicKey(type: .p256, raw: b64(Self.ed25519X)) }
    #expect(throws: CryptoError.self) { try SigningPrivateKey(ed25519Seed: [1, 2, 3]) }
  }

  @Test func signaturesOfTheWrongLengthAreRefused() throws {
    for type in SigningKeyType.allCases {
      let key = try SigningPrivateKey.generate(type)
      let message = Array("m".utf8)
      let signature = try key.signature(for: message)
      #expect(!key.publicKey.isValidSignature(signature.dropLast(), for: message))
      #expect(!key.publicKey.isValidSignature(signature + [0], for: message))
      #expect(!key.publicKey.isValidSignature([UInt8](), for: message))
      #expect(!key.publicKey.isValidSignature([UInt8](repeating: 0, count: 64), for: message))
    }
  }

  @Test func descriptionsShowNoKeyMaterial() throws {
    let key = try SigningPrivateKey(ed25519Seed: b64(Self.ed25519Seed))
    #expect(String(describing: key) == "SigningPrivateKey(Ed25519)")
    var dump = ""
    Swift.dump(key, to: &dump)
    #expect(!dump.contains("EVPKey"))
    #expect(!dump.contains("pointer"))
  }
}

@Suite struct SigningKeyEdgeTests {
  @Test(arguments: SigningKeyType.allCases)
  func emptyAndLargeMessagesSignAndVerify(type: SigningKeyType) throws {
    let key = try SigningPrivateKey.generate(type)
    for message in [[UInt8](), [UInt8](repeating: 0x5A, count: 100_000)] {
      let signature = try key.signature(for: message)
      #expect(key.publicKey.isValidSignature(signature, for: message))
      #expect(!key.publicKey.isValidSignature(signature, for: message + [0]))
    }
  }

  @Test func concurrentSigningWithOneKeyIsSafe() async throws {
    let key = try SigningPrivateKey.generate(.p256)
    let results = await withTaskGroup(of: Bool.self) { group in
      for index in 0..<64 {
        group.addTask {
          let message = Array("message \(index)".utf8)
          guard let signature = try? key.signature(for: message) else { return false }
          return key.publicKey.isValidSignature(signature, for: message)
        }
      }
      return await group.reduce(into: [Bool]()) { $0.append($1) }
    }
    #expect(results.count == 64 && results.allSatisfy { $0 })
  }
}
