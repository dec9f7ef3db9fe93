extension JWTSigner {
  /// An RFC 9068 access token for a client: `typ` "at+jwt", the key set's signing key.
  public func sign(_ claims: ClientAccessClaims) -> String {
    signed(payload: Self.encode(claims), header: keys.signingKey.encodedClientHeader)
  }

  static func encode(_ claims: ClientAccessClaims) -> [UInt8] {
    var json: [UInt8] = []
    json.reserveCapacity(256)
    json.append(UInt8(ascii: "{"))
    appendMember("iss", string: claims.iss, to: &json, first: true)
    appendMember("sub", string: claims.sub, to: &json)
    appendMember("aud", string: claims.aud, to: &json)
    appendMember("exp", integer: claims.exp, to: &json)
    appendMember("iat", integer: claims.iat, to: &json)
    appendMember("nbf", integer: claims.nbf, to: &json)
    appendMember("jti", string: claims.jti, to: &json)
    appendMember("client_id", string: claims.clientID, to: &json)
    appendMember("scope", string: claims.scope, to: &json)
    json.append(UInt8(ascii: "}"))
    return json
  }
}
