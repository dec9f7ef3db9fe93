import Foundation
import Testing

@testable import LatchkeyDomain

@Suite struct CodeExchangeTests {
  static let digests = SoftwareSHA256()
  static let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
  static let callback = "https://app.example/callback"
  static let issuedAt: Double = 1_800_000_000
  static let user = UUID()
  static let grant = UUID()

  static func request(presented: Bool = true) -> ValidatedAuthorization {
    ValidatedAuthorization(
      clientID: "app", redirectURI: callback, redirectURIWasPresented: presented, scopes: ["read"],
      state: "s", codeChallenge: PKCE.challenge(for: verifier, digests: digests), prompt: nil)
  }

  static func code(presented: Bool = true) -> PendingAuthorizationCode {
    PendingAuthorizationCode(
      approving: request(presented: presented), userID: user, grantID: grant, now: issuedAt)
  }

  static func decide(
    _ code: PendingAuthorizationCode? = code(), client: String = "app", redirectURI: String? = callback,
    verifier: String? = verifier, at offset: Double = 10
  ) -> CodeExchange {
    CodeExchange.decide(
      code: code, clientID: client, redirectURI: redirectURI, verifier: verifier, now: issuedAt + offset,
      digests: digests)
  }

  @Test func aCodeCarriesTheRequestItWasIssuedFor() {
    let code = Self.code()
    #expect(code.clientID == "app")
    #expect(code.redirectURI == Self.callback)
    #expect(code.redirectURIWasPresented)
    #expect(code.codeChallenge == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM")
    #expect(code.userID == Self.user)
    #expect(code.scopes == ["read"])
    #expect(code.grantID == Self.grant)
    #expect(code.issuedAt == Self.issuedAt)
    #expect(code.expiresAt == Self.issuedAt + 60)
    #expect(code.usedAt == nil)
    #expect(PendingAuthorizationCode.lifetime == 60)
  }

  @Test func theRightPresentationIssues() {
    #expect(Self.decide() == .issue)
    #expect(Self.decide(at: 0) == .issue)
    #expect(Self.decide(at: 59.999) == .issue)
  }

  @Test func aSecondUseIsAReplayThatRevokesTheGrant() {
    var used = Self.code()
    used.usedAt = Self.issuedAt + 5
    #expect(Self.decide(used) == .replay(revokeGrant: Self.grant))
    // Whoever presents it, however, and even after expiry: the code is out in the open.
    #expect(Self.decide(used, client: "other") == .replay(revokeGrant: Self.grant))
    #expect(Self.decide(used, verifier: nil) == .replay(revokeGrant: Self.grant))
    #expect(Self.decide(used, redirectURI: "https://evil.example/") == .replay(revokeGrant: Self.grant))
    #expect(Self.decide(used, at: 3600) == .replay(revokeGrant: Self.grant))
  }

  @Test func anUnknownCodeIsRejected() {
    #expect(Self.decide(nil) == .reject(.unknownCode))
  }

  @Test func anExpiredCodeIsRejected() {
    #expect(Self.decide(at: 60) == .reject(.expired))
    #expect(Self.decide(at: 61) == .reject(.expired))
  }

  @Test func anotherClientsCodeIsRejected() {
    #expect(Self.decide(client: "other") == .reject(.clientMismatch))
    #expect(Self.decide(client: "APP") == .reject(.clientMismatch))
  }

  @Test func theRedirectURIMustBeTheAuthorizedOne() {
    #expect(Self.decide(redirectURI: Self.callback + "/") == .reject(.redirectURIMismatch))
    #expect(Self.decide(redirectURI: "https://evil.example/callback") == .reject(.redirectURIMismatch))
    // It was in the authorization request, so it must be repeated.
    #expect(Self.decide(redirectURI: nil) == .reject(.redirectURIMismatch))
  }

  @Test func anOmittedRedirectURIMayStayOmitted() {
    let code = Self.code(presented: false)
    #expect(Self.decide(code, redirectURI: nil) == .issue)
    #expect(Self.decide(code, redirectURI: Self.callback) == .issue)
    #expect(Self.decide(code, redirectURI: "https://evil.example/") == .reject(.redirectURIMismatch))
  }

  @Test func theVerifierMustMatchTheChallenge() {
    #expect(Self.decide(verifier: nil) == .reject(.verifierMismatch))
    #expect(Self.decide(verifier: "") == .reject(.verifierMismatch))
    #expect(Self.decide(verifier: String(Self.verifier.dropLast()) + "l") == .reject(.verifierMismatch))
    // The challenge itself is no verifier (the plain method does not exist).
    #expect(
      Self.decide(verifier: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM") == .reject(.verifierMismatch))
  }

  @Test func rejectionsAreInvalidGrantWithADescription() {
    for reason in CodeExchange.Reason.allCases {
      #expect(reason.oauthError.code == "invalid_grant")
      #expect(reason.oauthError.errorDescription == reason.errorDescription)
      #expect(!reason.errorDescription.contains(Self.verifier))
    }
  }

  @Test func theExchangeIsSingleUse() {
    // As the token endpoint applies the decision: mark used on issue; the next presentation replays.
    var code = Self.code()
    #expect(Self.decide(code, at: 1) == .issue)
    code.usedAt = Self.issuedAt + 1
    #expect(Self.decide(code, at: 2) == .replay(revokeGrant: Self.grant))
  }

  @Test func aFailedAttemptDoesNotSpendTheCode() {
    // The store changes nothing on a rejection, so the rightful holder can still redeem it.
    let code = Self.code()
    #expect(Self.decide(code, client: "other", at: 1) == .reject(.clientMismatch))
    #expect(Self.decide(code, verifier: nil, at: 2) == .reject(.verifierMismatch))
    #expect(Self.decide(code, at: 3) == .issue)
  }
}
