/// The grants a client can be registered for. The implicit and password grants do not exist here
/// (OAuth 2.1 removes them).
public enum OAuthGrantType: String, Sendable, CaseIterable {
  case clientCredentials = "client_credentials"
  case authorizationCode = "authorization_code"
  case refreshToken = "refresh_token"
  case deviceCode = "urn:ietf:params:oauth:grant-type:device_code"
}

/// What the grant rules need of a registered client.
public struct OAuthClientRegistration: Sendable, Equatable {
  public var clientID: String
  /// A public client has no secret and cannot keep one (RFC 6749 §2.1).
  public var isPublic: Bool
  public var grants: Set<OAuthGrantType>
  /// Registered scopes, in registration order.
  public var scopes: [String]

  public init(clientID: String, isPublic: Bool, grants: Set<OAuthGrantType>, scopes: [String]) {
    self.clientID = clientID
    self.isPublic = isPublic
    self.grants = grants
    self.scopes = scopes
  }
}
