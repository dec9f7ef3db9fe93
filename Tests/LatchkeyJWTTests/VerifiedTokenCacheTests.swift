import LatchkeyJWT
import Testing

/// A verifier remembers the user tokens it has authenticated (per thread); what it remembers must
/// never change an answer: the same token is accepted as before, time checks run each time, and a
/// different token or another verifier's keys are checked in full.
@Suite struct VerifiedTokenCacheTests {
  static let token = Fixtures.signer().sign(Fixtures.claims)

  @Test("a token verified twice gives the same claims")
  func repeated() throws {
    let verifier = Fixtures.verifier()
    let first = try verifier.verify(Self.token, now: Fixtures.now)
    let second = try verifier.verify(Self.token, now: Fixtures.now)
    #expect(first == Fixtures.claims)
    #expect(second == first)
  }

  @Test("expiry is checked on every verification, cached or not")
  func expiryStillChecked() throws {
    let verifier = Fixtures.verifier(leeway: 0)
    _ = try verifier.verify(Self.token, now: Fixtures.now)
    #expect(throws: JWTError(.expired)) {
      try verifier.verify(Self.token, now: Fixtures.claims.exp)
    }
    #expect(throws: JWTError(.notYetValid)) {
      try verifier.verify(Self.token, now: Fixtures.claims.nbf - 10)
    }
  }

  @Test("another verifier's keys never see a remembered token")
  func otherKeys() throws {
    _ = try Fixtures.verifier().verify(Self.token, now: Fixtures.now)
    #expect(throws: JWTError.self) {
      try Fixtures.verifier(keys: JWTKeySet(signing: Fixtures.otherKey)).verify(Self.token, now: Fixtures.now)
    }
  }

  @Test("a token one byte away from a remembered one is checked in full")
  func nearMiss() throws {
    let verifier = Fixtures.verifier()
    _ = try verifier.verify(Self.token, now: Fixtures.now)
    var bytes = Array(Self.token.utf8)
    // The signature's last character: same length, same shape, wrong MAC.
    let last = bytes.count - 1
    bytes[last] = bytes[last] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
    let tampered = String(decoding: bytes, as: UTF8.self)
    #expect(throws: JWTError.self) { try verifier.verify(tampered, now: Fixtures.now) }
    #expect(try verifier.verify(Self.token, now: Fixtures.now) == Fixtures.claims)
  }

  @Test("a token that differs from a remembered one anywhere before its last 32 bytes is checked in full")
  func sameTailOtherBody() throws {
    // Such a token shares the remembered one's slot and hash (both come from the length and the
    // tail): only the comparison of every byte keeps it out.
    let verifier = Fixtures.verifier()
    _ = try verifier.verify(Self.token, now: Fixtures.now)
    let original = Array(Self.token.utf8)
    for index in [0, original.count / 2, original.count - 33] {
      var bytes = original
      bytes[index] = bytes[index] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
      let tampered = String(decoding: bytes, as: UTF8.self)
      #expect(throws: JWTError.self) { try verifier.verify(tampered, now: Fixtures.now) }
    }
    #expect(try verifier.verify(Self.token, now: Fixtures.now) == Fixtures.claims)
  }
}
