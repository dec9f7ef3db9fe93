import FoundationEssentials

/// An issued authorization code as the store knows it (found by the code's hash; the code itself is
/// never kept), with everything RFC 6749 §4.1.3 and RFC 7636 §4.6 bind it to. Times are unix seconds.
public struct PendingAuthorizationCode: Sendable, Equatable {
  /// Short on purpose: a code only has to survive one redirect and one back-channel request, and a
  /// leaked one is worth less the sooner it dies (RFC 6749 §4.1.2 recommends at most 10 minutes).
  public static let lifetime: Double = 60

  public var clientID: String
  public var redirectURI: String
  /// Whether the authorization request carried `redirect_uri`; only then must the token request
  /// repeat it (RFC 6749 §4.1.3).
  public var redirectURIWasPresented: Bool
  public var codeChallenge: String
  public var userID: UUID
  public var scopes: [String]
  /// The grant (a session of the user) the code's tokens belong to, so a replay can end them all.
  public var grantID: UUID
  public var issuedAt: Double
  public var expiresAt: Double
  /// When it was exchanged; nil while unused.
  public var usedAt: Double?
  /// The sign-in session that approved it: the code is exchanged only while
  /// that session lives, so whatever ends the sign-in (logout, revoke-all,
  /// a password change elsewhere) ends the code too.
  public var signInSessionID: UUID?

  public init(
    clientID: String, redirectURI: String, redirectURIWasPresented: Bool, codeChallenge: String,
    userID: UUID, scopes: [String], grantID: UUID, issuedAt: Double, expiresAt: Double,
    usedAt: Double? = nil, signInSessionID: UUID? = nil
  ) {
    self.signInSessionID = signInSessionID
    self.clientID = clientID
    self.redirectURI = redirectURI
    self.redirectURIWasPresented = redirectURIWasPresented
    self.codeChallenge = codeChallenge
    self.userID = userID
    self.scopes = scopes
    self.grantID = grantID
    self.issuedAt = issuedAt
    self.expiresAt = expiresAt
    self.usedAt = usedAt
  }

  /// The code for an approved request, living `lifetime` from `now`.
  public init(
    approving request: ValidatedAuthorization, userID: UUID, grantID: UUID, now: Double,
    signInSession: UUID? = nil
  ) {
    self.init(
      clientID: request.clientID, redirectURI: request.redirectURI,
      redirectURIWasPresented: request.redirectURIWasPresented, codeChallenge: request.codeChallenge,
      userID: userID, scopes: request.scopes, grantID: grantID, issuedAt: now,
      expiresAt: now + Self.lifetime, signInSessionID: signInSession)
  }
}
