import LatchkeyCrypto

public enum JWTConfigurationError: Error, Equatable, Sendable {
  /// HS256 keys shorter than the 256-bit output are brute-forceable from one token (RFC 7518 §3.2).
  case keyTooShort
  /// A kid must be 1-128 printable ASCII characters, neither `"` nor `\`, so headers need no escaping.
  case invalidKeyID
}

/// A signing or verification key and its id: an HS256 secret, an asymmetric private key (signs and
/// verifies) or an asymmetric public key (verifies only). Printing or dumping a key shows only its id
/// and algorithm.
public struct JWTKey: Sendable, CustomStringConvertible, CustomReflectable {
  public static let minimumSecretBytes = 32
  public static let maximumKeyIDLength = 128

  public let kid: String
  public let algorithm: JWTAlgorithm
  /// The public half of an ES256 or EdDSA key; nil for HS256.
  public let publicKey: SigningPublicKey?
  /// HS256 only; empty otherwise.
  let secret: [UInt8]
  let privateKey: SigningPrivateKey?
  let kidBytes: [UInt8]
  /// base64url of `{"alg":"…","typ":"JWT","kid":"<kid>"}`, the same for every user token this key signs.
  let encodedHeader: [UInt8]
  /// The same with `typ` "at+jwt", for tokens issued to clients (RFC 9068 §2.1).
  let encodedClientHeader: [UInt8]

  /// An HS256 key whose kid is base64url of the first 9 bytes of SHA-256("latchkey-kid-v1:" + secret):
  /// stable across restarts and processes, different per key, and revealing nothing usable about the
  /// secret.
  public init(secret: [UInt8]) throws(JWTConfigurationError) {
    guard secret.count >= Self.minimumSecretBytes else { throw .keyTooShort }
    let digest = SHA256.hash(Array("latchkey-kid-v1:".utf8) + secret)
    self.init(
      kid: Base64URL.encode(digest.prefix(9)), algorithm: .hs256, secret: secret, privateKey: nil,
      publicKey: nil)
  }

  /// An ES256 or EdDSA key that signs (and verifies) under `kid`.
  public init(kid: String, privateKey: SigningPrivateKey) throws(JWTConfigurationError) {
    try Self.validate(kid: kid)
    self.init(
      kid: kid, algorithm: JWTAlgorithm(keyType: privateKey.type), secret: [], privateKey: privateKey,
      publicKey: privateKey.publicKey)
  }

  /// An ES256 or EdDSA key that only verifies, under `kid`.
  public init(kid: String, publicKey: SigningPublicKey) throws(JWTConfigurationError) {
    try Self.validate(kid: kid)
    self.init(
      kid: kid, algorithm: JWTAlgorithm(keyType: publicKey.type), secret: [], privateKey: nil,
      publicKey: publicKey)
  }

  private init(
    kid: String, algorithm: JWTAlgorithm, secret: [UInt8], privateKey: SigningPrivateKey?,
    publicKey: SigningPublicKey?
  ) {
    self.kid = kid
    self.algorithm = algorithm
    self.secret = secret
    self.privateKey = privateKey
    self.publicKey = publicKey
    kidBytes = Array(kid.utf8)
    encodedHeader = Self.header(algorithm: algorithm, type: .user, kid: kid)
    encodedClientHeader = Self.header(algorithm: algorithm, type: .client, kid: kid)
  }

  /// True when this key can issue tokens: an HS256 secret or an asymmetric private key.
  public var canSign: Bool { algorithm == .hs256 || privateKey != nil }

  /// The RFC 7638 JWK thumbprint of a public key (SHA-256 over the canonical members, base64url): a
  /// kid that any party can recompute from the published key.
  public static func thumbprint(of publicKey: SigningPublicKey) -> String {
    let x = Base64URL.encode(publicKey.x)
    let canonical: String
    switch publicKey.type {
    case .p256:
      let y = Base64URL.encode(publicKey.y ?? [])
      canonical = #"{"crv":"P-256","kty":"EC","x":"\#(x)","y":"\#(y)"}"#
    case .ed25519:
      canonical = #"{"crv":"Ed25519","kty":"OKP","x":"\#(x)"}"#
    }
    return Base64URL.encode(SHA256.hash(Array(canonical.utf8)))
  }

  public var description: String {
    algorithm == .hs256 ? "JWTKey(kid: \(kid))" : "JWTKey(kid: \(kid), alg: \(algorithm.rawValue))"
  }

  public var customMirror: Mirror { Mirror(self, children: ["kid": kid, "alg": algorithm.rawValue]) }

  private static func validate(kid: String) throws(JWTConfigurationError) {
    let bytes = kid.utf8
    guard !bytes.isEmpty, bytes.count <= maximumKeyIDLength,
      bytes.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") })
    else { throw .invalidKeyID }
  }

  private static func header(algorithm: JWTAlgorithm, type: JWTTokenType, kid: String) -> [UInt8] {
    var header: [UInt8] = []
    let json = #"{"alg":"\#(algorithm.rawValue)","typ":"\#(type.headerValue)","kid":"\#(kid)"}"#
    Base64URL.append(Array(json.utf8), to: &header)
    return header
  }
}

/// The key that signs new tokens, retired keys that still verify until their tokens expire, and
/// upcoming keys that are published before they sign (so that every verifier knows a key before the
/// first token it signs arrives).
public struct JWTKeySet: Sendable {
  public var signingKey: JWTKey
  public var previous: [JWTKey]
  public var upcoming: [JWTKey]

  public init(signing: JWTKey, previous: [JWTKey] = [], upcoming: [JWTKey] = []) {
    signingKey = signing
    self.previous = previous
    self.upcoming = upcoming
  }

  public func key(kid: String) -> JWTKey? {
    if signingKey.kid == kid { return signingKey }
    return previous.first { $0.kid == kid } ?? upcoming.first { $0.kid == kid }
  }

  /// Every key, signing key first.
  public var allKeys: [JWTKey] { [signingKey] + upcoming + previous }

  func key(matching token: JSONStringToken, in scanner: JSONScanner) -> JWTKey? {
    if scanner.matches(token, signingKey.kidBytes) { return signingKey }
    return previous.first { scanner.matches(token, $0.kidBytes) }
      ?? upcoming.first { scanner.matches(token, $0.kidBytes) }
  }
}
