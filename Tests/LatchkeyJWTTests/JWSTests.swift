import LatchkeyCrypto
import Testing

@testable import LatchkeyJWT

@Suite struct JWSTests {
  /// RFC 7515 Appendix A.1: HS256 over {"typ":"JWT",\r\n "alg":"HS256"} with the JWK's "k".
  static let rfcToken =
    "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9"
    + ".eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ"
    + ".dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
  static let rfcKey = Base64URL.decode(
    "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow")!

  @Test func rfc7515AppendixA1SignatureVerifies() throws {
    #expect(Self.rfcKey.count == 64)
    #expect(JWS.verifySignature(Self.rfcToken, secret: Self.rfcKey))
    let segments = Self.rfcToken.split(separator: ".")
    let header = try #require(Base64URL.decode(segments[0]))
    #expect(header == Array("{\"typ\":\"JWT\",\r\n \"alg\":\"HS256\"}".utf8))
    let payload = try #require(Base64URL.decode(segments[1]))
    #expect(
      payload
        == Array("{\"iss\":\"joe\",\r\n \"exp\":1300819380,\r\n \"http://example.com/is_root\":true}".utf8))
    // The same computation spelled out: HMAC over the ASCII signing input.
    let input = Array(Self.rfcToken.split(separator: ".").prefix(2).joined(separator: ".").utf8)
    #expect(Base64URL.encode(HMACSHA256.mac(key: Self.rfcKey, message: input)) == String(segments[2]))
  }

  @Test func rfcExampleFailsWithAnyChange() {
    var wrongKey = Self.rfcKey
    wrongKey[0] ^= 1
    #expect(!JWS.verifySignature(Self.rfcToken, secret: wrongKey))
    #expect(
      !JWS.verifySignature(
        Self.rfcToken.replacingOccurrences(of: "eyJpc3Mi", with: "eyJpc3Ni"), secret: Self.rfcKey))
    #expect(!JWS.verifySignature(String(Self.rfcToken.dropLast()), secret: Self.rfcKey))
    #expect(!JWS.verifySignature(Self.rfcToken + ".x", secret: Self.rfcKey))
  }

  @Test func rfcExampleIsRejectedByTheFullVerifier() throws {
    // No kid and a claim set that is not ours: the full verifier must refuse it even with the right key.
    let key = try JWTKey(secret: Self.rfcKey)
    let verifier = JWTVerifier(keys: JWTKeySet(signing: key), issuer: "joe", audience: "x")
    #expect(throws: JWTError(.unknownKey)) { try verifier.verify(Self.rfcToken, now: 1_300_819_000) }
  }
}
