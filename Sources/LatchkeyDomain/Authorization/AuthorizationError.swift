/// The errors `GET /oauth/authorize` returns to the client through its redirect URI (RFC 6749
/// §4.1.2.1, OpenID Connect Core §3.1.2.6 for the `prompt=none` ones). Each carries a description for
/// `error_description`, written for the client: it never holds a secret or the user's identity.
public enum AuthorizationError: Error, Sendable, Equatable {
  case invalidRequest(String)
  case unauthorizedClient(String)
  case accessDenied(String)
  case unsupportedResponseType(String)
  case invalidScope(String)
  case serverError(String)
  case temporarilyUnavailable(String)
  /// `prompt=none` and nobody is signed in.
  case loginRequired(String)
  /// `prompt=none` and the user has not yet consented to these scopes.
  case consentRequired(String)

  /// The registered error code, the `error` parameter.
  public var code: String {
    switch self {
    case .invalidRequest: "invalid_request"
    case .unauthorizedClient: "unauthorized_client"
    case .accessDenied: "access_denied"
    case .unsupportedResponseType: "unsupported_response_type"
    case .invalidScope: "invalid_scope"
    case .serverError: "server_error"
    case .temporarilyUnavailable: "temporarily_unavailable"
    case .loginRequired: "login_required"
    case .consentRequired: "consent_required"
    }
  }

  /// The `error_description` parameter.
  public var errorDescription: String {
    switch self {
    case .invalidRequest(let text), .unauthorizedClient(let text), .accessDenied(let text),
      .unsupportedResponseType(let text), .invalidScope(let text), .serverError(let text),
      .temporarilyUnavailable(let text), .loginRequired(let text), .consentRequired(let text):
      text
    }
  }
}
