import Foundation
import LatchkeyCrypto
import LatchkeyJWT
import Testing

@Suite struct JWTRoundTripTests {
  @Test func signThenVerify() throws {
    let token = Fixtures.signer().sign(Fixtures.claims)
    let claims = try Fixtures.verifier().verify(token, now: Fixtures.now + 10)
    #expect(claims == Fixtures.claims)
  }

  @Test func headerIsExactlyTheSpecifiedOne() throws {
    let token = Fixtures.signer().sign(Fixtures.claims)
    let segments = token.split(separator: ".", omittingEmptySubsequences: false)
    #expect(segments.count == 3)
    let header = try #require(Base64URL.decode(segments[0]))
    #expect(String(decoding: header, as: UTF8.self) == #"{"alg":"HS256","typ":"JWT","kid":"WQBHGYOsSpVK"}"#)
    #expect(try #require(Base64URL.decode(segments[2])).count == 32)
  }

  @Test func payloadIsStandardJSONWithEscapedStrings() throws {
    var claims = Fixtures.claims
    claims.email = "quote\" back\\slash\n tab\t ctrl\u{01} é 🔑 </script>"
    claims.role = "admin\u{7F}"
    let token = Fixtures.signer().sign(claims)
    let payload = try #require(Base64URL.decode(token.split(separator: ".")[1]))
    // Foundation's parser is an independent check that our hand-written JSON is valid and exact.
    let decoded = try JSONDecoder().decode(AccessClaims.self, from: Data(payload))
    #expect(decoded == claims)
    #expect(try Fixtures.verifier().verify(token, now: Fixtures.now) == claims)
    #expect(Fixtures.signer().sign(claims) == token)  // deterministic
  }

  /// Made by PyJWT 2.10: kid header, aud as an array, a non-ASCII \u escape, an extra nested claim.
  @Test func verifiesPyJWTToken() throws {
    let token = [
      "eyJhbGciOiJIUzI1NiIsImtpZCI6IldRQkhHWU9zU3BWSyIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJodHRwczovL2xhd",
      "GNoa2V5LnRlc3QiLCJzdWIiOiJ1c2VyLTQyIiwiYXVkIjpbIm90aGVyIiwibGF0Y2hrZXktYXBpIl0sImV4cCI6MTc",
      "wMDAwMDkwMCwiaWF0IjoxNzAwMDAwMDAwLCJuYmYiOjE3MDAwMDAwMDAsImp0aSI6Imp0aS0xIiwic2lkIjoic2lkL",
      "TEiLCJyb2xlIjoidXNlciIsImVtYWlsIjoiYVx1MDBlOUBleGFtcGxlLmNvbSIsImV4dHJhIjp7Im4iOlsxLDIuNSx",
      "udWxsLHRydWVdfX0.0rcpT9WUFjXGXjzBF9fkx5YrkvBd1Ee1gIpgSJ7pXz8",
    ].joined()
    let claims = try Fixtures.verifier().verify(token, now: Fixtures.now + 1)
    #expect(claims.sub == "user-42")
    #expect(claims.aud == Fixtures.audience)
    #expect(claims.email == "a\u{E9}@example.com")
    #expect(claims.exp == 1_700_000_900)
  }

  @Test func keyIdIsDerivedFromTheSecret() throws {
    // Independently computed: base64url(SHA-256("latchkey-kid-v1:" || 00..1f)[0..<9]).
    #expect(Fixtures.key.kid == "WQBHGYOsSpVK")
    #expect(Fixtures.key.kid.utf8.count == 12)
    #expect(try JWTKey(secret: Fixtures.secret).kid == Fixtures.key.kid)
    #expect(Fixtures.otherKey.kid != Fixtures.key.kid)
  }

  @Test func shortSecretsAreRefused() throws {
    #expect(throws: JWTConfigurationError.keyTooShort) { try JWTKey(secret: Array(0..<31)) }
    #expect(throws: JWTConfigurationError.keyTooShort) { try JWTKey(secret: []) }
    _ = try JWTKey(secret: Array(repeating: 7, count: 32))
  }

  @Test func keysNeverPrintTheirSecret() {
    let secretForms = [
      Base64URL.encode(Fixtures.secret), Fixtures.secret.map { String($0) }.joined(separator: ", "),
      "secret",
    ]
    var dumped = ""
    dump(Fixtures.key, to: &dumped)
    for text in [
      Fixtures.key.description, String(reflecting: Fixtures.key), "\(Fixtures.key)", dumped,
      String(describing: JWTKeySet(signing: Fixtures.key)),
    ] {
      for form in secretForms {
        #expect(!text.contains(form), "\(text)")
      }
      #expect(text.contains(Fixtures.key.kid))
    }
    #expect(Fixtures.key.description == "JWTKey(kid: WQBHGYOsSpVK)")
  }

  @Test func rotation() throws {
    let old = Fixtures.key
    let new = Fixtures.otherKey
    let oldToken = Fixtures.signer(old).sign(Fixtures.claims)
    let newToken = Fixtures.signer(new).sign(Fixtures.claims)
    #expect(oldToken.split(separator: ".")[0] != newToken.split(separator: ".")[0])

    let rotated = Fixtures.verifier(keys: JWTKeySet(signing: new, previous: [old]))
    #expect(try rotated.verify(oldToken, now: Fixtures.now) == Fixtures.claims)
    #expect(try rotated.verify(newToken, now: Fixtures.now) == Fixtures.claims)
    #expect(JWTKeySet(signing: new, previous: [old]).key(kid: old.kid)?.kid == old.kid)

    let retired = Fixtures.verifier(keys: JWTKeySet(signing: new))
    #expect(throws: JWTError(.unknownKey)) { try retired.verify(oldToken, now: Fixtures.now) }
    #expect(JWTKeySet(signing: new).key(kid: old.kid) == nil)
    #expect(try retired.verify(newToken, now: Fixtures.now) == Fixtures.claims)

    // The rotated signer uses the new key even when the set keeps the old one.
    let signer = JWTSigner(keys: JWTKeySet(signing: new, previous: [old]))
    #expect(signer.sign(Fixtures.claims) == newToken)
  }

  @Test func errorsDescribeOnlyTheReason() {
    #expect(JWTError(.badSignature).description == "jwt: badSignature")
    #expect("\(JWTError(.expired))" == "jwt: expired")
  }
}
