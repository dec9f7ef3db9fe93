import LatchkeyCrypto
import LatchkeyJWT

/// The fixed key set, verifier and clock shared by the JWT harnesses and their seeds.
public enum JWTFixture {
  public static let now: Int64 = 1_700_000_000
  public static let issuer = "latchkey"
  public static let audience = "latchkey-api"

  public static let signingSecret = [UInt8](0..<32)
  public static let previousSecret = [UInt8](100..<140)
  public static let signingKey = try! JWTKey(secret: signingSecret)
  public static let previousKey = try! JWTKey(secret: previousSecret)
  public static let keys = JWTKeySet(signing: signingKey, previous: [previousKey])
  public static let verifier = JWTVerifier(keys: keys, issuer: issuer, audience: audience)
  public static let signer = JWTSigner(keys: keys)
  public static let previousSigner = JWTSigner(keys: JWTKeySet(signing: previousKey))

  public static func claims(exp: Int64 = now + 900, email: String = "ann@example.com") -> AccessClaims {
    AccessClaims(
      iss: issuer, sub: "3f2b8c1e-5d4a-4f6b-9c7d-1a2b3c4d5e6f", aud: audience, exp: exp, iat: now - 10,
      nbf: now - 10, jti: "jti-0001", sid: "sid-0001", role: "user", email: email)
  }

  /// `{"alg":"HS256","typ":"JWT","kid":"<kid>"}`, as the signer writes it.
  public static func header(kid: String) -> String {
    "{\"alg\":\"HS256\",\"typ\":\"JWT\",\"kid\":\"\(kid)\"}"
  }

  /// A compact token over raw header and payload bytes, HS256-signed with `secret`.
  public static func token<H: Collection, P: Collection>(
    header: H, payload: P, secret: [UInt8]
  ) -> String where H.Element == UInt8, P.Element == UInt8 {
    let signingInput = Base64URL.encode(header) + "." + Base64URL.encode(payload)
    return signingInput + "."
      + Base64URL.encode(HMACSHA256.mac(key: secret, message: Array(signingInput.utf8)))
  }

  /// What every accepted token must satisfy, whatever its bytes were (written so that no claim
  /// value, up to Int64.min or max, can overflow here).
  public static func checkAccepted(_ claims: AccessClaims) -> Bool {
    claims.iss == issuer && claims.aud == audience
      && claims.exp > now - JWTVerifier.maxLeewaySeconds
      && claims.nbf <= now + JWTVerifier.maxLeewaySeconds
      && claims.iat <= now + JWTVerifier.maxLeewaySeconds
  }
}
