import LatchkeyCrypto
import Testing

@Suite struct ECDSASignatureTests {
  static func scalar(_ prefix: [UInt8], fill: UInt8 = 0x11) -> [UInt8] {
    prefix + [UInt8](repeating: fill, count: 32 - prefix.count)
  }

  @Test func plainValuesRoundTrip() throws {
    let raw = Self.scalar([0x01]) + Self.scalar([0x22])
    let der = try ECDSASignature.der(fromRaw: raw)
    #expect(der == [0x30, 68, 0x02, 32] + Self.scalar([0x01]) + [0x02, 32] + Self.scalar([0x22]))
    #expect(try ECDSASignature.raw(fromDER: der) == raw)
  }

  @Test func highBitValuesGetAZeroByteInDER() throws {
    let raw = Self.scalar([0x80]) + Self.scalar([0xFF])
    let der = try ECDSASignature.der(fromRaw: raw)
    #expect(
      der == [0x30, 70, 0x02, 33, 0x00] + Self.scalar([0x80]) + [0x02, 33, 0x00] + Self.scalar([0xFF]))
    #expect(try ECDSASignature.raw(fromDER: der) == raw)
  }

  @Test func leadingZerosAreStrippedInDERAndRestoredInRaw() throws {
    // r = 0x00 0x00 0x7F..., s = 0x00 0x80... (needs its sign byte back after stripping).
    let r = Self.scalar([0x00, 0x00, 0x7F])
    let s = Self.scalar([0x00, 0x80])
    let der = try ECDSASignature.der(fromRaw: r + s)
    #expect(der == [0x30, 66, 0x02, 30] + r.dropFirst(2) + [0x02, 32, 0x00] + s.dropFirst(1))
    #expect(try ECDSASignature.raw(fromDER: der) == r + s)
    // The smallest values: r = 1, s = 1.
    let one = [UInt8](repeating: 0, count: 31) + [1]
    let tiny = try ECDSASignature.der(fromRaw: one + one)
    #expect(tiny == [0x30, 6, 0x02, 1, 1, 0x02, 1, 1])
    #expect(try ECDSASignature.raw(fromDER: tiny) == one + one)
  }

  @Test func rawOfTheWrongLengthOrWithAZeroHalfIsRefused() {
    let valid = Self.scalar([0x01]) + Self.scalar([0x02])
    for raw in [[], Array(valid.dropLast()), valid + [0], valid + valid] {
      #expect(throws: CryptoError.self) { try ECDSASignature.der(fromRaw: raw) }
    }
    let zero = [UInt8](repeating: 0, count: 32)
    #expect(throws: CryptoError.self) { try ECDSASignature.der(fromRaw: zero + Self.scalar([1])) }
    #expect(throws: CryptoError.self) { try ECDSASignature.der(fromRaw: Self.scalar([1]) + zero) }
  }

  @Test(
    arguments: [
      ("empty", []),
      ("not a sequence", [0x31, 6, 0x02, 1, 1, 0x02, 1, 1]),
      ("sequence length too long", [0x30, 7, 0x02, 1, 1, 0x02, 1, 1]),
      ("sequence length too short", [0x30, 5, 0x02, 1, 1, 0x02, 1, 1]),
      ("long-form length", [0x30, 0x81, 6, 0x02, 1, 1, 0x02, 1, 1]),
      ("trailing byte", [0x30, 7, 0x02, 1, 1, 0x02, 1, 1, 0]),
      ("not an integer", [0x30, 6, 0x04, 1, 1, 0x02, 1, 1]),
      ("negative r", [0x30, 6, 0x02, 1, 0x81, 0x02, 1, 1]),
      ("zero r", [0x30, 6, 0x02, 1, 0, 0x02, 1, 1]),
      ("zero-length r", [0x30, 5, 0x02, 0, 0x02, 1, 1, 0]),
      ("non-minimal leading zero", [0x30, 7, 0x02, 2, 0x00, 0x01, 0x02, 1, 1]),
      ("integer runs past the end", [0x30, 6, 0x02, 1, 1, 0x02, 2, 1]),
      ("only r", [0x30, 3, 0x02, 1, 1]),
      ("three integers", [0x30, 9, 0x02, 1, 1, 0x02, 1, 1, 0x02, 1, 1]),
    ] as [(String, [UInt8])])
  func malformedDERIsRefused(name: String, der: [UInt8]) {
    #expect(throws: CryptoError.self, "\(name)") { try ECDSASignature.raw(fromDER: der) }
  }

  @Test func integersWiderThanTheCurveAreRefused() {
    let wide = [0x02, 33, 0x01] + [UInt8](repeating: 0x11, count: 32)
    let small: [UInt8] = [0x02, 1, 1]
    #expect(throws: CryptoError.self) {
      try ECDSASignature.raw(fromDER: [0x30, UInt8(wide.count + small.count)] + wide + small)
    }
    let padded = [0x02, 34, 0x00, 0x80] + [UInt8](repeating: 0x11, count: 32)
    #expect(throws: CryptoError.self) {
      try ECDSASignature.raw(fromDER: [0x30, UInt8(padded.count + small.count)] + padded + small)
    }
  }
}
