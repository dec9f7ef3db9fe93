import FoundationEssentials

/// A live session as the cap sees it.
public struct CappedSession: Sendable, Equatable {
  public var id: UUID
  public var lastUsedAt: Double
  public var createdAt: Double

  public init(id: UUID, lastUsedAt: Double, createdAt: Double) {
    self.id = id
    self.lastUsedAt = lastUsedAt
    self.createdAt = createdAt
  }
}

/// At most `limit` live sessions per user: a login beyond it ends the least
/// recently used ones.
public struct SessionCap: Sendable, Equatable {
  public var limit: Int

  public init(limit: Int) {
    self.limit = limit
  }

  /// Whether `live` sessions (the new one included) are more than the
  /// limit, so `evictions` has something to end.
  public func isExceeded(live: Int) -> Bool {
    live > limit
  }

  /// The sessions to revoke so that `keep` (the one a login just created)
  /// plus the rest fit the limit. `keep` is never evicted: its timestamps
  /// come from the start of the login, so a concurrent login that committed
  /// first can look newer.
  public func evictions(live: [CappedSession], keep: UUID) -> [UUID] {
    let others = live.filter { $0.id != keep }.sorted {
      ($0.lastUsedAt, $0.createdAt) > ($1.lastUsedAt, $1.createdAt)
    }
    return others.dropFirst(max(0, limit - 1)).map(\.id)
  }
}
