/// Why `GET /oauth/authorize` answers with its own 400 page instead of redirecting: the client or the
/// redirect URI cannot be trusted, and redirecting anyway would make the endpoint an open redirector
/// (RFC 6749 §4.1.2.1, RFC 9700 §4.11).
public enum AuthorizationErrorPage: String, Sendable, Equatable, CaseIterable {
  case missingClientID = "missing_client_id"
  case duplicateClientID = "duplicate_client_id"
  case unknownClient = "unknown_client"
  /// Omitted while zero or several URIs are registered, so none can be chosen.
  case missingRedirectURI = "missing_redirect_uri"
  case duplicateRedirectURI = "duplicate_redirect_uri"
  case unregisteredRedirectURI = "unregistered_redirect_uri"

  /// Text for the page. It never echoes the request's values, so the page cannot be used to reflect
  /// markup.
  public var message: String {
    switch self {
    case .missingClientID: "The request names no client."
    case .duplicateClientID: "The request names its client more than once."
    case .unknownClient: "The application is not registered with this server."
    case .missingRedirectURI: "The request does not say where to return to."
    case .duplicateRedirectURI: "The request gives more than one return address."
    case .unregisteredRedirectURI: "The return address is not registered for this application."
    }
  }
}
