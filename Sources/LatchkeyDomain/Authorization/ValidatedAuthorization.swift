/// An authorization request that passed every check: what the sign-in and consent pages act on, and
/// what an issued code is bound to.
public struct ValidatedAuthorization: Sendable, Equatable {
  public var clientID: String
  /// The redirect URI in force: the one presented, or the only one registered.
  public var redirectURI: String
  /// Whether the request carried `redirect_uri` itself. RFC 6749 §4.1.3 requires the token request
  /// to repeat it only in that case.
  public var redirectURIWasPresented: Bool
  /// The scopes to ask consent for (all registered ones when `scope` was omitted).
  public var scopes: [String]
  /// Returned untouched; nil when the client sent none.
  public var state: String?
  /// The S256 challenge, already checked to be the shape of one.
  public var codeChallenge: String
  public var prompt: AuthorizationPrompt?

  public init(
    clientID: String, redirectURI: String, redirectURIWasPresented: Bool, scopes: [String], state: String?,
    codeChallenge: String, prompt: AuthorizationPrompt?
  ) {
    self.clientID = clientID
    self.redirectURI = redirectURI
    self.redirectURIWasPresented = redirectURIWasPresented
    self.scopes = scopes
    self.state = state
    self.codeChallenge = codeChallenge
    self.prompt = prompt
  }

  /// Where to send the browser when the flow fails after validation (the user denied, or
  /// `prompt=none` could not be honoured).
  public func errorRedirect(_ error: AuthorizationError, issuer: String) -> String {
    AuthorizationRedirect.error(error, redirectURI: redirectURI, state: state, issuer: issuer)
  }

  /// Where to send the browser with a fresh code.
  public func successRedirect(code: String, issuer: String) -> String {
    AuthorizationRedirect.success(code: code, redirectURI: redirectURI, state: state, issuer: issuer)
  }
}
