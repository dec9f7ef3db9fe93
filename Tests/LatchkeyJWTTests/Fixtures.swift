import LatchkeyCrypto
import LatchkeyJWT

enum Fixtures {
  static let secret: [UInt8] = Array(0..<32)
  static let otherSecret: [UInt8] = Array(100..<148)
  static let key = try! JWTKey(secret: secret)
  static let otherKey = try! JWTKey(secret: otherSecret)
  static let issuer = "https://latchkey.test"
  static let audience = "latchkey-api"
  static let now: Int64 = 1_700_000_000

  static let claims = AccessClaims(
    iss: issuer, sub: "user-42", aud: audience, exp: now + 900, iat: now, nbf: now,
    jti: "4f1c2d9e-7a0b-4c55-9e21-0d3b8f6a7c11", sid: "sess-1", role: "user", email: "ada@example.com")

  static func verifier(keys: JWTKeySet = JWTKeySet(signing: key), leeway: Int64 = 30) -> JWTVerifier {
    JWTVerifier(keys: keys, issuer: issuer, audience: audience, leewaySeconds: leeway)
  }

  static func signer(_ key: JWTKey = key) -> JWTSigner {
    JWTSigner(keys: JWTKeySet(signing: key))
  }

  /// Builds a compact token from raw header and payload JSON, HMAC-signed with `secret` whatever the
  /// header claims, the way an attacker holding (or guessing) bytes would.
  static func token(header: String, payload: String, secret: [UInt8] = secret) -> String {
    let input = Base64URL.encode(Array(header.utf8)) + "." + Base64URL.encode(Array(payload.utf8))
    return input + "." + Base64URL.encode(HMACSHA256.mac(key: secret, message: Array(input.utf8)))
  }

  static var header: String { #"{"alg":"HS256","typ":"JWT","kid":"\#(key.kid)"}"# }

  /// Claims JSON with every member overridable; `nil` drops the member. Values are raw JSON.
  static func payload(_ overrides: [String: String?] = [:]) -> String {
    var members: [(String, String)] = [
      ("iss", #""\#(issuer)""#), ("sub", #""user-42""#), ("aud", #""\#(audience)""#),
      ("exp", String(now + 900)), ("iat", String(now)), ("nbf", String(now)), ("jti", #""jti-1""#),
      ("sid", #""sess-1""#), ("role", #""user""#), ("email", #""ada@example.com""#),
    ]
    for (name, value) in overrides {
      if let index = members.firstIndex(where: { $0.0 == name }) {
        if let value {
          members[index].1 = value
        } else {
          members.remove(at: index)
        }
      } else if let value {
        members.append((name, value))
      }
    }
    return "{" + members.map { #""\#($0.0)":\#($0.1)"# }.joined(separator: ",") + "}"
  }
}
