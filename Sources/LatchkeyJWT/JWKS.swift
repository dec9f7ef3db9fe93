import LatchkeyCrypto

/// The JSON Web Key Set document (RFC 7517 §5) of the public signing keys: what `/.well-known/jwks.json`
/// serves. HS256 secrets are never part of it, and no private member (`d`) is ever written.
public enum JWKS {
  /// `{"keys":[…]}` with one member per asymmetric key, in the given order; `{"keys":[]}` for none.
  public static func render(_ keys: [JWTKey]) -> String {
    "{\"keys\":[" + keys.compactMap(jwk).joined(separator: ",") + "]}"
  }

  /// One public JWK: `kty`, `crv`, `x` (and `y` for P-256) in base64url without padding, `kid`, `alg`,
  /// `use` "sig". Nil for an HS256 key.
  public static func jwk(_ key: JWTKey) -> String? {
    guard let publicKey = key.publicKey else { return nil }
    var json: [UInt8] = []
    switch publicKey.type {
    case .p256:
      json.append(contentsOf: #"{"kty":"EC","crv":"P-256","x":""#.utf8)
      Base64URL.append(publicKey.x, to: &json)
      json.append(contentsOf: #"","y":""#.utf8)
      Base64URL.append(publicKey.y ?? [], to: &json)
    case .ed25519:
      json.append(contentsOf: #"{"kty":"OKP","crv":"Ed25519","x":""#.utf8)
      Base64URL.append(publicKey.x, to: &json)
    }
    json.append(contentsOf: #"","kid":"#.utf8)
    JWTSigner.appendQuoted(key.kid, to: &json)
    json.append(contentsOf: #","alg":"\#(key.algorithm.rawValue)","use":"sig"}"#.utf8)
    return String(decoding: json, as: UTF8.self)
  }
}

extension JWTKeySet {
  /// The published set: the signing key, upcoming keys and retired keys that are asymmetric.
  public var jwks: String { JWKS.render(allKeys) }
}
