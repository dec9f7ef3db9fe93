import Testing

@testable import LatchkeyDomain

@Suite struct AuthorizationRequestTests {
  static let challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
  static let callback = "https://app.example/callback"
  static let app = AuthorizationClient(
    clientID: "app", isPublic: true, grants: [.authorizationCode, .refreshToken], scopes: ["read", "write"],
    redirectURIs: [callback])
  static let twoURIs = AuthorizationClient(
    clientID: "app", isPublic: false, grants: [.authorizationCode], scopes: ["read"],
    redirectURIs: [callback, "http://127.0.0.1:8765/cb"])

  /// A valid request, with `changes` applied: a nil value removes the parameter.
  static func query(_ changes: [String: String?] = [:], extra: [(String, String)] = []) -> [(String, String)]
  {
    var base: [(String, String)] = [
      ("response_type", "code"), ("client_id", "app"), ("redirect_uri", callback), ("scope", "read"),
      ("state", "xyz"), ("code_challenge", challenge), ("code_challenge_method", "S256"),
    ]
    for (name, value) in changes {
      base.removeAll { $0.0 == name }
      if let value { base.append((name, value)) }
    }
    return base + extra
  }

  static func validate(_ query: [(String, String)], client: AuthorizationClient? = app)
    -> AuthorizationOutcome
  {
    AuthorizationRequest.validate(query: query, client: client)
  }

  static func redirectsWith(_ outcome: AuthorizationOutcome, code: String, state: String? = "xyz") -> Bool {
    guard case .redirectError(let uri, let error, let echoed) = outcome else { return false }
    return uri == callback && error.code == code && echoed == state
  }

  // MARK: valid requests

