/// What `GET /oauth/authorize` does with a request, decided before anyone signs in.
public enum AuthorizationOutcome: Sendable, Equatable {
  /// A 400 page of the server's own: the client or the redirect URI cannot be trusted.
  case errorPage(AuthorizationErrorPage)
  /// A 302 back to the client's (trusted) redirect URI carrying the error.
  case redirectError(redirectURI: String, error: AuthorizationError, state: String?)
  /// Go on to sign-in and consent.
  case valid(ValidatedAuthorization)

  /// The `Location` of a `.redirectError`; nil for the other outcomes.
  public func errorLocation(issuer: String) -> String? {
    guard case .redirectError(let redirectURI, let error, let state) = self else { return nil }
    return AuthorizationRedirect.error(error, redirectURI: redirectURI, state: state, issuer: issuer)
  }
}
