import LatchkeyCrypto
import Testing

@Suite struct HKDFTests {
  @Test func rfc5869TestCase1() throws {
    let okm = try HKDF.sha256(
      secret: [UInt8](repeating: 0x0B, count: 22), salt: Array(0x00...0x0C), info: Array(0xF0...0xF9),
      outputLength: 42)
    #expect(
      hex(okm) == "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865")
  }

  @Test func rfc5869TestCase3WithoutSaltOrInfo() throws {
    let okm = try HKDF.sha256(secret: [UInt8](repeating: 0x0B, count: 22), outputLength: 42)
    #expect(
      hex(okm) == "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8")
  }

  @Test func infoSeparatesPurposes() throws {
    let secret = Array("a configured secret of enough length".utf8)
    let a = try HKDF.sha256(secret: secret, info: Array("latchkey signing keys v1".utf8), outputLength: 32)
    let b = try HKDF.sha256(secret: secret, info: Array("something else".utf8), outputLength: 32)
    #expect(a.count == 32)
    #expect(a != b)
  }

  @Test func invalidParametersAreRefused() {
    #expect(throws: CryptoError.self) { try HKDF.sha256(secret: [], outputLength: 32) }
    #expect(throws: CryptoError.self) { try HKDF.sha256(secret: [1], outputLength: 0) }
    #expect(throws: CryptoError.self) { try HKDF.sha256(secret: [1], outputLength: 255 * 32 + 1) }
  }
}
