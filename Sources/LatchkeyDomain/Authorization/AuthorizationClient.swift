/// What the authorization endpoint needs of a registered client. Kept apart from
/// `OAuthClientRegistration` (which the token endpoint's grant rules use) because only this flow
/// needs the redirect URIs.
public struct AuthorizationClient: Sendable, Equatable {
  public var clientID: String
  public var isPublic: Bool
  public var grants: Set<OAuthGrantType>
  /// Registered scopes, in registration order.
  public var scopes: [String]
  /// Registered redirect URIs, compared as exact strings (RFC 9700 §4.1.3): no normalisation, no
  /// prefix or pattern matching, so an open redirector cannot hide behind a lookalike.
  public var redirectURIs: [String]

  public init(
    clientID: String, isPublic: Bool, grants: Set<OAuthGrantType>, scopes: [String], redirectURIs: [String]
  ) {
    self.clientID = clientID
    self.isPublic = isPublic
    self.grants = grants
    self.scopes = scopes
    self.redirectURIs = redirectURIs
  }

  public init(registration: OAuthClientRegistration, redirectURIs: [String]) {
    self.init(
      clientID: registration.clientID, isPublic: registration.isPublic, grants: registration.grants,
      scopes: registration.scopes, redirectURIs: redirectURIs)
  }
}
