import Foundation
import Testing

@testable import LatchkeyDomain

/// Only recorded failures count, and a known browser keeps its own budget
/// (docs/api.md#login-throttling).
@Suite struct LoginThrottleTests {
  @Test func correctPasswordsAreNeverThrottledWhileFailuresAreBelowTheLimit() throws {
    let h = Harness { $0.loginMaxFailuresPerAccount = 3 }
    try h.register()
    for _ in 0..<50 { _ = try h.login() }
    for _ in 0..<2 { #expect(throws: AuthError.invalidCredentials) { try h.login(password: "wrong") } }
    // Two failures on record, limit three: the correct password still works.
    _ = try h.login()
  }

  @Test func theAccountLimitRefusesUnknownDevicesWithRetryAfter() throws {
    let h = Harness { $0.loginMaxFailuresPerAccount = 3 }
    try h.register()
    for _ in 0..<3 {
      #expect(throws: AuthError.invalidCredentials) {
        try h.login(password: "wrong", from: "198.51.100.\(Int.random(in: 1...200))")
      }
    }
    #expect(throws: AuthError.throttled(retryAfter: 900)) { try h.login() }
    // The window ends.
    h.clock.advance(901)
    _ = try h.login()
  }

  @Test func aKnownDeviceStillLogsInAfterStrangersSpentTheAccountBudget() throws {
    let h = Harness { $0.loginMaxFailuresPerAccount = 3 }
    try h.register()
    let device = try h.login().deviceToken
    for _ in 0..<5 { _ = try? h.login(password: "wrong", from: "203.0.113.9") }
    #expect(throws: AuthError.throttled(retryAfter: 900)) { try h.login() }
    let again = try h.login(device: device)
    // Its own budget: its own failures count against it, and its success resets it.
    for _ in 0..<3 {
      #expect(throws: AuthError.invalidCredentials) {
        try h.login(password: "wrong", device: again.deviceToken)
      }
    }
    #expect(throws: AuthError.throttled(retryAfter: 900)) { try h.login(device: again.deviceToken) }
  }

  @Test func aDeviceCookieOfAnotherAccountCountsAsUnknown() throws {
    let h = Harness { $0.loginMaxFailuresPerAccount = 2 }
    try h.register("ann@example.com")
    try h.register("bob@example.com")
    let bobs = try h.login("bob@example.com").deviceToken
    for _ in 0..<2 { _ = try? h.login("ann@example.com", password: "wrong", from: "203.0.113.9") }
    #expect(throws: AuthError.throttled(retryAfter: 900)) { try h.login("ann@example.com", device: bobs) }
  }

  @Test func aForgedOrExpiredDeviceCookieCountsAsUnknown() throws {
    let h = Harness {
      $0.loginMaxFailuresPerAccount = 2
      $0.deviceCookieLifetime = 100
    }
    let user = try h.register()
    let device = try h.login().deviceToken
    for _ in 0..<2 { _ = try? h.login(password: "wrong", from: "203.0.113.9") }
    let forged =
      DeviceToken(userID: user.id, nonce: "attacker", issuedAt: Int64(h.clock.now())).message + ".x"
    #expect(throws: AuthError.throttled(retryAfter: 900)) { try h.login(device: forged) }
    h.clock.advance(101)
    #expect(throws: AuthError.throttled(retryAfter: 799)) { try h.login(device: device) }
  }

  @Test func theAddressLimitAppliesToEveryone() throws {
    let h = Harness { $0.loginMaxFailuresPerAddress = 2 }
    try h.register()
    let device = try h.login(from: "203.0.113.7").deviceToken
    for _ in 0..<2 { _ = try? h.login(password: "wrong", from: "203.0.113.7") }
    #expect(throws: AuthError.throttled(retryAfter: 900)) { try h.login(device: device, from: "203.0.113.7") }
    _ = try h.login(from: "203.0.113.8")
  }

  @Test func theWindowIsAPureRule() {
    let window = ThrottleWindow(limit: 2, length: 60)
    let one = window.recordingFailure(nil, now: 100)
    #expect(one == ThrottleCounter(failures: 1, windowStartedAt: 100))
    #expect(window.retryAfter(one, now: 101) == nil)
    let two = window.recordingFailure(one, now: 110)
    #expect(two == ThrottleCounter(failures: 2, windowStartedAt: 100))
    #expect(window.retryAfter(two, now: 110) == 50)
    #expect(window.retryAfter(two, now: 160) == nil)
    #expect(window.recordingFailure(two, now: 160) == ThrottleCounter(failures: 1, windowStartedAt: 160))
  }
}
