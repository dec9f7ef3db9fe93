import FoundationEssentials

/// Everything revoked that an unexpired access token could still run into:
/// sessions, denylisted `jti`s and per-user cut-offs. A value type with pure
/// operations; the server's revocation view keeps one behind a lock and
/// feeds it notices and snapshots.
public struct RevocationSet: Sendable {
  /// Session id → when it was revoked.
  public private(set) var sessions: [UUID: Double] = [:]
  /// `jti` → when the token expires (after that it cannot be presented).
  public private(set) var tokens: [String: Double] = [:]
  /// User id → tokens issued before this second are revoked.
  public private(set) var userCutoffs: [UUID: Double] = [:]
  /// Removed OAuth client → when the removal was heard of. Kept for the
  /// horizon: by then every instance's client registry has dropped the
  /// client too (a resync reads the table, where the row is gone), which
  /// answers for its tokens from then on.
  public private(set) var removedClients: [UUID: Double] = [:]
  /// How long a revoked session or cut-off matters: every access token
  /// issued before it has expired by then.
  public let horizon: Double

  /// Leeway after a denylisted token's expiry (clock skew between instances).
  public static let tokenLeeway: Double = 60

  public init(accessTTL: Int64) {
    horizon = Double(max(accessTTL, 3600)) + 120
  }

  public func isRevoked(_ token: AuthenticatedUser) -> Bool {
    if sessions[token.sessionID] != nil || tokens[token.jti] != nil { return true }
    // A token issued in the cut-off's second, after it, stays valid: the
    // cut-off is compared at whole seconds, as `iat` is.
    if let cutoff = userCutoffs[token.userID], Double(token.issuedAt) < cutoff.rounded(.down) { return true }
    return false
  }

  /// A client token (RFC 9068) is revoked when its `jti` is denylisted or
  /// its client was removed.
  public func isClientTokenRevoked(jti: String, client: UUID) -> Bool {
    tokens[jti] != nil || removedClients[client] != nil
  }

  public func isClientRemoved(_ client: UUID) -> Bool { removedClients[client] != nil }

  /// Applies one notice received (or committed) at `now`.
  public mutating func apply(_ notice: RevocationNotice, now: Double) {
    switch notice {
    case .session(let id): sessions[id] = max(sessions[id] ?? 0, now)
    case .token(let jti, let expiresAt): tokens[jti] = max(tokens[jti] ?? 0, expiresAt)
    case .userCutoff(let id, let cutoff): userCutoffs[id] = max(userCutoffs[id] ?? 0, cutoff)
    case .clientRemoved(let id): removedClients[id] = max(removedClients[id] ?? 0, now)
    }
  }

  public mutating func apply(_ batch: RevocationBatch, now: Double) {
    for notice in batch.notices { apply(notice, now: now) }
  }

  /// Drops what can no longer match an unexpired token.
  public mutating func prune(now: Double) {
    let since = now - horizon
    sessions = sessions.filter { $0.value > since }
    tokens = tokens.filter { $0.value > now - Self.tokenLeeway }
    userCutoffs = userCutoffs.filter { $0.value > since }
    removedClients = removedClients.filter { $0.value > since }
  }

  /// Prunes, then unions in a snapshot read from the store. Revocations
  /// only ever accumulate, so a union is always correct, whatever notices
  /// arrived while the snapshot was read.
  public mutating func merge(_ snapshot: RevocationSnapshot, now: Double) {
    prune(now: now)
    for (id, at) in snapshot.sessions { sessions[id] = max(sessions[id] ?? 0, at) }
    for (jti, expiry) in snapshot.tokens { tokens[jti] = max(tokens[jti] ?? 0, expiry) }
    for (id, cutoff) in snapshot.userCutoffs { userCutoffs[id] = max(userCutoffs[id] ?? 0, cutoff) }
  }

  /// What a snapshot must include to be merged at `now`.
  public func snapshotBounds(now: Double) -> (revokedSince: Double, tokensExpiringAfter: Double) {
    (now - horizon, now - Self.tokenLeeway)
  }
}

/// The revocations the store still holds, as read for a resync.
public struct RevocationSnapshot: Sendable {
  public var sessions: [(UUID, Double)]
  public var tokens: [(String, Double)]
  public var userCutoffs: [(UUID, Double)]

  public init(sessions: [(UUID, Double)], tokens: [(String, Double)], userCutoffs: [(UUID, Double)]) {
    self.sessions = sessions
    self.tokens = tokens
    self.userCutoffs = userCutoffs
  }
}
