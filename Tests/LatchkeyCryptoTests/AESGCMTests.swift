import Testing

@testable import LatchkeyCrypto

@Suite struct AESGCMTests {
  static let key = Array(UInt8(0)..<32)

  @Test func gcmSpecificationVectors() throws {
    // McGrew & Viega, "The Galois/Counter Mode of Operation", test cases 13 and 14 (AES-256, zero key
    // and nonce).
    let zeroKey = [UInt8](repeating: 0, count: 32)
    let zeroNonce = [UInt8](repeating: 0, count: 12)
    let empty = try AESGCM.seal([], key: zeroKey, nonce: zeroNonce, associatedData: [])
    #expect(hex(Array(empty.dropFirst(12))) == "530f8afbc74536b9a963b4f1c4cb738b")
    let block = try AESGCM.seal(
      [UInt8](repeating: 0, count: 16), key: zeroKey, nonce: zeroNonce, associatedData: [])
    #expect(
      hex(Array(block.dropFirst(12))) == "cea7403d4d606b6e074ec5d3baf39d18"
        + "d0d1c8a799996bf0265b98b5d48ab919")
    #expect(try AESGCM.open(block, key: zeroKey) == [UInt8](repeating: 0, count: 16))
  }

  @Test func sealsAndOpensWithAssociatedData() throws {
    let plaintext = Array("a PKCS#8 private key".utf8)
    let aad = Array("kid-1|ES256".utf8)
    let sealed = try AESGCM.seal(plaintext, key: Self.key, associatedData: aad)
    #expect(sealed.count == 12 + plaintext.count + 16)
    #expect(try AESGCM.open(sealed, key: Self.key, associatedData: aad) == plaintext)
    #expect(try AESGCM.open(try AESGCM.seal([], key: Self.key), key: Self.key) == [])
  }

  @Test func everySealUsesAFreshNonce() throws {
    let a = try AESGCM.seal([1, 2, 3], key: Self.key)
    let b = try AESGCM.seal([1, 2, 3], key: Self.key)
    #expect(a.prefix(12) != b.prefix(12))
    #expect(a != b)
  }

  @Test func anyChangeFailsToOpen() throws {
    let plaintext = Array("secret".utf8)
    let aad = Array("kid-1".utf8)
    let sealed = try AESGCM.seal(plaintext, key: Self.key, associatedData: aad)
    // Nonce, ciphertext and tag bytes.
    for index in [0, 11, 12, 12 + plaintext.count - 1, sealed.count - 16, sealed.count - 1] {
      var tampered = sealed
      tampered[index] ^= 0x01
      #expect(throws: CryptoError(.authenticationFailed, operation: "AES-256-GCM open")) {
        try AESGCM.open(tampered, key: Self.key, associatedData: aad)
      }
    }
    #expect(throws: CryptoError.self) {
      try AESGCM.open(sealed, key: Self.key, associatedData: Array("kid-2".utf8))
    }
    #expect(throws: CryptoError.self) { try AESGCM.open(sealed, key: Self.key) }
    var otherKey = Self.key
    otherKey[0] ^= 1
    #expect(throws: CryptoError.self) { try AESGCM.open(sealed, key: otherKey, associatedData: aad) }
    #expect(throws: CryptoError.self) {
      try AESGCM.open(Array(sealed.dropLast()), key: Self.key, associatedData: aad)
    }
    #expect(throws: CryptoError.self) { try AESGCM.open(Array(sealed.prefix(27)), key: Self.key) }
  }

  @Test func keysOfTheWrongLengthAreRefused() {
    #expect(throws: CryptoError.self) { try AESGCM.seal([1], key: Array(Self.key.prefix(16))) }
    #expect(throws: CryptoError.self) { try AESGCM.open([UInt8](repeating: 0, count: 40), key: []) }
  }
}
