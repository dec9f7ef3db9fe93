import Testing

@testable import LatchkeyDomain

/// The rotation state machine, exhaustively over its inputs, with the clock
/// as a plain number.
@Suite struct RefreshDecisionTests {
  let now = 1_000_000.0

  func token(
    expiresIn: Double = 600, usedAgo: Double? = nil, successorUsed: Bool = false, revoked: Bool = false,
    sessionExpiresIn: Double = 3600
  ) -> PresentedToken {
    PresentedToken(
      expiresAt: now + expiresIn, usedAt: usedAgo.map { now - $0 }, successorUsed: successorUsed,
      sessionRevoked: revoked, sessionExpiresAt: now + sessionExpiresIn)
  }

  @Test func currentTokenRotates() {
    #expect(RefreshDecision.decide(token(), now: now, reuseInterval: 10) == .rotate)
    #expect(RefreshDecision.decide(token(), now: now, reuseInterval: 0) == .rotate)
  }

  @Test func justRotatedTokenInsideIntervalIsGrace() {
    #expect(RefreshDecision.decide(token(usedAgo: 0), now: now, reuseInterval: 10) == .grace)
    #expect(RefreshDecision.decide(token(usedAgo: 10), now: now, reuseInterval: 10) == .grace)
  }

  @Test func justRotatedTokenAfterIntervalIsReuse() {
    #expect(RefreshDecision.decide(token(usedAgo: 10.001), now: now, reuseInterval: 10) == .reuse)
    #expect(RefreshDecision.decide(token(usedAgo: 3600), now: now, reuseInterval: 10) == .reuse)
  }

  @Test func strictModeMakesAnyReplayReuse() {
    #expect(RefreshDecision.decide(token(usedAgo: 0), now: now, reuseInterval: 0) == .reuse)
  }

  @Test func olderThanImmediateParentIsReuseEvenInsideInterval() {
    #expect(
      RefreshDecision.decide(token(usedAgo: 1, successorUsed: true), now: now, reuseInterval: 10) == .reuse)
  }

  @Test func revokedSessionIsRejectedWhateverTheToken() {
    for used in [nil, 0.0, 100.0] as [Double?] {
      #expect(
        RefreshDecision.decide(token(usedAgo: used, revoked: true), now: now, reuseInterval: 10)
          == .reject(.sessionRevoked))
    }
  }

  @Test func sessionPastItsMaximumAgeIsRejected() {
    #expect(
      RefreshDecision.decide(token(sessionExpiresIn: 0), now: now, reuseInterval: 10)
        == .reject(.sessionExpired))
    #expect(
      RefreshDecision.decide(token(usedAgo: 1, sessionExpiresIn: -1), now: now, reuseInterval: 10)
        == .reject(.sessionExpired))
  }

  @Test func idleExpiredTokenIsRejected() {
    #expect(
      RefreshDecision.decide(token(expiresIn: 0), now: now, reuseInterval: 10) == .reject(.tokenExpired))
    #expect(
      RefreshDecision.decide(token(expiresIn: -5), now: now, reuseInterval: 10) == .reject(.tokenExpired))
    #expect(RefreshDecision.decide(token(expiresIn: 0.5), now: now, reuseInterval: 10) == .rotate)
  }
}
