import Testing

@testable import LatchkeyDomain

/// What `/oauth/authorize` does next, for every combination of sign-in,
/// consent and `prompt`.
@Suite struct AuthorizationStepTests {
  @Test func withoutASignInTheFormIsShownUnlessPromptIsNone() {
    for prompt in [nil, AuthorizationPrompt.login] {
      #expect(
        AuthorizationStep.decide(prompt: prompt, signedIn: false, signedInNow: false, consented: true)
          == .showSignIn)
    }
    #expect(
      AuthorizationStep.decide(prompt: .noInteraction, signedIn: false, signedInNow: false, consented: true)
        == .fail(.loginRequired("the user is not signed in")))
  }

  @Test func promptLoginAsksForThePasswordEvenWithALiveSignIn() {
    #expect(
      AuthorizationStep.decide(prompt: .login, signedIn: true, signedInNow: false, consented: true)
        == .showSignIn)
    #expect(
      AuthorizationStep.decide(prompt: .login, signedIn: true, signedInNow: true, consented: true)
        == .issueCode)
  }

  @Test func consentIsAskedOnceThenRemembered() {
    #expect(
      AuthorizationStep.decide(prompt: nil, signedIn: true, signedInNow: false, consented: false)
        == .showConsent)
    #expect(
      AuthorizationStep.decide(prompt: nil, signedIn: true, signedInNow: false, consented: true) == .issueCode
    )
    #expect(
      AuthorizationStep.decide(prompt: .noInteraction, signedIn: true, signedInNow: false, consented: true)
        == .issueCode)
    let refused = AuthorizationStep.decide(
      prompt: .noInteraction, signedIn: true, signedInNow: false, consented: false)
    guard case .fail(let error) = refused else {
      Issue.record("expected consent_required, got \(refused)")
      return
    }
    #expect(error.code == "consent_required")
  }
}
