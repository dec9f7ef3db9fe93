import FoundationEssentials

/// What the token endpoint answers a device polling with its device code (RFC 8628 §3.5).
public enum DevicePollAnswer: Sendable, Equatable {
  /// Issue tokens for this user and these scopes (the same body as the code grant).
  case issue(userID: UUID, scopes: [String])
  case authorizationPending
  /// Polled sooner than the interval allows; the interval has grown.
  case slowDown
  case accessDenied
  case expiredToken
  case invalidGrant(String)

  /// The `error` member; nil for `.issue`.
  public var errorCode: String? {
    switch self {
    case .issue: nil
    case .authorizationPending: "authorization_pending"
    case .slowDown: "slow_down"
    case .accessDenied: "access_denied"
    case .expiredToken: "expired_token"
    case .invalidGrant: "invalid_grant"
    }
  }

  /// The `error_description` member; nil for `.issue`.
  public var errorDescription: String? {
    switch self {
    case .issue: nil
    case .authorizationPending: "the user has not yet acted"
    case .slowDown: "polling too fast; wait longer between requests"
    case .accessDenied: "the user denied the request"
    case .expiredToken: "the device code has expired"
    case .invalidGrant(let text): text
    }
  }
}
