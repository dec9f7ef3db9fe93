import LatchkeyCrypto
import LatchkeyJWT
import Testing

/// Tokens an attacker could present (RFC 8725 §2-3 and the usual parser confusions), each with the
/// reason it must be refused for.
@Suite struct JWTForgeryTests {
  struct Case: Sendable, CustomTestStringConvertible {
    var name: String
    var token: String
    var reason: JWTError.Reason
    var testDescription: String { name }
  }

  static let kid = Fixtures.key.kid

  static func header(alg: String) -> String { #"{"alg":\#(alg),"typ":"JWT","kid":"\#(kid)"}"# }

  static func signed(payload overrides: [String: String?]) -> String {
    Fixtures.token(header: Fixtures.header, payload: Fixtures.payload(overrides))
  }

  static let valid = Fixtures.token(header: Fixtures.header, payload: Fixtures.payload())
  static let segments = valid.split(separator: ".", omittingEmptySubsequences: false).map(String.init)

  static func unsigned(header: String) -> String {
    Base64URL.encode(Array(header.utf8)) + "." + segments[1] + "."
  }

  static func replacing(segment index: Int, with text: String) -> String {
    var parts = segments
    parts[index] = text
    return parts.joined(separator: ".")
  }

  static let cases: [Case] = [
    Case(
      name: "alg none, empty signature", token: unsigned(header: header(alg: #""none""#)),
      reason: .unsupportedAlgorithm),
    Case(name: "alg None", token: unsigned(header: header(alg: #""None""#)), reason: .unsupportedAlgorithm),
    Case(name: "alg NONE", token: unsigned(header: header(alg: #""NONE""#)), reason: .unsupportedAlgorithm),
    Case(
      name: "alg none with a valid HS256 signature",
      token: Fixtures.token(header: header(alg: #""none""#), payload: Fixtures.payload()),
      reason: .unsupportedAlgorithm),
    Case(
      name: "alg HS384", token: Fixtures.token(header: header(alg: #""HS384""#), payload: Fixtures.payload()),
      reason: .unsupportedAlgorithm),
    Case(
      name: "alg HS512", token: Fixtures.token(header: header(alg: #""HS512""#), payload: Fixtures.payload()),
      reason: .unsupportedAlgorithm),
    Case(
      name: "alg RS256 HMAC-signed with the secret (key confusion)",
      token: Fixtures.token(header: header(alg: #""RS256""#), payload: Fixtures.payload()),
      reason: .unsupportedAlgorithm),
    Case(
      name: "alg ES256", token: Fixtures.token(header: header(alg: #""ES256""#), payload: Fixtures.payload()),
      reason: .unsupportedAlgorithm),
    Case(
      name: "alg hs256 lower case",
      token: Fixtures.token(header: header(alg: #""hs256""#), payload: Fixtures.payload()),
      reason: .unsupportedAlgorithm),
    Case(
      name: "alg missing",
      token: Fixtures.token(header: #"{"typ":"JWT","kid":"\#(kid)"}"#, payload: Fixtures.payload()),
      reason: .unsupportedAlgorithm),
    Case(
      name: "alg as a number", token: Fixtures.token(header: header(alg: "256"), payload: Fixtures.payload()),
      reason: .unsupportedAlgorithm),
    Case(
      name: "alg as an array",
      token: Fixtures.token(header: header(alg: #"["HS256"]"#), payload: Fixtures.payload()),
      reason: .unsupportedAlgorithm),
    Case(
      name: "alg duplicated (HS256 then none)",
      token: Fixtures.token(
        header: #"{"alg":"HS256","alg":"none","typ":"JWT","kid":"\#(kid)"}"#, payload: Fixtures.payload()),
      reason: .malformed),
    Case(
      name: "signed with another secret under our kid",
      token: Fixtures.token(
        header: Fixtures.header, payload: Fixtures.payload(), secret: Fixtures.otherSecret),
      reason: .badSignature),
    Case(
      name: "signed with another key under its own kid",
      token: Fixtures.signer(Fixtures.otherKey).sign(Fixtures.claims), reason: .unknownKey),
    Case(
      name: "tampered header",
      token: replacing(
        segment: 0,
        with: Base64URL.encode(Array(#"{"alg":"HS256","typ":"JWT","kid":"\#(kid)","x":1}"#.utf8))),
      reason: .badSignature),
    Case(
      name: "tampered payload (role admin)",
      token: replacing(
        segment: 1, with: Base64URL.encode(Array(Fixtures.payload(["role": #""admin""#]).utf8))),
      reason: .badSignature),
    Case(
      name: "signature stripped, two segments", token: segments[0] + "." + segments[1], reason: .malformed),
    Case(
      name: "signature stripped, trailing dot", token: segments[0] + "." + segments[1] + ".",
      reason: .badSignature),
    Case(
      name: "signature truncated to 31 bytes",
      token: replacing(segment: 2, with: Base64URL.encode(Base64URL.decode(segments[2])!.prefix(31))),
      reason: .badSignature),
    Case(
      name: "signature with one bit flipped", token: replacing(segment: 2, with: flipped(segments[2])),
      reason: .badSignature),
    Case(name: "expired", token: signed(payload: ["exp": String(Fixtures.now - 3600)]), reason: .expired),
    Case(
      name: "nbf in the future", token: signed(payload: ["nbf": String(Fixtures.now + 3600)]),
      reason: .notYetValid),
    Case(
      name: "iat far in the future", token: signed(payload: ["iat": String(Fixtures.now + 3600)]),
      reason: .invalidClaim),
    Case(name: "wrong iss", token: signed(payload: ["iss": #""https://evil.test""#]), reason: .wrongIssuer),
    Case(
      name: "iss differs only in case", token: signed(payload: ["iss": #""HTTPS://latchkey.test""#]),
      reason: .wrongIssuer),
    Case(name: "wrong aud", token: signed(payload: ["aud": #""other-api""#]), reason: .wrongAudience),
    Case(
      name: "aud array without ours", token: signed(payload: ["aud": #"["a","b"]"#]), reason: .wrongAudience),
    Case(name: "aud empty array", token: signed(payload: ["aud": "[]"]), reason: .wrongAudience),
    Case(
      name: "aud array with a number", token: signed(payload: ["aud": #"["latchkey-api",1]"#]),
      reason: .invalidClaim),
    Case(name: "aud as a number", token: signed(payload: ["aud": "1"]), reason: .invalidClaim),
    Case(name: "missing exp", token: signed(payload: ["exp": nil]), reason: .missingClaim),
    Case(name: "missing sub", token: signed(payload: ["sub": nil]), reason: .missingClaim),
    Case(name: "missing iss", token: signed(payload: ["iss": nil]), reason: .missingClaim),
    Case(
      name: "exp as a string", token: signed(payload: ["exp": #""\#(Fixtures.now + 900)""#]),
      reason: .invalidClaim),
    Case(name: "exp as a bool", token: signed(payload: ["exp": "true"]), reason: .invalidClaim),
    Case(name: "exp as null", token: signed(payload: ["exp": "null"]), reason: .invalidClaim),
    Case(name: "exp as a fraction", token: signed(payload: ["exp": "1700000900.5"]), reason: .invalidClaim),
    Case(
      name: "exp beyond Int64", token: signed(payload: ["exp": "99999999999999999999"]), reason: .invalidClaim
    ),
    Case(name: "nbf as a bool", token: signed(payload: ["nbf": "false"]), reason: .invalidClaim),
    Case(name: "sub as a number", token: signed(payload: ["sub": "42"]), reason: .invalidClaim),
    Case(
      name: "duplicate exp", token: duplicateExp,
      reason: .malformed),
    Case(
      name: "unknown kid",
      token: Fixtures.token(
        header: #"{"alg":"HS256","typ":"JWT","kid":"AAAAAAAAAAAA"}"#, payload: Fixtures.payload()),
      reason: .unknownKey),
    Case(
      name: "missing kid",
      token: Fixtures.token(header: #"{"alg":"HS256","typ":"JWT"}"#, payload: Fixtures.payload()),
      reason: .unknownKey),
    Case(
      name: "kid as a number",
      token: Fixtures.token(header: #"{"alg":"HS256","typ":"JWT","kid":1}"#, payload: Fixtures.payload()),
      reason: .malformed),
    Case(
      name: "typ other than JWT",
      token: Fixtures.token(
        header: #"{"alg":"HS256","typ":"JWE","kid":"\#(kid)"}"#, payload: Fixtures.payload()),
      reason: .malformed),
    Case(
      name: "crit extension",
      token: Fixtures.token(
        header: #"{"alg":"HS256","typ":"JWT","kid":"\#(kid)","crit":["b64"],"b64":false}"#,
        payload: Fixtures.payload()),
      reason: .malformed),
    Case(
      name: "bad base64 character", token: replacing(segment: 1, with: "*" + segments[1].dropFirst()),
      reason: .malformed),
    Case(
      name: "standard base64 '+'", token: replacing(segment: 2, with: "+" + segments[2].dropFirst()),
      reason: .malformed),
    Case(name: "'=' padding", token: valid + "=", reason: .malformed),
    Case(
      name: "padding inside a segment", token: replacing(segment: 0, with: segments[0] + "=="),
      reason: .malformed),
    Case(name: "leading space", token: " " + valid, reason: .malformed),
    Case(name: "trailing newline", token: valid + "\n", reason: .malformed),
    Case(
      name: "space inside the payload", token: replacing(segment: 1, with: "eyJ " + segments[1].dropFirst(3)),
      reason: .malformed),
    Case(name: "four segments", token: valid + ".e30", reason: .malformed),
    Case(name: "four segments, empty last", token: valid + ".", reason: .malformed),
    Case(name: "empty token", token: "", reason: .malformed),
    Case(name: "only dots", token: "..", reason: .malformed),
    Case(
      name: "huge token", token: signed(payload: ["pad": "\"" + String(repeating: "A", count: 5000) + "\""]),
      reason: .tooLarge),
    Case(
      name: "payload is an array", token: Fixtures.token(header: Fixtures.header, payload: "[1,2]"),
      reason: .malformed),
    Case(
      name: "payload is a string", token: Fixtures.token(header: Fixtures.header, payload: #""claims""#),
      reason: .malformed),
    Case(
      name: "payload is empty", token: Fixtures.token(header: Fixtures.header, payload: ""),
      reason: .malformed),
    Case(
      name: "payload with trailing garbage",
      token: Fixtures.token(header: Fixtures.header, payload: Fixtures.payload() + "x"), reason: .malformed),
    Case(
      name: "payload with a trailing comma",
      token: Fixtures.token(header: Fixtures.header, payload: String(Fixtures.payload().dropLast()) + ",}"),
      reason: .malformed),
    Case(
      name: "payload with invalid UTF-8",
      token: invalidUTF8Payload, reason: .malformed),
    Case(
      name: "payload with a lone surrogate escape",
      token: signed(payload: ["email": #""\udc00@example.com""#]), reason: .malformed),
    Case(
      name: "header is not JSON", token: Fixtures.token(header: "alg=HS256", payload: Fixtures.payload()),
      reason: .malformed),
    Case(
      name: "header is an array", token: Fixtures.token(header: #"["HS256"]"#, payload: Fixtures.payload()),
      reason: .malformed),
    Case(name: "header is empty", token: "." + segments[1] + "." + segments[2], reason: .malformed),
  ]

  static var duplicateExp: String {
    let payload = String(Fixtures.payload().dropLast()) + #","exp":9999999999}"#
    return Fixtures.token(header: Fixtures.header, payload: payload)
  }

  static var invalidUTF8Payload: String {
    var payload = Array(Fixtures.payload(["email": #""xx@example.com""#]).utf8)
    let index = payload.firstIndex(of: UInt8(ascii: "x"))!
    payload[index] = 0xC3
    payload[index + 1] = 0x28
    let input = segments[0] + "." + Base64URL.encode(payload)
    return input + "." + Base64URL.encode(HMACSHA256.mac(key: Fixtures.secret, message: Array(input.utf8)))
  }

  static func flipped(_ signature: String) -> String {
    var bytes = Base64URL.decode(signature)!
    bytes[5] ^= 0x01
    return Base64URL.encode(bytes)
  }

  @Test func corpusIsLargeAndTheBaselineIsValid() throws {
    #expect(Self.cases.count >= 20)
    #expect(try Fixtures.verifier().verify(Self.valid, now: Fixtures.now).sub == "user-42")
    #expect(Set(Self.cases.map(\.token)).count == Self.cases.count)
  }

  @Test(arguments: cases)
  func forgedTokenIsRejected(_ forged: Case) {
    #expect(throws: JWTError(forged.reason)) {
      try Fixtures.verifier().verify(forged.token, now: Fixtures.now)
    }
  }

  @Test func audienceArrayContainingOursIsAccepted() throws {
    let token = Self.signed(payload: ["aud": #"["other","latchkey-api"]"#])
    let claims = try Fixtures.verifier().verify(token, now: Fixtures.now)
    #expect(claims.aud == Fixtures.audience)
  }

  @Test func escapedButEquivalentJSONIsAccepted() throws {
    // Keys and values may legally use escapes; they mean the same thing and are signed, so accept.
    let token = Self.signed(payload: [
      "iss": #""https:\/\/latchkey.test""#, "email": #""\u0061da@example.com""#,
    ])
    let claims = try Fixtures.verifier().verify(token, now: Fixtures.now)
    #expect(claims.iss == Fixtures.issuer)
    #expect(claims.email == "ada@example.com")
    let header = #"{ "\u0061lg" : "HS256" , "kid":"\#(Self.kid)" }"#
    #expect(
      try Fixtures.verifier().verify(
        Fixtures.token(header: header, payload: Fixtures.payload()), now: Fixtures.now
      ).sub == "user-42")
  }

  @Test func maxTokenBytesIsConfigurable() throws {
    let small = JWTVerifier(
      keys: JWTKeySet(signing: Fixtures.key), issuer: Fixtures.issuer, audience: Fixtures.audience,
      maxTokenBytes: Self.valid.utf8.count - 1)
    #expect(throws: JWTError(.tooLarge)) { try small.verify(Self.valid, now: Fixtures.now) }
    let exact = JWTVerifier(
      keys: JWTKeySet(signing: Fixtures.key), issuer: Fixtures.issuer, audience: Fixtures.audience,
      maxTokenBytes: Self.valid.utf8.count)
    _ = try exact.verify(Self.valid, now: Fixtures.now)
  }
}
