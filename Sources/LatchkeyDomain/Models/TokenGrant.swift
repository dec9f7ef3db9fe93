import FoundationEssentials

/// A refresh token issued to the client: the value goes into the cookie
/// and is never stored; `expiresAt` drives the cookie's Max-Age.
public struct IssuedRefreshToken: Sendable, Equatable {
  public var value: String
  public var expiresAt: Double

  public init(value: String, expiresAt: Double) {
    self.value = value
    self.expiresAt = expiresAt
  }
}

/// A login or refresh result: what the HTTP layer turns into body + cookie.
public struct TokenGrant: Sendable {
  public var accessToken: String
  public var expiresIn: Int64
  public var refreshToken: IssuedRefreshToken
  public var sessionID: UUID
}
