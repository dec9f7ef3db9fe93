import LatchkeyCrypto

/// The JWS algorithms Latchkey signs and verifies with. A key has exactly one; verification takes it
/// from the key, never from the token (RFC 8725 §3.1).
public enum JWTAlgorithm: String, Sendable, CaseIterable {
  case hs256 = "HS256"
  case es256 = "ES256"
  case edDSA = "EdDSA"

  /// The asymmetric key type behind the algorithm; nil for HS256.
  public var keyType: SigningKeyType? {
    switch self {
    case .hs256: nil
    case .es256: .p256
    case .edDSA: .ed25519
    }
  }

  public init(keyType: SigningKeyType) {
    switch keyType {
    case .p256: self = .es256
    case .ed25519: self = .edDSA
    }
  }

  static let names: [(JWTAlgorithm, [UInt8])] = allCases.map { ($0, Array($0.rawValue.utf8)) }
}

/// Which kind of access token a header announces: a user's (`typ` "JWT", docs/api.md) or a client's
/// (`typ` "at+jwt", RFC 9068). Each verifier method accepts only its own kind, so one is never taken
/// for the other (RFC 8725 §3.11).
public enum JWTTokenType: Sendable, Equatable {
  case user
  case client

  var headerValue: String {
    switch self {
    case .user: "JWT"
    case .client: "at+jwt"
    }
  }
}
