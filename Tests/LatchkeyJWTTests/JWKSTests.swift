import Foundation
import LatchkeyCrypto
import LatchkeyJWT
import Testing

@Suite struct JWKSTests {
  typealias F = AsymmetricFixtures

  @Test func rendersPublicMembersOnly() throws {
    let p = F.es256Private.publicKey
    let e = F.edPrivate.publicKey
    let keys = JWTKeySet(signing: F.es256, previous: [Fixtures.key, F.eddsa])
    let expected =
      #"{"keys":[{"kty":"EC","crv":"P-256","x":"\#(Base64URL.encode(p.x))","y":"\#(Base64URL.encode(p.y!))","#
      + #""kid":"es-1","alg":"ES256","use":"sig"},{"kty":"OKP","crv":"Ed25519","x":"\#(Base64URL.encode(e.x))","#
      + #""kid":"ed-1","alg":"EdDSA","use":"sig"}]}"#
    #expect(keys.jwks == expected)
    #expect(!keys.jwks.contains("\"d\""))
    #expect(!keys.jwks.contains("="))
  }

  @Test func anHS256OnlySetIsEmpty() {
    #expect(JWTKeySet(signing: Fixtures.key).jwks == #"{"keys":[]}"#)
    #expect(JWKS.jwk(Fixtures.key) == nil)
  }

  /// A third party holding only the JWKS document verifies our tokens.
  @Test func aVerifierBuiltFromTheDocumentAloneAcceptsOurTokens() throws {
    let published = JWTKeySet(signing: F.es256, upcoming: [F.eddsa])
    let document = try JSONSerialization.jsonObject(with: Data(published.jwks.utf8)) as! [String: Any]
    let jwks = document["keys"] as! [[String: String]]
    #expect(jwks.count == 2)
    var rebuilt: [JWTKey] = []
    for jwk in jwks {
      let x = try #require(Base64URL.decode(jwk["x"]!))
      let publicKey: SigningPublicKey
      switch jwk["kty"] {
      case "EC": publicKey = try SigningPublicKey(p256X: x, y: try #require(Base64URL.decode(jwk["y"]!)))
      default: publicKey = try SigningPublicKey(ed25519: x)
      }
      #expect(jwk["use"] == "sig")
      rebuilt.append(try JWTKey(kid: jwk["kid"]!, publicKey: publicKey))
    }
    let verifier = F.verifier(JWTKeySet(signing: rebuilt[0], previous: Array(rebuilt.dropFirst())))
    for key in [F.es256, F.eddsa] {
      let token = JWTSigner(keys: JWTKeySet(signing: key)).sign(Fixtures.claims)
      #expect(try verifier.verify(token, now: Fixtures.now) == Fixtures.claims)
    }
  }
}
