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
}

extension RevocationChecker {
  public func revoked(_ batch: RevocationBatch) {}
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
}
