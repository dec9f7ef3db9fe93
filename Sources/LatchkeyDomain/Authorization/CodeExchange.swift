import FoundationEssentials

/// The `authorization_code` grant's rules (RFC 6749 §4.1.3, §10.5; RFC 7636 §4.6) as a pure function:
/// the token endpoint reads the code under a lock, asks `decide`, and applies the answer in the same
/// transaction (marking the code used on `.issue`, revoking the grant on `.replay`).
public enum CodeExchange: Sendable, Equatable {
  /// Mark the code used and issue tokens for its user, scopes and grant.
  case issue
  /// `invalid_grant`, and nothing changes: a failed attempt proves nothing about the rightful holder,
  /// so it neither spends the code nor ends the grant.
  case reject(Reason)
  /// `invalid_grant`, and every token issued from the code is revoked: a second use means the code
  /// leaked, and its first use may have been the thief's (RFC 6749 §4.1.2).
  case replay(revokeGrant: UUID)

  public enum Reason: String, Sendable, CaseIterable {
    case unknownCode = "unknown_code"
    case expired
    case clientMismatch = "client_mismatch"
    case redirectURIMismatch = "redirect_uri_mismatch"
    case verifierMismatch = "verifier_mismatch"

    /// The `error_description`. It says what failed, never the expected value.
    public var errorDescription: String {
      switch self {
      case .unknownCode: "authorization code is not valid"
      case .expired: "authorization code has expired"
      case .clientMismatch: "authorization code was issued to another client"
      case .redirectURIMismatch: "redirect_uri does not match the authorization request"
      case .verifierMismatch: "code_verifier does not match the code_challenge"
      }
    }

    public var oauthError: OAuthError { .invalidGrant(errorDescription) }
  }

  /// `code` is what the store found for the presented code (nil: none); `clientID` the authenticated
  /// (or, for a public client, named) client; `redirectURI` and `verifier` as presented.
  public static func decide(
    code: PendingAuthorizationCode?, clientID: String, redirectURI: String?, verifier: String?, now: Double,
    digests: any Digests
  ) -> CodeExchange {
    guard let code else { return .reject(.unknownCode) }
    // Before any other check: whoever presents a spent code, it is out in the open.
    if code.usedAt != nil { return .replay(revokeGrant: code.grantID) }
    if now >= code.expiresAt { return .reject(.expired) }
    if code.clientID != clientID { return .reject(.clientMismatch) }
    if code.redirectURIWasPresented || redirectURI != nil {
      guard redirectURI == code.redirectURI else { return .reject(.redirectURIMismatch) }
    }
    guard let verifier, PKCE.verify(verifier: verifier, challenge: code.codeChallenge, digests: digests)
    else { return .reject(.verifierMismatch) }
    return .issue
  }
}
