extension JWTSigner {
  /// An RFC 9068 access token for a client: `typ` "at+jwt", the key set's signing key.
  public func sign(_ claims: ClientAccessClaims) -> String {
    signed(payload: Self.encode(claims), header: keys.signingKey.encodedClientHeader)
  }

  static func encode(_ claims: ClientAccessClaims) -> [UInt8] {
    var json: [UInt8] = []
    json.reserveCapacity(256)
    appendRegisteredClaims(
      iss: claims.iss, sub: claims.sub, aud: claims.aud, exp: claims.exp, iat: claims.iat, nbf: claims.nbf,
      jti: claims.jti, to: &json)
    appendMember("client_id", string: claims.clientID, to: &json)
    appendMember("scope", string: claims.scope, to: &json)
    if let sid = claims.sid { appendMember("sid", string: sid, to: &json) }
    json.append(UInt8(ascii: "}"))
    return json
  }
}
