import LatchkeyCrypto
import LatchkeyJWT

enum AsymmetricFixtures {
  static let es256Private = try! SigningPrivateKey.generate(.p256)
  static let edPrivate = try! SigningPrivateKey.generate(.ed25519)
  static let es256 = try! JWTKey(kid: "es-1", privateKey: es256Private)
  static let eddsa = try! JWTKey(kid: "ed-1", privateKey: edPrivate)
  static let otherES256 = try! JWTKey(kid: "es-1", privateKey: try! SigningPrivateKey.generate(.p256))

  static let clientClaims = ClientAccessClaims(
    iss: Fixtures.issuer, sub: "client-7", aud: Fixtures.audience, exp: Fixtures.now + 900, iat: Fixtures.now,
    nbf: Fixtures.now, jti: "c0ffee00-1111-4222-8333-444455556666", clientID: "client-7", scope: "read write")

  static func verifier(_ keys: JWTKeySet) -> JWTVerifier {
    JWTVerifier(keys: keys, issuer: Fixtures.issuer, audience: Fixtures.audience)
  }

  /// A compact token from raw JSON, signed by `key`'s private key whatever the header says.
  static func token(header: String, payload: String, signer key: SigningPrivateKey) -> String {
    let input = Base64URL.encode(Array(header.utf8)) + "." + Base64URL.encode(Array(payload.utf8))
    return input + "." + Base64URL.encode(try! key.signature(for: Array(input.utf8)))
  }

  /// A compact token HMAC-signed with arbitrary bytes, the classic algorithm-confusion forgery.
  static func hmacToken(header: String, payload: String, secret: [UInt8]) -> String {
    Fixtures.token(header: header, payload: payload, secret: secret)
  }

  static func segments(_ token: String) -> [String] {
    token.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
  }

  static func decodedHeader(_ token: String) -> String {
    String(decoding: Base64URL.decode(segments(token)[0])!, as: UTF8.self)
  }

  static var clientPayload: String {
    #"{"iss":"\#(Fixtures.issuer)","sub":"client-7","aud":"\#(Fixtures.audience)","exp":\#(Fixtures.now + 900),"#
      + #""iat":\#(Fixtures.now),"nbf":\#(Fixtures.now),"jti":"j","client_id":"client-7","scope":"read"}"#
  }
}
