import FoundationEssentials
import LatchkeyText

/// What introspection found (RFC 7662 §2.2; docs/oauth.md#introspection).
public enum TokenIntrospection: Sendable, Equatable {
  /// Anything that is not a live token of this issuer: the answer says
  /// nothing more.
  case inactive
  case user(AccessTokenClaims)
  /// A client's token from client credentials.
  case client(ClientTokenClaims)
  /// A client's token for a user's grant (`subject` the user, `sessionID`
  /// the grant), with the user's email as `username`.
  case grant(ClientTokenClaims, username: String)
  /// A live refresh token of one of the calling client's grants.
  case refreshToken(clientID: String, subject: String, expiresAt: Int64)
}

extension OAuthService {
  /// `POST /oauth/introspect`: any confidential client may introspect any
  /// token of this issuer. A user's access token is active exactly when
  /// `AuthService.authenticate` would accept it (verified, then not revoked
  /// on any instance); a client's when it verifies, its client is registered
  /// and the token is not revoked (denylisted, or its client removed). With
  /// the server's in-memory registry and revocation view in sync, no I/O. A
  /// grant's token is also revoked with its session (every revocation of
  /// docs/api.md applies). A refresh token is active only to the client it
  /// was issued to.
  public func introspect(token: String?, credentials: ClientCredentials?, address: String) throws
    -> TokenIntrospection
  {
    guard let token, !token.isEmpty else { throw OAuthError.invalidRequest("token is required") }
    let caller = try authenticate(credentials, address: address, accept: .confidential)
    let seconds = clock.now()
    let now = Int64(seconds.rounded(.down))
    if secrets.isWellFormedRefreshToken(token) {
      guard let live = try liveRefreshToken(token, now: seconds), live.kind.clientID == caller.id else {
        return .inactive
      }
      return .refreshToken(
        clientID: caller.clientID, subject: live.userID.uuidString.lowercased(),
        expiresAt: Int64(live.expiresAt.rounded(.down)))
    }
    if let claims = try activeUserToken(token, now: now) { return .user(claims) }
    if let claims = try? codec.verifyClient(token, now: now), let client = UUID.parse(claims.clientID) {
      let revoked = try auth.revocations.isClientTokenRevoked(jti: claims.jti, client: client)
      guard !revoked, try registered(client), try !isGrantRevoked(claims) else { return .inactive }
      guard claims.sessionID != nil else { return .client(claims) }
      // The one read on this path: the token names its user by id only.
      guard let user = UUID.parse(claims.subject),
        let found = try store.read({ try $0.findUser(id: user, lock: false) })
      else { return .inactive }
      return .grant(claims, username: found.email)
    }
    return .inactive
  }

  /// Whether a grant token's session or user revocations end it (a client
  /// credentials token has no session: false).
  func isGrantRevoked(_ claims: ClientTokenClaims) throws -> Bool {
    guard let sid = claims.sessionID else { return false }
    guard let session = UUID.parse(sid), let user = UUID.parse(claims.subject) else { return true }
    return try auth.revocations.isRevoked(
      AuthenticatedUser(
        userID: user, sessionID: session, email: "", role: .user, jti: claims.jti, issuedAt: claims.issuedAt,
        expiresAt: claims.expiresAt, userIDText: claims.subject, sessionIDText: sid))
  }

  /// Whether the client exists: the registry answers from memory, and a
  /// client it has not heard of yet (added a moment ago, on any instance) is
  /// looked up in the store, as authentication does.
  func registered(_ client: UUID) throws -> Bool { try lookUpClient(client) != nil }

  /// A registered client: from the registry's memory, else from the store
  /// (one added a moment ago, on any instance, whose notice is still on its
  /// way).
  func lookUpClient(_ id: UUID) throws -> OAuthClient? {
    if let client = try clients.client(id: id) { return client }
    return try store.read { try $0.findClient(id: id) }
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
