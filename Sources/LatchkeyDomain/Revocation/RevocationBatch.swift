import FoundationEssentials

/// What one transaction revoked, for the revocation checker and metrics.
public struct RevocationBatch: Sendable {
  public var sessions: [UUID] = []
  public var tokens: [(jti: String, expiresAt: Double)] = []
  public var userCutoffs: [(user: UUID, cutoff: Double)] = []
  public var removedClients: [UUID] = []

  public init(
    sessions: [UUID] = [], tokens: [(jti: String, expiresAt: Double)] = [],
    userCutoffs: [(user: UUID, cutoff: Double)] = [], removedClients: [UUID] = []
  ) {
    self.sessions = sessions
    self.tokens = tokens
    self.userCutoffs = userCutoffs
    self.removedClients = removedClients
  }

  public var isEmpty: Bool {
    sessions.isEmpty && tokens.isEmpty && userCutoffs.isEmpty && removedClients.isEmpty
  }

  /// The batch as notices, in a stable order.
  public var notices: [RevocationNotice] {
    sessions.map { .session($0) } + tokens.map { .token(jti: $0.jti, expiresAt: $0.expiresAt) }
      + userCutoffs.map { .userCutoff($0.user, $0.cutoff) } + removedClients.map { .clientRemoved($0) }
  }
}
