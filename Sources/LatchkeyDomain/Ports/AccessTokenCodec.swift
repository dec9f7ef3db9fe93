/// The claims of a user's access token. Times are unix seconds.
public struct AccessTokenClaims: Sendable, Equatable {
  public var issuer: String
  public var subject: String
  public var audience: String
  public var expiresAt: Int64
  public var issuedAt: Int64
  public var notBefore: Int64
  public var jti: String
  public var sessionID: String
  public var role: String
  public var email: String

  public init(
    issuer: String, subject: String, audience: String, expiresAt: Int64, issuedAt: Int64, notBefore: Int64,
    jti: String, sessionID: String, role: String, email: String
  ) {
    self.issuer = issuer
    self.subject = subject
    self.audience = audience
    self.expiresAt = expiresAt
    self.issuedAt = issuedAt
    self.notBefore = notBefore
    self.jti = jti
    self.sessionID = sessionID
    self.role = role
    self.email = email
  }
}

/// The claims of an access token issued to an OAuth client (RFC 9068),
/// `scope` space-delimited. For client credentials `subject` is the client
/// id and `sessionID` nil; for a user's grant (authorization code, device
/// flow) `subject` is the user id and `sessionID` the grant.
public struct ClientTokenClaims: Sendable, Equatable {
  public var issuer: String
  public var subject: String
  public var audience: String
  public var expiresAt: Int64
  public var issuedAt: Int64
  public var notBefore: Int64
  public var jti: String
  public var clientID: String
  public var scope: String
  public var sessionID: String?

  public init(
    issuer: String, subject: String, audience: String, expiresAt: Int64, issuedAt: Int64, notBefore: Int64,
    jti: String, clientID: String, scope: String, sessionID: String? = nil
  ) {
    self.sessionID = sessionID
    self.issuer = issuer
    self.subject = subject
    self.audience = audience
    self.expiresAt = expiresAt
    self.issuedAt = issuedAt
    self.notBefore = notBefore
    self.jti = jti
    self.clientID = clientID
    self.scope = scope
  }
}

/// Why a token was refused, as a short metric label (`bad_signature`, ...).
public struct AccessTokenRejection: Error, Sendable, Equatable {
  public var reason: String
  public init(reason: String) { self.reason = reason }
}

/// Signs and verifies access tokens. The verifier pins the algorithm to
/// its keys and checks issuer, audience and times; revocation is the
/// services' business.
/// User tokens (`typ` JWT) and client tokens (`typ` at+jwt) are told apart
/// by their header: each verifier refuses the other kind.
public protocol AccessTokenCodec: Sendable {
  func sign(_ claims: AccessTokenClaims) -> String
  func verify(_ token: String, now: Int64) throws(AccessTokenRejection) -> AccessTokenClaims
  func sign(_ claims: ClientTokenClaims) -> String
  func verifyClient(_ token: String, now: Int64) throws(AccessTokenRejection) -> ClientTokenClaims
}
