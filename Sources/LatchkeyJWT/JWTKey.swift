import LatchkeyCrypto

public enum JWTConfigurationError: Error, Equatable, Sendable {
  /// HS256 keys shorter than the 256-bit output are brute-forceable from one token (RFC 7518 §3.2).
  case keyTooShort
}

/// An HS256 secret and the key id derived from it. Printing or dumping a key shows only its id.
public struct JWTKey: Sendable, CustomStringConvertible, CustomReflectable {
  public static let minimumSecretBytes = 32

  /// base64url of the first 9 bytes of SHA-256("latchkey-kid-v1:" + secret): stable across restarts
  /// and processes, different per key, and revealing nothing usable about the secret.
  public let kid: String
  let secret: [UInt8]
  let kidBytes: [UInt8]
  /// base64url of `{"alg":"HS256","typ":"JWT","kid":"<kid>"}`, the same for every token this key signs.
  let encodedHeader: [UInt8]

  public init(secret: [UInt8]) throws(JWTConfigurationError) {
    guard secret.count >= Self.minimumSecretBytes else { throw .keyTooShort }
    self.secret = secret
    let digest = SHA256.hash(Array("latchkey-kid-v1:".utf8) + secret)
    kid = Base64URL.encode(digest.prefix(9))
    kidBytes = Array(kid.utf8)
    var header: [UInt8] = []
    Base64URL.append(Array("{\"alg\":\"HS256\",\"typ\":\"JWT\",\"kid\":\"\(kid)\"}".utf8), to: &header)
    encodedHeader = header
  }

  public var description: String { "JWTKey(kid: \(kid))" }

  public var customMirror: Mirror { Mirror(self, children: ["kid": kid]) }
}

/// The key that signs new tokens plus retired keys that still verify until their tokens expire.
public struct JWTKeySet: Sendable {
  public var signingKey: JWTKey
  public var previous: [JWTKey]

  public init(signing: JWTKey, previous: [JWTKey] = []) {
    signingKey = signing
    self.previous = previous
  }

  public func key(kid: String) -> JWTKey? {
    if signingKey.kid == kid { return signingKey }
    return previous.first { $0.kid == kid }
  }

  func key(matching token: JSONStringToken, in scanner: JSONScanner) -> JWTKey? {
    if scanner.matches(token, signingKey.kidBytes) { return signingKey }
    return previous.first { scanner.matches(token, $0.kidBytes) }
  }
}
