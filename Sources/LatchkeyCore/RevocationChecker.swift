import Foundation
import LatchkeyJWT
import LatchkeyPostgres

/// Answers "has this access token been revoked?" for every /api request.
/// One type behind one protocol, so an in-memory view kept current by
/// LISTEN/NOTIFY can replace the database read without touching callers.
public protocol RevocationChecker: Sendable {
  /// True while `isRevoked` needs no I/O (may then run on a poll thread).
  /// Asked per request.
  var answersWithoutIO: Bool { get }
  func isRevoked(_ token: AuthenticatedUser) throws -> Bool
  /// Told after this instance committed revocations.
  func revoked(_ batch: RevocationBatch)
}

extension RevocationChecker {
  public func revoked(_ batch: RevocationBatch) {}
}

/// The straightforward checker: one indexed query per request.
public struct DatabaseRevocationChecker: RevocationChecker {
  let pool: PostgresPool

  public init(pool: PostgresPool) {
    self.pool = pool
  }

  public var answersWithoutIO: Bool { false }

  public func isRevoked(_ token: AuthenticatedUser) throws -> Bool {
    let status = try pool.withConnection { db in
      try SessionStore.accessTokenStatus(session: token.sessionID, user: token.userID, jti: token.jti, on: db)
    }
    return !status.sessionLive || status.denylisted
      || Double(token.issuedAt) < status.tokensValidAfter.rounded(.down)
  }
}
