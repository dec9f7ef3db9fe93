import Foundation
import Testing

@testable import LatchkeyDomain

@Suite struct DevicePollingTests {
  static let settings = DeviceFlowSettings()
  static let start: Double = 1_800_000_000
  static let user = UUID()

  static func fresh() -> DeviceAuthorization {
    DeviceAuthorization(
      clientID: "tv", scopes: ["read"], userCode: UserCode(normalizing: "BCDF-GHJK")!, now: start,
      settings: settings)
  }

  /// Polls at each offset from `start` (the injected clock), returning the answers and the last state.
  static func run(_ state: DeviceAuthorization, at offsets: [Double], client: String = "tv")
    -> ([DevicePollAnswer], DeviceAuthorization)
  {
    var state = state
    var answers: [DevicePollAnswer] = []
    for offset in offsets {
      let step = DevicePolling.poll(state, clientID: client, now: start + offset, settings: settings)
      answers.append(step.answer)
      state = step.state
    }
    return (answers, state)
  }

  @Test func defaultsAre600SecondsAnd5() {
    let state = Self.fresh()
    #expect(Self.settings == DeviceFlowSettings(lifetime: 600, interval: 5, slowDownStep: 5))
    #expect(state.expiresAt == Self.start + 600)
    #expect(state.interval == 5)
    #expect(state.status == .pending)
    #expect(state.lastPolledAt == nil)
    #expect(state.expiresIn(now: Self.start) == 600)
    #expect(state.expiresIn(now: Self.start + 0.5) == 600)
    #expect(state.expiresIn(now: Self.start + 700) == 0)
  }

  @Test func pendingAtThePaceIsAuthorizationPending() {
    let (answers, state) = Self.run(Self.fresh(), at: [0, 5, 10, 15.5])
    #expect(answers == Array(repeating: .authorizationPending, count: 4))
    #expect(state.interval == 5)
    #expect(state.lastPolledAt == Self.start + 15.5)
  }

  @Test func pollingTooFastSlowsDownAndTheIntervalGrows() {
    let (answers, state) = Self.run(Self.fresh(), at: [0, 4, 13, 18, 28])
    // 0: first poll. 4: 4 s < 5 → slow_down, interval 10. 13: 9 s < 10 → slow_down, interval 15.
    // 18: 5 s < 15 → slow_down, interval 20. 28: 10 s < 20 → slow_down, interval 25.
    #expect(answers == [.authorizationPending, .slowDown, .slowDown, .slowDown, .slowDown])
    #expect(state.interval == 25)
    let (later, after) = Self.run(state, at: [53])
    #expect(later == [.authorizationPending])
    #expect(after.interval == 25)
  }

  @Test func theIntervalIsMeasuredFromTheLastPollEvenASlowedOne() {
    let (answers, _) = Self.run(Self.fresh(), at: [0, 1, 10.5, 11])
    // 1: slow_down (interval 10); 10.5: 9.5 s after the slowed poll → slow_down again (interval 15).
    #expect(answers == [.authorizationPending, .slowDown, .slowDown, .slowDown])
  }

  @Test func approvalIssuesExactlyOnce() {
    var state = Self.fresh()
    var answers: [DevicePollAnswer]
    (answers, state) = Self.run(state, at: [0, 5])
    #expect(answers == [.authorizationPending, .authorizationPending])
    state = state.approved(by: Self.user, now: Self.start + 7)!
    #expect(state.status == .approved(userID: Self.user))
    (answers, state) = Self.run(state, at: [10, 15, 20, 700])
    #expect(answers[0] == .issue(userID: Self.user, scopes: ["read"]))
    #expect(answers[1...].allSatisfy { $0.errorCode == "invalid_grant" })
    #expect(state.status == .redeemed)
  }

  @Test func anApprovedCodeIsAnsweredEvenWhenPolledEarly() {
    var state = Self.run(Self.fresh(), at: [0]).1
    state = state.approved(by: Self.user, now: Self.start + 1)!
    let (answers, _) = Self.run(state, at: [2])
    #expect(answers == [.issue(userID: Self.user, scopes: ["read"])])
  }

