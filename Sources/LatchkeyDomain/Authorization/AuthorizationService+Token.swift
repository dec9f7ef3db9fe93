import FoundationEssentials

extension AuthorizationService {
  /// Every grant `/oauth/token` offers (docs/oauth.md#token-endpoint).
  public static let offeredGrants = Set(OAuthGrantType.allCases)

  /// `POST /oauth/token`: the grant type is checked first (no I/O), then the
  /// client, then the grant's own rules.
  public func token(_ request: TokenRequest, credentials: ClientCredentials?, client info: ClientInfo) throws
    -> TokenAnswer
  {
    let grant = try ClientGrantRules.grantType(request.grantType, offered: Self.offeredGrants)
    let client = try oauth.authenticate(credentials, address: info.ip, accept: .anyClient)
    switch grant {
    case .clientCredentials:
      let scopes = try ClientGrantRules.clientCredentials(
        client: client.registration, requestedScope: request.scope)
      return .client(oauth.issueClientToken(client, scopes: scopes))
    case .authorizationCode:
      try ClientGrantRules.authorize(client.registration, for: .authorizationCode)
      return .user(try exchangeCode(request, client: client, info: info))
    case .refreshToken:
      try ClientGrantRules.authorizeRefresh(client.registration)
      return .user(try refreshGrant(request, client: client, info: info))
    case .deviceCode:
      try ClientGrantRules.authorize(client.registration, for: .deviceCode)
      return .user(try pollDevice(request, client: client, info: info))
    }
  }

  private enum Exchange {
    case issued(UserTokenGrant, evicted: [UUID])
    case refused(OAuthError)
    case replayed(RevocationBatch)
  }

  /// The authorization code grant (RFC 6749 §4.1.3, RFC 7636 §4.6): the code
  /// read under its row lock, `CodeExchange.decide` applied, and on success
  /// the code spent and the grant's session opened in the same transaction,
  /// so two exchanges of one code cannot both win. A replay commits the
  /// revocation of what the first exchange issued before it is refused.
  func exchangeCode(_ request: TokenRequest, client: OAuthClient, info: ClientInfo) throws -> UserTokenGrant {
    guard let code = request.code else { throw OAuthError.invalidRequest("code is required") }
    let now = clock.now()
    let hash = secrets.refreshHash(code)
    let exchange = try store.transaction { tx -> Exchange in
      let pending = try tx.lockAuthorizationCode(hash: hash)
      switch CodeExchange.decide(
        code: pending, clientID: client.clientID, redirectURI: request.redirectURI,
        verifier: request.codeVerifier, now: now, digests: digests)
      {
      case .reject(let reason):
        return .refused(reason.oauthError)
      case .replay(let grant):
        let revoked = try tx.revokeSessions(.session(grant), reason: .reuse, now: now)
        // Audited as a refresh token's reuse is: a leaked credential, replayed.
        try tx.recordAudit(
          AuditEvent(time: now, type: .refreshReuse, userID: pending?.userID, sessionID: grant, ip: info.ip))
        let batch = RevocationBatch(sessions: revoked)
        try auth.publish(batch, on: tx)
        return .replayed(batch)
      case .issue:
        // The sign-in that approved it must still be live: a logout or a
        // revoke-all since then ends the code as it ends every session.
        guard let pending, try tx.findUser(id: pending.userID, lock: true) != nil,
          try pending.signInSessionID.map({ try tx.isSessionLive($0, now: now) }) ?? true
        else {
          return .refused(CodeExchange.Reason.unknownCode.oauthError)
        }
        try tx.markAuthorizationCodeUsed(hash: hash, now: now)
        let (session, refresh, evicted) = try auth.openSession(
          on: tx, id: pending.grantID, user: pending.userID,
          kind: .grant(client: client.id, scopes: pending.scopes),
          client: info, now: now)
        let grant = issueGrantToken(
          user: pending.userID, client: client, scopes: pending.scopes, session: session,
          refresh: refresh.value,
          now: now)
        return .issued(grant, evicted: evicted)
      }
    }
    switch exchange {
    case .issued(let grant, let evicted):
      return committed(grant, evicted: evicted, by: .authorizationCode)
    case .refused(let error):
      throw error
    case .replayed(let batch):
      counter.increment("latchkey_authorization_code_replays_total")
      auth.didRevoke(batch, reason: .reuse)
      throw CodeExchange.Reason.unknownCode.oauthError
    }
  }

