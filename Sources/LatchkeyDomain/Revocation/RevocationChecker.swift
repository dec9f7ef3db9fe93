import FoundationEssentials

/// Answers "has this access token been revoked?" for every protected
/// request. One protocol, so the in-memory view kept current across
/// instances can replace the store read without touching callers.
public protocol RevocationChecker: Sendable {
  /// True while `isRevoked` needs no I/O (it may then run on a poll thread).
  /// Asked per request.
  var answersWithoutIO: Bool { get }
  func isRevoked(_ token: AuthenticatedUser) throws -> Bool
  /// Told after this instance committed revocations.
  func revoked(_ batch: RevocationBatch)
  /// Whether a client token (RFC 9068) is revoked: its `jti` denylisted or
  /// its client removed (docs/oauth.md#removing-a-client).
  func isClientTokenRevoked(jti: String, client: UUID) throws -> Bool
  /// A removal heard of, from memory only (false when not known here): lets
  /// client authentication refuse a removed client on every instance at
  /// once, before its client registry catches up.
  func isClientRemoved(_ client: UUID) -> Bool
}

extension RevocationChecker {
  public func revoked(_ batch: RevocationBatch) {}
  public func isClientRemoved(_ client: UUID) -> Bool { false }
}

/// The straightforward checker: one indexed read per request.
public struct StoreRevocationChecker: RevocationChecker {
  let store: any Store

  public init(store: any Store) {
    self.store = store
  }

  public var answersWithoutIO: Bool { false }

  public func isRevoked(_ token: AuthenticatedUser) throws -> Bool {
    let status = try store.read {
      try $0.accessTokenStatus(session: token.sessionID, user: token.userID, jti: token.jti)
    }
    return !status.sessionLive || status.denylisted
      || Double(token.issuedAt) < status.tokensValidAfter.rounded(.down)
  }

  public func isClientTokenRevoked(jti: String, client: UUID) throws -> Bool {
    let status = try store.read { try $0.clientTokenStatus(client: client, jti: jti) }
    return !status.clientExists || status.denylisted
  }
}
