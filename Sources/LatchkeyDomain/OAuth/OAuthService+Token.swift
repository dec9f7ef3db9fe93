import FoundationEssentials

/// What `/oauth/token` answers for a client-credentials grant.
public struct ClientTokenGrant: Sendable, Equatable {
  public var accessToken: String
  public var expiresIn: Int64
  /// Space-delimited, as granted.
  public var scope: String
}

extension OAuthService {
  /// The client-credentials grant on its own (the token endpoint's other
  /// grants involve a user: `AuthorizationService.token`). The grant type is
  /// checked before the client (it needs no secret and no I/O); then client
  /// authentication, then the grant rules and the scopes.
  public func token(grantType: String?, scope: String?, credentials: ClientCredentials?, address: String)
    throws -> ClientTokenGrant
  {
    let grant = try ClientGrantRules.grantType(grantType, offered: [.clientCredentials])
    let client = try authenticate(credentials, address: address, accept: .anyClient)
    switch grant {
    case .clientCredentials:
      let scopes = try ClientGrantRules.clientCredentials(
        client: client.registration, requestedScope: scope)
      return issueClientToken(client, scopes: scopes)
    case .authorizationCode, .refreshToken, .deviceCode:
      throw OAuthError.unsupportedGrantType("grant_type not supported")
    }
  }

  func issueClientToken(_ client: OAuthClient, scopes: [String]) -> ClientTokenGrant {
    let iat = Int64(clock.now().rounded(.down))
    let scope = scopes.joined(separator: " ")
    let claims = ClientTokenClaims(
      issuer: settings.issuer, subject: client.clientID, audience: settings.audience,
      expiresAt: iat + clientTokenTTL, issuedAt: iat, notBefore: iat, jti: secrets.newJTI(),
      clientID: client.clientID, scope: scope)
    counter.increment("latchkey_client_tokens_issued_total")
    return ClientTokenGrant(accessToken: codec.sign(claims), expiresIn: clientTokenTTL, scope: scope)
  }
}
