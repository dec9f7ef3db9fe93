import FoundationEssentials

/// Who the sign-in cookie of the authorization pages names.
public struct SignedInUser: Sendable, Equatable {
  public var userID: UUID
  public var sessionID: UUID
  public var email: String

  public init(userID: UUID, sessionID: UUID, email: String) {
    self.userID = userID
    self.sessionID = sessionID
    self.email = email
  }
}

/// A sign-in on the authorization pages: the user, the sign-in cookie's
/// value and expiry, and the renewed device cookie (as `POST /login` gives).
public struct SignInResult: Sendable {
  public var user: SignedInUser
  public var cookie: IssuedRefreshToken
  public var deviceToken: String
  public var deviceExpiresAt: Double
}

/// A valid authorization request, the client's display name for the pages,
/// or what to answer instead.
public struct AuthorizationReview: Sendable, Equatable {
  public var outcome: AuthorizationOutcome
  /// The registered client's name; nil when the request names no client.
  public var clientName: String?
}

/// What the authorization pages do after a step.
public enum AuthorizationAnswer: Sendable, Equatable {
  case showSignIn
  case showConsent
  /// 302 to this `Location` (a code, or an error, for the client).
  case redirect(String)
}

/// The parameters of a `POST /oauth/token` request (RFC 6749 §4.1.3, §6,
/// RFC 8628 §3.4), as sent; empty ones already dropped.
public struct TokenRequest: Sendable, Equatable {
  public var grantType: String?
  public var scope: String?
  public var code: String?
  public var redirectURI: String?
  public var codeVerifier: String?
  public var refreshToken: String?
  public var deviceCode: String?

  public init(
    grantType: String?, scope: String? = nil, code: String? = nil, redirectURI: String? = nil,
    codeVerifier: String? = nil, refreshToken: String? = nil, deviceCode: String? = nil
  ) {
    self.grantType = grantType
    self.scope = scope
    self.code = code
    self.redirectURI = redirectURI
    self.codeVerifier = codeVerifier
    self.refreshToken = refreshToken
    self.deviceCode = deviceCode
  }
}

/// Tokens for a user's grant: an RFC 9068 access token and a refresh token
/// (in the body; it rotates like a cookie session's).
public struct UserTokenGrant: Sendable, Equatable {
  public var accessToken: String
  public var expiresIn: Int64
  public var refreshToken: String
  /// Space-delimited, as granted to this access token.
  public var scope: String
  public var sessionID: UUID
}

/// What the token endpoint answers.
public enum TokenAnswer: Sendable, Equatable {
  case client(ClientTokenGrant)
  case user(UserTokenGrant)
}

/// The answer of `POST /oauth/device_authorization` (RFC 8628 §3.2).
public struct DeviceAuthorizationStart: Sendable, Equatable {
  public var deviceCode: String
  public var userCode: UserCode
  public var verificationURI: String
  public var verificationURIComplete: String
  public var expiresIn: Int
  public var interval: Int
}

/// A pending device authorization as the `/device` page shows it.
public struct DeviceReview: Sendable, Equatable {
  public var userCode: UserCode
  public var clientName: String
  public var scopes: [String]
}
