import Testing

@testable import LatchkeyDomain

@Suite struct PKCETests {
  static let digests = SoftwareSHA256()
  /// RFC 7636 Appendix B.
  static let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
  static let challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"

  static func hex(_ bytes: [UInt8]) -> String {
    bytes.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }
      .joined()
  }

  @Test func theTestHashIsSHA256() {
    // FIPS 180-2 Appendix B vectors, and the empty message; 56 bytes forces a second padding block.
    #expect(
      Self.hex(Self.digests.sha256(Array("abc".utf8)))
        == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    #expect(
      Self.hex(Self.digests.sha256([]))
        == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    let twoBlocks = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"
    #expect(
      Self.hex(Self.digests.sha256(Array(twoBlocks.utf8)))
        == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
  }

  @Test func rfc7636AppendixBVector() {
    #expect(PKCE.challenge(for: Self.verifier, digests: Self.digests) == Self.challenge)
    #expect(PKCE.verify(verifier: Self.verifier, challenge: Self.challenge, digests: Self.digests))
    #expect(PKCE.isWellFormedChallenge(Self.challenge))
  }

  @Test func aWrongVerifierOrChallengeFails() {
    let other = String(Self.verifier.dropLast()) + "l"
    #expect(!PKCE.verify(verifier: other, challenge: Self.challenge, digests: Self.digests))
    let otherChallenge = "A" + Self.challenge.dropFirst()
    #expect(!PKCE.verify(verifier: Self.verifier, challenge: otherChallenge, digests: Self.digests))
    // The plain method's "challenge" (the verifier itself) never passes as S256.
    #expect(!PKCE.verify(verifier: Self.verifier, challenge: Self.verifier, digests: Self.digests))
    #expect(!PKCE.verify(verifier: Self.verifier, challenge: "", digests: Self.digests))
    #expect(!PKCE.verify(verifier: Self.verifier, challenge: Self.challenge + "=", digests: Self.digests))
  }

  @Test func verifierLengthIs43To128() {
    let unreserved = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"
    #expect(PKCE.isValidVerifier(String(unreserved.prefix(43))))
    #expect(!PKCE.isValidVerifier(String(unreserved.prefix(42))))
    #expect(PKCE.isValidVerifier(String(repeating: "a", count: 128)))
    #expect(!PKCE.isValidVerifier(String(repeating: "a", count: 129)))
    #expect(!PKCE.isValidVerifier(""))
    #expect(PKCE.isValidVerifier(unreserved))
  }

  @Test(arguments: [" ", "+", "/", "=", "%", "!", "*", "\u{e9}", "\u{0}", "\n"])
  func verifierRejectsReservedCharacters(character: String) {
    let verifier = String(repeating: "a", count: 42) + character
    #expect(!PKCE.isValidVerifier(verifier))
    // Even when the challenge was computed from it: a malformed verifier is refused before hashing.
    let challenge = PKCE.challenge(for: verifier, digests: Self.digests)
    #expect(!PKCE.verify(verifier: verifier, challenge: challenge, digests: Self.digests))
  }

  @Test func verifyAcceptsEveryValidVerifierLength() {
    for length in [43, 64, 100, 128] {
      let verifier = String(repeating: "~", count: length)
      let challenge = PKCE.challenge(for: verifier, digests: Self.digests)
      #expect(PKCE.isWellFormedChallenge(challenge))
      #expect(PKCE.verify(verifier: verifier, challenge: challenge, digests: Self.digests))
    }
  }

  @Test func challengeShape() {
    #expect(!PKCE.isWellFormedChallenge(String(Self.challenge.dropLast())))
    #expect(!PKCE.isWellFormedChallenge(Self.challenge + "A"))
    #expect(!PKCE.isWellFormedChallenge(Self.challenge + "="))
    #expect(!PKCE.isWellFormedChallenge("+" + Self.challenge.dropFirst()))
    #expect(!PKCE.isWellFormedChallenge("/" + Self.challenge.dropFirst()))
    #expect(!PKCE.isWellFormedChallenge(" " + Self.challenge.dropFirst()))
    // The last character carries 4 bits of hash and 2 zero bits: `M` (12) fits, `N` (13) cannot be
    // the encoding of any 32 bytes.
    #expect(!PKCE.isWellFormedChallenge(Self.challenge.dropLast() + "N"))
    for last in "AEIMQUYcgkosw048" {
      #expect(PKCE.isWellFormedChallenge(Self.challenge.dropLast() + String(last)))
    }
  }

  @Test func base64URLMatchesRFC4648() {
    // RFC 4648 §10 vectors, unpadded, and the two characters that differ from base64.
    let vectors: [(String, String)] = [
      ("", ""), ("f", "Zg"), ("fo", "Zm8"), ("foo", "Zm9v"), ("foob", "Zm9vYg"), ("fooba", "Zm9vYmE"),
      ("foobar", "Zm9vYmFy"),
    ]
    for (input, output) in vectors { #expect(PKCE.base64URL(Array(input.utf8)) == output) }
    #expect(PKCE.base64URL([0xFB, 0xFF]) == "-_8")
  }
}
