import Foundation

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
      if try isLiveRefreshToken(token, now: now) { throw Self.notYours }
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

  /// A refresh token that could still be used: its session live and neither
  /// expired.
  func isLiveRefreshToken(_ token: String, now: Double) throws -> Bool {
    guard let found = try store.read({ try $0.lockRefreshToken(hash: secrets.refreshHash(token)) }) else {
      return false
    }
    let state = found.state
    return !state.sessionRevoked && now < state.sessionExpiresAt && now < state.expiresAt
  }
}