  @Test func denialIsAccessDeniedEveryTime() {
    var state = Self.run(Self.fresh(), at: [0]).1
    state = state.denied(now: Self.start + 3)!
    let (answers, after) = Self.run(state, at: [5, 6, 700])
    #expect(answers == [.accessDenied, .accessDenied, .accessDenied])
    #expect(after.status == .denied)
    #expect(after.interval == 5)
  }

  @Test func pastExpiryIsExpiredToken() {
    let (answers, _) = Self.run(Self.fresh(), at: [595, 599.9, 600, 900])
    // 599.9 is early (4.9 s) but still live; from 600 on the code is dead whatever the pace.
    #expect(answers == [.authorizationPending, .slowDown, .expiredToken, .expiredToken])
  }

  @Test func anApprovalNotCollectedBeforeExpiryExpires() {
    let state = Self.fresh().approved(by: Self.user, now: Self.start + 500)!
    let (answers, after) = Self.run(state, at: [600])
    #expect(answers == [.expiredToken])
    #expect(after.status == .approved(userID: Self.user))
  }

  @Test func anotherClientsDeviceCodeIsInvalidGrantAndChangesNothing() {
    let state = Self.fresh().approved(by: Self.user, now: Self.start + 1)!
    let step = DevicePolling.poll(state, clientID: "other", now: Self.start + 2, settings: Self.settings)
    #expect(step.answer.errorCode == "invalid_grant")
    #expect(step.state == state)
    // The owner still gets its tokens.
    #expect(Self.run(state, at: [3]).0 == [.issue(userID: Self.user, scopes: ["read"])])
  }

  @Test func onlyAnOpenAuthorizationCanBeApprovedOrDenied() {
    let state = Self.fresh()
    #expect(state.isOpen(now: Self.start + 599))
    #expect(!state.isOpen(now: Self.start + 600))
    #expect(state.approved(by: Self.user, now: Self.start + 600) == nil)
    #expect(state.denied(now: Self.start + 600) == nil)
    let approved = state.approved(by: Self.user, now: Self.start + 1)!
    #expect(approved.denied(now: Self.start + 2) == nil)
    #expect(approved.approved(by: UUID(), now: Self.start + 2) == nil)
    let denied = state.denied(now: Self.start + 1)!
    #expect(denied.approved(by: Self.user, now: Self.start + 2) == nil)
    var redeemed = approved
    redeemed.status = .redeemed
    #expect(redeemed.approved(by: Self.user, now: Self.start + 2) == nil)
  }

  @Test func customSettingsApply() {
    let settings = DeviceFlowSettings(lifetime: 30, interval: 2, slowDownStep: 3)
    var state = DeviceAuthorization(
      clientID: "tv", scopes: [], userCode: UserCode(normalizing: "ZZZZZZZZ")!, now: Self.start,
      settings: settings)
    var answers: [DevicePollAnswer] = []
    for offset in [0.0, 1, 6, 30] {
      let step = DevicePolling.poll(state, clientID: "tv", now: Self.start + offset, settings: settings)
      answers.append(step.answer)
      state = step.state
    }
    #expect(answers == [.authorizationPending, .slowDown, .authorizationPending, .expiredToken])
    #expect(state.interval == 5)
  }

  @Test func answersCarryTheirRegisteredCodes() {
    let cases: [(DevicePollAnswer, String?)] = [
      (.issue(userID: Self.user, scopes: []), nil), (.authorizationPending, "authorization_pending"),
      (.slowDown, "slow_down"), (.accessDenied, "access_denied"), (.expiredToken, "expired_token"),
      (.invalidGrant("x"), "invalid_grant"),
    ]
    for (answer, code) in cases {
      #expect(answer.errorCode == code)
      #expect((answer.errorDescription == nil) == (code == nil))
    }
  }
}