  @Test func aCompleteRequestIsValid() {
    let outcome = Self.validate(Self.query(["prompt": "login"]))
    #expect(
      outcome
        == .valid(
          ValidatedAuthorization(
            clientID: "app", redirectURI: Self.callback, redirectURIWasPresented: true, scopes: ["read"],
            state: "xyz", codeChallenge: Self.challenge, prompt: .login)))
    #expect(outcome.errorLocation(issuer: "https://id.example") == nil)
  }

  @Test func omittedOptionalParametersHaveTheirDefaults() {
    guard case .valid(let request) = Self.validate(Self.query(["scope": nil, "state": nil, "prompt": nil]))
    else {
      Issue.record("expected a valid request")
      return
    }
    #expect(request.scopes == ["read", "write"])
    #expect(request.state == nil)
    #expect(request.prompt == nil)
  }

  @Test func theOnlyRegisteredURIStandsInForAMissingOne() {
    guard case .valid(let request) = Self.validate(Self.query(["redirect_uri": nil])) else {
      Issue.record("expected a valid request")
      return
    }
    #expect(request.redirectURI == Self.callback)
    #expect(!request.redirectURIWasPresented)
  }

  @Test func anyOfSeveralRegisteredURIsMayBeChosen() {
    let loopback = "http://127.0.0.1:8765/cb"
    guard
      case .valid(let request) = Self.validate(Self.query(["redirect_uri": loopback]), client: Self.twoURIs)
    else {
      Issue.record("expected a valid request")
      return
    }
    #expect(request.redirectURI == loopback)
  }

  @Test func unknownParametersAreIgnoredEvenRepeated() {
    let outcome = Self.validate(Self.query(extra: [("nonce", "1"), ("nonce", "2"), ("foo", "")]))
    guard case .valid = outcome else {
      Issue.record("expected a valid request, got \(outcome)")
      return
    }
  }

  @Test func anEmptyValueCountsAsOmitted() {
    guard case .valid(let request) = Self.validate(Self.query(["scope": "", "prompt": ""])) else {
      Issue.record("expected a valid request")
      return
    }
    #expect(request.scopes == ["read", "write"])
    #expect(request.prompt == nil)
    // One empty and one real state are one state.
    guard case .valid(let again) = Self.validate(Self.query(extra: [("state", "")])) else {
      Issue.record("expected a valid request")
      return
    }
    #expect(again.state == "xyz")
  }

  @Test(arguments: [("login", AuthorizationPrompt.login), ("none", .noInteraction)])
  func bothPromptsAreAccepted(value: String, prompt: AuthorizationPrompt) {
    guard case .valid(let request) = Self.validate(Self.query(["prompt": value])) else {
      Issue.record("expected a valid request")
      return
    }
    #expect(request.prompt == prompt)
  }

  // MARK: the 400 page, never a redirect

  @Test func unknownClientIsAPage() {
    #expect(Self.validate(Self.query(), client: nil) == .errorPage(.unknownClient))
    // A registration for another id is no registration for this one.
    var other = Self.app
    other.clientID = "other"
    #expect(Self.validate(Self.query(), client: other) == .errorPage(.unknownClient))
    #expect(Self.validate(Self.query(["client_id": "APP"])) == .errorPage(.unknownClient))
  }

  @Test func missingOrRepeatedClientIDIsAPage() {
    #expect(Self.validate(Self.query(["client_id": nil])) == .errorPage(.missingClientID))
    #expect(Self.validate(Self.query(["client_id": ""])) == .errorPage(.missingClientID))
    #expect(Self.validate(Self.query(extra: [("client_id", "app")])) == .errorPage(.duplicateClientID))
    #expect(AuthorizationRequest.clientID(in: Self.query()) == "app")
    #expect(AuthorizationRequest.clientID(in: Self.query(extra: [("client_id", "app")])) == nil)
    #expect(AuthorizationRequest.clientID(in: Self.query(["client_id": nil])) == nil)
  }

  @Test(arguments: [
    "https://app.example/callback/", "https://app.example/callback?x=1", "https://APP.example/callback",
    "https://app.example/Callback", "http://app.example/callback", "https://app.example/callback#f",
    "https://app.example/callback ", "https://app.example/callbac", "https://app.example:443/callback",
    "https://app.example/callback%2F", "https://evil.example/?https://app.example/callback",
  ])
  func redirectURIsMatchAsExactStrings(uri: String) {
    #expect(Self.validate(Self.query(["redirect_uri": uri])) == .errorPage(.unregisteredRedirectURI))
  }

  @Test func missingRedirectURIWithZeroOrSeveralRegisteredIsAPage() {
    #expect(
      Self.validate(Self.query(["redirect_uri": nil]), client: Self.twoURIs)
        == .errorPage(.missingRedirectURI))
    var none = Self.app
    none.redirectURIs = []
    #expect(Self.validate(Self.query(["redirect_uri": nil]), client: none) == .errorPage(.missingRedirectURI))
    #expect(Self.validate(Self.query(), client: none) == .errorPage(.unregisteredRedirectURI))
  }

  @Test func repeatedRedirectURIIsAPageEvenWhenBothAreRegistered() {
    let outcome = Self.validate(
      Self.query(extra: [("redirect_uri", "http://127.0.0.1:8765/cb")]), client: Self.twoURIs)
    #expect(outcome == .errorPage(.duplicateRedirectURI))
    #expect(
      Self.validate(Self.query(extra: [("redirect_uri", Self.callback)])) == .errorPage(.duplicateRedirectURI)
    )
  }

  @Test func theClientIsCheckedBeforeTheRedirectURIAndBothBeforeAnythingElse() {
    // Every other parameter wrong too: still a page, so nothing is sent to an untrusted URI.
    let bad: [String: String?] = [
      "response_type": "token", "code_challenge": nil, "scope": "admin", "prompt": "consent",
    ]
    var query = Self.query(bad)
    #expect(Self.validate(query, client: nil) == .errorPage(.unknownClient))
    query = Self.query(bad.merging(["redirect_uri": "https://evil.example/"]) { $1 })
    #expect(Self.validate(query) == .errorPage(.unregisteredRedirectURI))
    #expect(Self.validate(query, client: nil) == .errorPage(.unknownClient))
  }

  @Test func pageMessagesNeverEchoTheRequest() {
    for page in AuthorizationErrorPage.allCases {
      #expect(!page.message.isEmpty)
      #expect(!page.message.contains("<"))
    }
  }

  // MARK: errors that redirect

  @Test func responseTypeOtherThanCodeIsUnsupported() {
    for value in ["token", "id_token", "code token", "CODE", "code ", "none"] {
      let outcome = Self.validate(Self.query(["response_type": value]))
      #expect(Self.redirectsWith(outcome, code: "unsupported_response_type"), "\(value)")
    }
    #expect(Self.redirectsWith(Self.validate(Self.query(["response_type": nil])), code: "invalid_request"))
  }

  @Test func clientWithoutTheCodeGrantIsUnauthorized() {
    var service = Self.app
    service.grants = [.clientCredentials, .deviceCode, .refreshToken]
    #expect(Self.redirectsWith(Self.validate(Self.query(), client: service), code: "unauthorized_client"))
  }

  @Test func missingChallengeIsInvalidRequest() {
    #expect(Self.redirectsWith(Self.validate(Self.query(["code_challenge": nil])), code: "invalid_request"))
  }

  @Test(arguments: ["plain", "s256", "S384", "SHA256", "S256 "])
  func methodOtherThanS256IsInvalidRequest(method: String) {
    #expect(
      Self.redirectsWith(
        Self.validate(Self.query(["code_challenge_method": method])), code: "invalid_request"))
  }

  @Test func missingMethodMeansPlainAndIsRefused() {
    #expect(
      Self.redirectsWith(Self.validate(Self.query(["code_challenge_method": nil])), code: "invalid_request"))
  }

  @Test(arguments: [
    "E9Melhoa2OwvFrEXgjvLl5aYU1mtMBnbL0aeZaxuzU", "E9Melhoa2OwvFrEXgjvLl5aYU1mtMBnbL0aeZaxuzUM=",
    "E9Melhoa2OwvFrEXgjvLl5aYU1mtMBnbL0aeZaxuzUMA", "E9Melhoa2OwvFrEXgjvLl5aYU1mtMBnbL0aeZaxu+UM",
    "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk.", "E9Melhoa2OwvFrEXgjvLl5aYU1mtMBnbL0aeZaxuzUN",
  ])
  func malformedChallengeIsInvalidRequest(challenge: String) {
    #expect(
      Self.redirectsWith(Self.validate(Self.query(["code_challenge": challenge])), code: "invalid_request"))
  }

  @Test(arguments: ["consent", "select_account", "login none", "LOGIN", "None"])
  func promptOtherThanLoginOrNoneIsInvalidRequest(prompt: String) {
    #expect(Self.redirectsWith(Self.validate(Self.query(["prompt": prompt])), code: "invalid_request"))
  }

  @Test(arguments: ["admin", "read admin", "read  write", " read", "re\"ad", "Read"])
  func scopeOutsideTheRegistrationIsInvalidScope(scope: String) {
    #expect(Self.redirectsWith(Self.validate(Self.query(["scope": scope])), code: "invalid_scope"))
  }

  @Test(arguments: ["response_type", "scope", "code_challenge", "code_challenge_method", "prompt"])
  func repeatedParameterIsInvalidRequest(name: String) {
    let value = name == "prompt" ? "login" : Self.query().first { $0.0 == name }!.1
    let outcome = Self.validate(Self.query([name: value], extra: [(name, value)]))
    #expect(Self.redirectsWith(outcome, code: "invalid_request"))
    #expect(outcome.errorLocation(issuer: "https://id.example")?.contains("error_description=") == true)
  }

  @Test func repeatedStateIsInvalidRequestWithoutAState() {
    let outcome = Self.validate(Self.query(extra: [("state", "abc")]))
    #expect(Self.redirectsWith(outcome, code: "invalid_request", state: nil))
  }

  @Test func errorsRedirectWithoutStateWhenNoneWasSent() {
    let outcome = Self.validate(Self.query(["state": nil, "response_type": "token"]))
    #expect(Self.redirectsWith(outcome, code: "unsupported_response_type", state: nil))
    #expect(
      outcome.errorLocation(issuer: "https://id.example")
        == "https://app.example/callback?error=unsupported_response_type"
        + "&error_description=only%20response_type%3Dcode%20is%20supported&iss=https%3A%2F%2Fid.example")
  }

  @Test func anErrorRedirectCarriesErrorDescriptionStateAndIssuer() {
    let outcome = Self.validate(Self.query(["scope": "admin", "state": "a b&c=d"]))
    #expect(
      outcome.errorLocation(issuer: "https://id.example")
        == "https://app.example/callback?error=invalid_scope"
        + "&error_description=scope%20not%20registered%20for%20this%20client&state=a%20b%26c%3Dd"
        + "&iss=https%3A%2F%2Fid.example")
  }

  @Test func aMissingRedirectURIStillRedirectsErrorsToTheOnlyOne() {
    let outcome = Self.validate(Self.query(["redirect_uri": nil, "code_challenge": nil]))
    #expect(Self.redirectsWith(outcome, code: "invalid_request"))
  }

  @Test func checksRunInTheDocumentedOrder() {
    // Response type before the client's grants, grants before PKCE, PKCE before prompt and scope.
    var service = Self.app
    service.grants = [.clientCredentials]
    let everything: [String: String?] = [
      "response_type": "token", "code_challenge": nil, "prompt": "consent", "scope": "admin",
    ]
    #expect(
      Self.redirectsWith(
        Self.validate(Self.query(everything), client: service), code: "unsupported_response_type"))
    var rest = everything
    rest["response_type"] = "code"
    #expect(Self.redirectsWith(Self.validate(Self.query(rest), client: service), code: "unauthorized_client"))
    guard case .redirectError(_, let pkce, _) = Self.validate(Self.query(rest)) else {
      Issue.record("expected a redirect")
      return
    }
    #expect(pkce == .invalidRequest("code_challenge is required"))
    rest["code_challenge"] = Self.challenge
    guard case .redirectError(_, let prompt, _) = Self.validate(Self.query(rest)) else {
      Issue.record("expected a redirect")
      return
    }
    #expect(prompt == .invalidRequest("prompt must be login or none"))
    rest["prompt"] = "none"
    #expect(Self.redirectsWith(Self.validate(Self.query(rest)), code: "invalid_scope"))
  }

  @Test func everyRedirectErrorHasItsRegisteredCode() {
    let cases: [(AuthorizationError, String)] = [
      (.invalidRequest("d"), "invalid_request"), (.unauthorizedClient("d"), "unauthorized_client"),
      (.accessDenied("d"), "access_denied"), (.unsupportedResponseType("d"), "unsupported_response_type"),
      (.invalidScope("d"), "invalid_scope"), (.serverError("d"), "server_error"),
      (.temporarilyUnavailable("d"), "temporarily_unavailable"), (.loginRequired("d"), "login_required"),
      (.consentRequired("d"), "consent_required"),
    ]
    for (error, code) in cases {
      #expect(error.code == code)
      #expect(error.errorDescription == "d")
    }
  }
}
