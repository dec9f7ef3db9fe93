/// What the store knows about a presented refresh token, read under the
/// session's row lock. Times are unix seconds.
public struct PresentedToken: Sendable, Equatable {
  public var expiresAt: Double
  /// When it was rotated; nil while it is the family's current token.
  public var usedAt: Double?
  /// Whether its successor has itself been rotated already (only then is an
  /// in-grace replay of this token "older than the immediate parent").
  public var successorUsed: Bool
  public var sessionRevoked: Bool
  public var sessionExpiresAt: Double

  public init(
    expiresAt: Double, usedAt: Double?, successorUsed: Bool, sessionRevoked: Bool, sessionExpiresAt: Double
  ) {
    self.expiresAt = expiresAt
    self.usedAt = usedAt
    self.successorUsed = successorUsed
    self.sessionRevoked = sessionRevoked
    self.sessionExpiresAt = sessionExpiresAt
  }
}

/// The refresh rotation rules (docs/api.md#rotation) as a pure function: unless the
/// compare-and-set rotated the token already, the service reads the locked
/// row, asks `RefreshDecision.decide`, and applies the answer in the same
/// transaction.
public enum RefreshDecision: Sendable, Equatable {
  /// The current token: mark it used, issue its successor. The common
  /// case, so the store also offers it as one compare-and-set
  /// (`SessionStore.rotateIfCurrent`), tried before reading under the lock.
  case rotate
  /// The just-rotated token again within the reuse interval: answer with the
  /// same successor the first request got; nothing changes.
  case grace
  /// A rotated token outside the grace rules: theft. Revoke the family.
  case reuse
  /// Refused without side effects beyond the family's own end of life.
  case reject(Reason)

  public enum Reason: String, Sendable {
    case sessionRevoked = "session_revoked"
    case sessionExpired = "session_expired"
    case tokenExpired = "token_expired"
  }

  /// A successor lives for the refresh lifetime, never past its session.
  public static func successorExpiry(now: Double, refreshTTL: Double, sessionExpiresAt: Double) -> Double {
    min(now + refreshTTL, sessionExpiresAt)
  }

  public static func decide(_ token: PresentedToken, now: Double, reuseInterval: Double) -> RefreshDecision {
    if token.sessionRevoked { return .reject(.sessionRevoked) }
    if now >= token.sessionExpiresAt { return .reject(.sessionExpired) }
    guard let usedAt = token.usedAt else {
      return now >= token.expiresAt ? .reject(.tokenExpired) : .rotate
    }
    if reuseInterval > 0, !token.successorUsed, now - usedAt <= reuseInterval {
      return .grace
    }
    return .reuse
  }
}
