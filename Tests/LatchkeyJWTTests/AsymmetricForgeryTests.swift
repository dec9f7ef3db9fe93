import LatchkeyCrypto
import LatchkeyJWT
import Testing

/// Forgeries against asymmetric keys (RFC 8725 §2.1, §3.1): the algorithm comes from the key, never
/// from the token.
@Suite struct AsymmetricForgeryTests {
  typealias F = AsymmetricFixtures

  static let keys = JWTKeySet(signing: F.es256, previous: [F.eddsa, Fixtures.key])
  static let verifier = F.verifier(keys)
  static let payload = Fixtures.payload()

  static func header(alg: String, kid: String) -> String { #"{"alg":"\#(alg)","typ":"JWT","kid":"\#(kid)"}"# }

  static func expect(
    _ token: String, fails reason: JWTError.Reason, sourceLocation: SourceLocation = #_sourceLocation
  ) {
    #expect(throws: JWTError(reason), sourceLocation: sourceLocation) {
      try verifier.verify(token, now: Fixtures.now)
    }
  }

  @Test func hs256WithThePublicKeyAsTheSecretFails() {
    let publicKey = F.es256Private.publicKey
    let x = Base64URL.encode(publicKey.x)
    let y = Base64URL.encode(publicKey.y!)
    // Every form an attacker might guess the verifier would feed to HMAC.
    let secrets: [[UInt8]] = [
      publicKey.rawRepresentation, [0x04] + publicKey.rawRepresentation,
      Array(#"{"kty":"EC","crv":"P-256","x":"\#(x)","y":"\#(y)"}"#.utf8),
      Array(JWKS.jwk(F.es256)!.utf8),
    ]
    for secret in secrets {
      Self.expect(
        F.hmacToken(header: Self.header(alg: "HS256", kid: "es-1"), payload: Self.payload, secret: secret),
        fails: .unsupportedAlgorithm)
    }
    Self.expect(
      F.hmacToken(
        header: Self.header(alg: "HS256", kid: "ed-1"), payload: Self.payload, secret: F.edPrivate.publicKey.x
      ),
      fails: .unsupportedAlgorithm)
  }

  @Test func algNoneFails() {
    let input =
      Base64URL.encode(Array(Self.header(alg: "none", kid: "es-1").utf8)) + "."
      + Base64URL.encode(Array(Self.payload.utf8))
    Self.expect(input + ".", fails: .unsupportedAlgorithm)
    // Even with a genuine signature appended.
    let signature = Base64URL.encode(try! F.es256Private.signature(for: Array(input.utf8)))
    Self.expect(input + "." + signature, fails: .unsupportedAlgorithm)
  }

  @Test func anAlgorithmOtherThanTheKeysFails() {
    // EdDSA claimed for the P-256 key and the reverse, each signed by the named key's own type.
    Self.expect(
      F.token(header: Self.header(alg: "EdDSA", kid: "es-1"), payload: Self.payload, signer: F.edPrivate),
      fails: .unsupportedAlgorithm)
    Self.expect(
      F.token(header: Self.header(alg: "ES256", kid: "ed-1"), payload: Self.payload, signer: F.es256Private),
      fails: .unsupportedAlgorithm)
    // The HS256 key cannot be used with ES256 either.
    Self.expect(
      F.token(
        header: Self.header(alg: "ES256", kid: Fixtures.key.kid), payload: Self.payload,
        signer: F.es256Private),
      fails: .unsupportedAlgorithm)
    for alg in ["ES384", "ES512", "RS256", "PS256", "Ed25519", "es256", "EDDSA"] {
      Self.expect(
        F.token(header: Self.header(alg: alg, kid: "es-1"), payload: Self.payload, signer: F.es256Private),
        fails: .unsupportedAlgorithm)
    }
  }

  @Test func unknownOrMissingKidFails() {
    Self.expect(
      F.token(header: Self.header(alg: "ES256", kid: "es-2"), payload: Self.payload, signer: F.es256Private),
      fails: .unknownKey)
    Self.expect(
      F.token(header: #"{"alg":"ES256","typ":"JWT"}"#, payload: Self.payload, signer: F.es256Private),
      fails: .unknownKey)
  }

  @Test func aSignatureOfAnotherKeyFails() {
    // Another P-256 key claiming our kid.
    Self.expect(JWTSigner(keys: JWTKeySet(signing: F.otherES256)).sign(Fixtures.claims), fails: .badSignature)
    let other = try! SigningPrivateKey.generate(.ed25519)
    Self.expect(
      F.token(header: Self.header(alg: "EdDSA", kid: "ed-1"), payload: Self.payload, signer: other),
      fails: .badSignature)
  }

  @Test func tamperedOrReencodedSignaturesFail() throws {
    let token = JWTSigner(keys: Self.keys).sign(Fixtures.claims)
    var parts = F.segments(token)
    let signature = Base64URL.decode(parts[2])!
    var flipped = signature
    flipped[63] ^= 0x01
    parts[2] = Base64URL.encode(flipped)
    Self.expect(parts.joined(separator: "."), fails: .badSignature)
    parts[2] = Base64URL.encode(try ECDSASignature.der(fromRaw: signature))
    Self.expect(parts.joined(separator: "."), fails: .badSignature)
    parts[2] = Base64URL.encode(signature + [0])
    Self.expect(parts.joined(separator: "."), fails: .badSignature)
    parts[2] = ""
    Self.expect(parts.joined(separator: "."), fails: .badSignature)
    // Claims changed under a genuine signature.
    parts = F.segments(token)
    parts[1] = Base64URL.encode(Array(Fixtures.payload(["role": #""admin""#]).utf8))
    Self.expect(parts.joined(separator: "."), fails: .badSignature)
  }
}
