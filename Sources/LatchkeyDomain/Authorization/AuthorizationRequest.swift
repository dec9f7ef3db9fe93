/// The checks of `GET /oauth/authorize` (RFC 6749 §4.1.1, RFC 7636 §4.3, RFC 9700 §2.1.1), as a pure
/// function of the query and the client it names. Order matters: nothing may redirect until both the
/// client and the redirect URI are trusted, or the endpoint becomes an open redirector.
public enum AuthorizationRequest {
  /// The one `client_id` of `query`, for the caller to look the client up; nil when it is missing or
  /// repeated (then `validate` answers with a page whatever client is passed).
  public static func clientID(in query: [(String, String)]) -> String? {
    Parameters(query).single("client_id").value
  }

  /// `client` is the registration of `clientID(in: query)`, or nil when there is none.
  public static func validate(
    query: [(String, String)], client: AuthorizationClient?
  ) -> AuthorizationOutcome {
    let parameters = Parameters(query)
    let clientID: String
    switch parameters.single("client_id") {
    case .missing: return .errorPage(.missingClientID)
    case .repeated: return .errorPage(.duplicateClientID)
    case .one(let value): clientID = value
    }
    guard let client, client.clientID == clientID else { return .errorPage(.unknownClient) }

    let redirectURI: String
    let presented: Bool
    switch parameters.single("redirect_uri") {
    case .repeated: return .errorPage(.duplicateRedirectURI)
    case .missing:
      guard client.redirectURIs.count == 1 else { return .errorPage(.missingRedirectURI) }
      redirectURI = client.redirectURIs[0]
      presented = false
    case .one(let value):
      guard client.redirectURIs.contains(value) else { return .errorPage(.unregisteredRedirectURI) }
      redirectURI = value
      presented = true
    }

    // From here on the redirect URI is the client's own, so errors go back to it. A repeated `state`
    // is not echoed: there is no telling which one the client meant.
    let state = parameters.single("state").value
    func refuse(_ error: AuthorizationError) -> AuthorizationOutcome {
      .redirectError(redirectURI: redirectURI, error: error, state: state)
    }
    for name in checkedNames where parameters.count(name) > 1 {
      return refuse(.invalidRequest("\(name) is given more than once"))
    }
    switch parameters.single("response_type").value {
    case nil: return refuse(.invalidRequest("response_type is required"))
    case "code": break
    default: return refuse(.unsupportedResponseType("only response_type=code is supported"))
    }
    guard client.grants.contains(.authorizationCode) else {
      return refuse(.unauthorizedClient("the client may not use the authorization code grant"))
    }
    guard let challenge = parameters.single("code_challenge").value else {
      return refuse(.invalidRequest("code_challenge is required"))
    }
    guard parameters.single("code_challenge_method").value == "S256" else {
      return refuse(.invalidRequest("code_challenge_method must be S256"))
    }
    guard PKCE.isWellFormedChallenge(challenge) else {
      return refuse(.invalidRequest("code_challenge is not an S256 challenge"))
    }
    var prompt: AuthorizationPrompt?
    if let value = parameters.single("prompt").value {
      guard let known = AuthorizationPrompt(rawValue: value) else {
        return refuse(.invalidRequest("prompt must be login or none"))
      }
      prompt = known
    }
    let scopes: [String]
    do {
      scopes = try ClientGrantRules.grantedScopes(
        requested: parameters.single("scope").value, registered: client.scopes)
    } catch {
      return refuse(.invalidScope(error.errorDescription))
    }
    return .valid(
      ValidatedAuthorization(
        clientID: clientID, redirectURI: redirectURI, redirectURIWasPresented: presented, scopes: scopes,
        state: state, codeChallenge: challenge, prompt: prompt))
  }

  /// The parameters RFC 6749 §3.1 forbids repeating, beyond the two checked first. Unknown parameters
  /// are ignored, as the same section requires, repeated or not.
  private static let checkedNames = [
    "response_type", "scope", "state", "code_challenge", "code_challenge_method", "prompt",
  ]

  /// The query by name. An empty value counts as omitted (RFC 6749 §3.1), so `scope=` means no scope
  /// and `state=&state=x` is one state.
  private struct Parameters {
    enum Single {
      case missing
      case repeated
      case one(String)

      var value: String? {
        if case .one(let value) = self { return value }
        return nil
      }
    }

    private var values: [String: [String]] = [:]

    init(_ query: [(String, String)]) {
      for (name, value) in query where !value.isEmpty { values[name, default: []].append(value) }
    }

    func count(_ name: String) -> Int { values[name]?.count ?? 0 }

    func single(_ name: String) -> Single {
      guard let found = values[name] else { return .missing }
      return found.count == 1 ? .one(found[0]) : .repeated
    }
  }
}
