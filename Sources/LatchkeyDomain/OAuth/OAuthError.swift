/// The token endpoint's errors (RFC 6749 §5.2). Each carries a description for `error_description`,
/// written for the client and never holding a secret. The HTTP status (400, or 401 for
/// `invalid_client`) is the server's mapping, not the domain's.
public enum OAuthError: Error, Equatable, Sendable {
  case invalidRequest(String)
  case invalidClient(String)
  case invalidGrant(String)
  case unauthorizedClient(String)
  case unsupportedGrantType(String)
  case invalidScope(String)
  /// The device flow's polling answers (RFC 8628 §3.5).
  case authorizationPending(String)
  case slowDown(String)
  case accessDenied(String)
  case expiredToken(String)

  /// The registered error code, the `error` member.
  public var code: String {
    switch self {
    case .invalidRequest: "invalid_request"
    case .invalidClient: "invalid_client"
    case .invalidGrant: "invalid_grant"
    case .unauthorizedClient: "unauthorized_client"
    case .unsupportedGrantType: "unsupported_grant_type"
    case .invalidScope: "invalid_scope"
    case .authorizationPending: "authorization_pending"
    case .slowDown: "slow_down"
    case .accessDenied: "access_denied"
    case .expiredToken: "expired_token"
    }
  }

  /// The `error_description` member.
  public var errorDescription: String {
    switch self {
    case .invalidRequest(let text), .invalidClient(let text), .invalidGrant(let text),
      .unauthorizedClient(let text), .unsupportedGrantType(let text), .invalidScope(let text),
      .authorizationPending(let text), .slowDown(let text), .accessDenied(let text), .expiredToken(let text):
      text
    }
  }
}
