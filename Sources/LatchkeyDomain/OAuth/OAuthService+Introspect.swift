import Foundation

/// What introspection found (RFC 7662 §2.2; docs/oauth.md#introspection).
public enum TokenIntrospection: Sendable, Equatable {
  /// Anything that is not a live token of this issuer: the answer says
  /// nothing more.
  case inactive
  case user(AccessTokenClaims)
  case client(ClientTokenClaims)
}

extension OAuthService {
  /// `POST /oauth/introspect`: any confidential client may introspect any
  /// token of this issuer. A user's access token is active exactly when
  /// `AuthService.authenticate` would accept it (verified, then not revoked
  /// on any instance); a client's when it verifies, its client is registered
  /// and the token is not revoked (denylisted, or its client removed). With
  /// the server's in-memory registry and revocation view in sync, no I/O. No refresh token is issued to a client yet, so
  /// every refresh token is "another client's": inactive.
  public func introspect(token: String?, credentials: ClientCredentials?, address: String) throws
    -> TokenIntrospection
  {
    guard let token, !token.isEmpty else { throw OAuthError.invalidRequest("token is required") }
    _ = try authenticate(credentials, address: address, accept: .confidential)
    let now = Int64(clock.now().rounded(.down))
    if let claims = try activeUserToken(token, now: now) { return .user(claims) }
    if let claims = try? codec.verifyClient(token, now: now), let client = UUID.parse(claims.clientID) {
      let revoked = try auth.revocations.isClientTokenRevoked(jti: claims.jti, client: client)
      guard !revoked, try registered(client) else { return .inactive }
      return .client(claims)
    }
    return .inactive
  }

  /// Whether the client exists: the registry answers from memory, and a
  /// client it has not heard of yet (added a moment ago, on any instance) is
  /// looked up in the store, as authentication does.
  func registered(_ client: UUID) throws -> Bool {
    if try clients.client(id: client) != nil { return true }
    return try store.read { try $0.findClient(id: client) } != nil
  }

  /// The claims of a user's access token that `authenticate` would accept,
  /// or nil. Store failures propagate (a 503, never a false "inactive").
  func activeUserToken(_ token: String, now: Int64) throws -> AccessTokenClaims? {
    guard let claims = try? codec.verify(token, now: now), let userID = UUID.parse(claims.subject),
      let sessionID = UUID.parse(claims.sessionID)
    else { return nil }
    let user = AuthenticatedUser(
      userID: userID, sessionID: sessionID, email: claims.email, role: Role(claims.role), jti: claims.jti,
      issuedAt: claims.issuedAt, expiresAt: claims.expiresAt, userIDText: claims.subject,
      sessionIDText: claims.sessionID)
    return try auth.revocations.isRevoked(user) ? nil : claims
  }
}
