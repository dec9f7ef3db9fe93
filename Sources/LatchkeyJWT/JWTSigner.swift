import LatchkeyCrypto
import LatchkeyJSON

/// Issues access tokens with the key set's signing key: HS256, ES256 or EdDSA, whichever it is.
public struct JWTSigner: Sendable {
  public let keys: JWTKeySet

  public init(keys: JWTKeySet) {
    self.keys = keys
  }

  /// A user token (`typ` "JWT"). Signing with an asymmetric key only fails if OpenSSL does, which leaves
  /// nothing sensible to issue, so it stops the process like the HMAC path.
  public func sign(_ claims: AccessClaims) -> String {
    signed(payload: Self.encode(claims), header: keys.signingKey.encodedHeader)
  }

  func signed(payload: [UInt8], header: [UInt8]) -> String {
    let key = keys.signingKey
    precondition(key.canSign, "JWTSigner: the signing key \(key.kid) has no private key")
    var token: [UInt8] = []
    token.reserveCapacity(header.count + payload.count * 4 / 3 + 100)
    token.append(contentsOf: header)
    token.append(UInt8(ascii: "."))
    Base64URL.append(payload, to: &token)
    let signature: [UInt8]
    if let privateKey = key.privateKey {
      do {
        signature = try privateKey.signature(for: token)
      } catch {
        fatalError("JWTSigner: \(error)")
      }
    } else {
      signature = HMACSHA256.mac(key: key.secret, message: token)
    }
    token.append(UInt8(ascii: "."))
    Base64URL.append(signature, to: &token)
    return String(decoding: token, as: UTF8.self)
  }

  /// Hand-written JSON with a fixed member order: deterministic and several times faster than
  /// JSONEncoder.
  static func encode(_ claims: AccessClaims) -> [UInt8] {
    var json: [UInt8] = []
    json.reserveCapacity(256)
    appendRegisteredClaims(
      iss: claims.iss, sub: claims.sub, aud: claims.aud, exp: claims.exp, iat: claims.iat, nbf: claims.nbf,
      jti: claims.jti, to: &json)
    appendMember("sid", string: claims.sid, to: &json)
    appendMember("role", string: claims.role, to: &json)
    appendMember("email", string: claims.email, to: &json)
    json.append(UInt8(ascii: "}"))
    return json
  }

  /// `{` and the registered claims every access token carries, in a fixed order.
  static func appendRegisteredClaims(
    iss: String, sub: String, aud: String, exp: Int64, iat: Int64, nbf: Int64, jti: String,
    to json: inout [UInt8]
  ) {
    json.append(UInt8(ascii: "{"))
    appendMember("iss", string: iss, to: &json, first: true)
    appendMember("sub", string: sub, to: &json)
    appendMember("aud", string: aud, to: &json)
    appendMember("exp", integer: exp, to: &json)
    appendMember("iat", integer: iat, to: &json)
    appendMember("nbf", integer: nbf, to: &json)
    appendMember("jti", string: jti, to: &json)
  }

  static func appendKey(_ key: StaticString, to json: inout [UInt8], first: Bool) {
    if !first { json.append(UInt8(ascii: ",")) }
    json.append(UInt8(ascii: "\""))
    json.append(contentsOf: UnsafeBufferPointer(start: key.utf8Start, count: key.utf8CodeUnitCount))
    json.append(UInt8(ascii: "\""))
    json.append(UInt8(ascii: ":"))
  }

  static func appendMember(
    _ key: StaticString, string value: String, to json: inout [UInt8], first: Bool = false
  ) {
    appendKey(key, to: &json, first: first)
    appendQuoted(value, to: &json)
  }

  static func appendMember(_ key: StaticString, integer value: Int64, to json: inout [UInt8]) {
    appendKey(key, to: &json, first: false)
    json.append(contentsOf: String(value).utf8)
  }

  /// One JSON escaper for the whole package (`LatchkeyJSON`).
  static func appendQuoted(_ value: String, to json: inout [UInt8]) {
    JSONText.appendString(value, to: &json)
  }
}
