import FoundationEssentials

extension OAuthService {
  /// `POST /oauth/revoke` (RFC 7009; docs/oauth.md#revocation). Returns
  /// normally (200) when the token was revoked, and also when it is unknown,
  /// expired, malformed or revoked already; a live token issued to someone
  /// else is left alone (`unauthorized_client`). The type hint is not
  /// needed: the two kinds of token have different shapes.
  ///
  /// A user's tokens (the cookie sessions') were issued to the first-party
  /// browser, never to an OAuth client, so to every client they are another
  /// client's: a live one is refused with `unauthorized_client` and stays
  /// valid; a dead one is as good as unknown.
  public func revoke(token: String?, credentials: ClientCredentials?, address: String) throws {
    guard let token, !token.isEmpty else { throw OAuthError.invalidRequest("token is required") }
    let client = try authenticate(credentials, address: address, accept: .anyClient)
    let now = clock.now()
    if secrets.isWellFormedRefreshToken(token) {
      let hash = secrets.refreshHash(token)
      let revoked = try store.transaction { tx -> RevocationBatch? in
        // Any token of a live family, a rotated one included: within the
        // reuse interval a just-rotated token still refreshes, so a 200 that
        // left its family alive would leave a "revoked" token working.
        guard let found = try tx.lockRefreshToken(hash: hash), !found.state.sessionRevoked,
          now < found.state.sessionExpiresAt, found.state.usedAt != nil || now < found.state.expiresAt
        else { return nil }
        // Only the client's own grants; a cookie session's token is nobody's.
        guard found.kind.clientID == client.id else { throw Self.notYours }
        let batch = RevocationBatch(
          sessions: try tx.revokeSessions(.session(found.sessionID), reason: .logout, now: now))
        try auth.publish(batch, on: tx)
        return batch
      }
      guard let batch = revoked else { return }
      auth.didRevoke(batch, reason: .logout)
      counter.increment("latchkey_grants_revoked_total")
      return
    }
    let seconds = Int64(now.rounded(.down))
    if let claims = try? codec.verifyClient(token, now: seconds) {
      guard claims.clientID == client.clientID else { throw Self.notYours }
      let batch = try store.transaction { tx -> RevocationBatch in
        var batch = RevocationBatch()
        if try tx.denylist(jti: claims.jti, expiresAt: Double(claims.expiresAt)) {
          batch.tokens = [(claims.jti, Double(claims.expiresAt))]
        }
        try auth.publish(batch, on: tx)
        return batch
      }
      auth.didRevoke(batch, reason: .logout)
      counter.increment("latchkey_client_tokens_revoked_total")
      return
    }
    if try activeUserToken(token, now: seconds) != nil { throw Self.notYours }
  }

  static let notYours = OAuthError.unauthorizedClient("the token was not issued to this client")

  /// A refresh token that could still be used: unused, its session live and
  /// neither expired. (A rotated token is dead to introspection; revocation
  /// ends its family all the same, see `revoke`.)
  func liveRefreshToken(_ token: String, now: Double) throws -> LiveToken? {
    try store.read { try $0.findLiveToken(hash: secrets.refreshHash(token), now: now) }
  }
}
