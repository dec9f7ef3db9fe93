import Foundation

/// What one transaction revoked, for the revocation checker and metrics.
public struct RevocationBatch: Sendable {
  public var sessions: [UUID] = []
  public var tokens: [(jti: String, expiresAt: Double)] = []
  public var userCutoffs: [(user: UUID, cutoff: Double)] = []

  public init(
    sessions: [UUID] = [], tokens: [(jti: String, expiresAt: Double)] = [],
    userCutoffs: [(user: UUID, cutoff: Double)] = []
  ) {
    self.sessions = sessions
    self.tokens = tokens
    self.userCutoffs = userCutoffs
  }

  public var isEmpty: Bool { sessions.isEmpty && tokens.isEmpty && userCutoffs.isEmpty }

  /// The batch as notices, in a stable order.
  public var notices: [RevocationNotice] {
    sessions.map { .session($0) } + tokens.map { .token(jti: $0.jti, expiresAt: $0.expiresAt) }
      + userCutoffs.map { .userCutoff($0.user, $0.cutoff) }
  }
}
