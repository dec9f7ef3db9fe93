/// What `/oauth/authorize` does next with a valid request, as a pure function of who is signed in and
/// what they consented to before (RFC 6749 §4.1.1, OpenID Connect Core §3.1.2.1 for `prompt`).
public enum AuthorizationStep: Sendable, Equatable {
  case showSignIn
  case showConsent
  /// Issue a code and send the browser back.
  case issueCode
  /// Send the browser back with this error (`prompt=none` and the user would have to act).
  case fail(AuthorizationError)

  /// `signedIn`: a live sign-in cookie or a sign-in in this very request. `signedInNow`: the user
  /// typed their password in this request (what `prompt=login` asks for). `consented`: a remembered
  /// consent covers the scopes.
  public static func decide(
    prompt: AuthorizationPrompt?, signedIn: Bool, signedInNow: Bool, consented: Bool
  ) -> AuthorizationStep {
    let needsSignIn = !signedIn || (prompt == .login && !signedInNow)
    if needsSignIn {
      return prompt == .noInteraction
        ? .fail(.loginRequired("the user is not signed in")) : .showSignIn
    }
    if consented { return .issueCode }
    return prompt == .noInteraction
      ? .fail(.consentRequired("the user has not consented to this client and these scopes")) : .showConsent
  }
}