  /// The refresh token grant for a user's grant (RFC 6749 §6): rotation and
  /// reuse detection exactly as the cookie's (`AuthService.rotate`), for
  /// tokens of this client's grants only. `scope` may narrow the new access
  /// token, never widen the grant; it is checked before the token rotates,
  /// so a refused request leaves the client's token usable.
  func refreshGrant(_ request: TokenRequest, client: OAuthClient, info: ClientInfo) throws -> UserTokenGrant {
    guard let token = request.refreshToken else {
      throw OAuthError.invalidRequest("refresh_token is required")
    }
    let requested = try ClientGrantRules.parseScope(request.scope)
    if let requested, secrets.isWellFormedRefreshToken(token) {
      let now = clock.now()
      let found = try store.read { try $0.findLiveToken(hash: secrets.refreshHash(token), now: now) }
      if let found, case .grant(let owner, let scopes) = found.kind, owner == client.id {
        try Self.narrow(scopes, to: requested)
      }
    }
    let rotation: Rotation
    do {
      rotation = try auth.rotate(token: token, holder: .client(client.id), client: info)
    } catch AuthError.invalidGrant {
      throw OAuthError.invalidGrant("refresh token is invalid, expired or revoked")
    }
    guard case .grant(_, let scopes) = rotation.kind else {
      throw OAuthError.invalidGrant("refresh token is invalid, expired or revoked")
    }
    let granted = try requested.map { try Self.narrow(scopes, to: $0) } ?? scopes
    return issueGrantToken(
      user: rotation.userID, client: client, scopes: granted, session: rotation.sessionID,
      refresh: rotation.refresh.value, now: rotation.now)
  }

  /// A grant whose transaction committed: the session cap's evictions told
  /// to the revocation checker, the grant counted.
  func committed(_ grant: UserTokenGrant, evicted: [UUID], by type: OAuthGrantType) -> UserTokenGrant {
    auth.didRevoke(RevocationBatch(sessions: evicted), reason: .sessionLimit)
    let label = type == .deviceCode ? "device_code" : type.rawValue
    counter.increment("latchkey_grants_issued_total", [("grant", label)])
    return grant
  }

  /// The requested scopes when the grant covers them all.
  @discardableResult
  static func narrow(_ granted: [String], to requested: [String]) throws -> [String] {
    guard Set(granted).isSuperset(of: requested) else {
      throw OAuthError.invalidScope("scope exceeds what was granted")
    }
    return requested
  }

  /// An RFC 9068 access token for a user's grant: `sub` the user, `client_id`
  /// and `scope` of the grant, `sid` the grant's session, so every
  /// revocation of that session ends it too.
  func issueGrantToken(
    user: UUID, client: OAuthClient, scopes: [String], session: UUID, refresh: String, now: Double
  ) -> UserTokenGrant {
    let iat = Int64(now.rounded(.down))
    let scope = scopes.joined(separator: " ")
    let ttl = oauth.settings.accessTTL
    let claims = ClientTokenClaims(
      issuer: issuer, subject: user.uuidString.lowercased(), audience: oauth.settings.audience,
      expiresAt: iat + ttl, issuedAt: iat, notBefore: iat, jti: secrets.newJTI(), clientID: client.clientID,
      scope: scope, sessionID: session.uuidString.lowercased())
    return UserTokenGrant(
      accessToken: oauth.codec.sign(claims), expiresIn: ttl, refreshToken: refresh, scope: scope,
      sessionID: session)
  }
}
