import Foundation
import Testing

@testable import LatchkeyDomain

/// The services' orchestration (login, refresh, logout, throttling) against
/// the in-memory store: milliseconds, no socket, no database.
@Suite struct AuthServiceTests {
  @Test func loginStartsASessionAndRefreshRotatesIt() throws {
    let h = Harness()
    try h.register()
    let login = try h.login()
    let refreshed = try h.service.refresh(token: login.grant.refreshToken.value, client: h.client)
    #expect(refreshed.sessionID == login.grant.sessionID)
    #expect(refreshed.refreshToken.value == h.secrets.successor(of: login.grant.refreshToken.value))
    let tokens = h.store.snapshot.tokens.values.filter { $0.session == login.grant.sessionID }
    #expect(tokens.count == 2)
    #expect(tokens.filter { $0.usedAt == nil }.count == 1)
  }

  @Test func aReplayInsideTheGraceWindowGetsTheSameSuccessor() throws {
    let h = Harness()
    try h.register()
    let first = try h.login().grant.refreshToken.value
    let a = try h.service.refresh(token: first, client: h.client)
    h.clock.advance(5)
    let b = try h.service.refresh(token: first, client: h.client)
    #expect(a.refreshToken.value == b.refreshToken.value)
    #expect(h.store.snapshot.published.isEmpty)
  }

  @Test func reuseAfterTheWindowRevokesTheFamilyAndTellsEveryInstance() throws {
    let h = Harness()
    try h.register()
    let login = try h.login()
    let first = login.grant.refreshToken.value
    _ = try h.service.refresh(token: first, client: h.client)
    h.clock.advance(11)
    #expect(throws: AuthError.invalidGrant) { try h.service.refresh(token: first, client: h.client) }
    let state = h.store.snapshot
    #expect(state.sessions[login.grant.sessionID]?.reason == .reuse)
    #expect(state.published == [.session(login.grant.sessionID)])
    #expect(state.audit.last?.type == .refreshReuse)
    // The successor dies with the family.
    #expect(throws: AuthError.invalidGrant) {
      try h.service.refresh(token: h.secrets.successor(of: first), client: h.client)
    }
  }

  @Test func strictModeAnOlderTokenIsReuseEvenInsideTheWindow() throws {
    let h = Harness { $0.refreshReuseInterval = 0 }
    try h.register()
    let first = try h.login().grant.refreshToken.value
    _ = try h.service.refresh(token: first, client: h.client)
    #expect(throws: AuthError.invalidGrant) { try h.service.refresh(token: first, client: h.client) }
  }

  @Test func logoutRevokesTheSessionDenylistsTheTokenAndPublishesBoth() throws {
    let h = Harness()
    try h.register()
    let login = try h.login()
    try h.service.logout(
      refreshToken: login.grant.refreshToken.value, bearer: login.grant.accessToken, global: false,
      client: h.client)
    let state = h.store.snapshot
    #expect(state.sessions[login.grant.sessionID]?.reason == .logout)
    #expect(state.denylist.count == 1)
    #expect(state.published.contains(.session(login.grant.sessionID)))
    #expect(throws: AuthError.invalidToken) { try h.service.authenticate(bearer: login.grant.accessToken) }
    // Idempotent.
    try h.service.logout(
      refreshToken: login.grant.refreshToken.value, bearer: nil, global: false, client: h.client)
  }

  @Test func globalLogoutEndsEverySessionAndMovesTheCutoff() throws {
    let h = Harness()
    let user = try h.register()
    let a = try h.login()
    let b = try h.login()
    try h.service.logout(
      refreshToken: a.grant.refreshToken.value, bearer: nil, global: true, client: h.client)
    let state = h.store.snapshot
    #expect(state.sessions.values.allSatisfy { $0.revokedAt != nil })
    #expect(state.published.contains(.userCutoff(user.id, h.clock.now())))
    #expect(throws: AuthError.invalidToken) { try h.service.authenticate(bearer: b.grant.accessToken) }
  }

  @Test func theSessionCapEvictsTheLeastRecentlyUsedNeverTheNewOne() throws {
    let h = Harness { $0.maxSessions = 2 }
    try h.register()
    let oldest = try h.login()
    h.clock.advance(1)
    let middle = try h.login()
    h.clock.advance(1)
    let newest = try h.login()
    let state = h.store.snapshot
    #expect(state.sessions[oldest.grant.sessionID]?.reason == .sessionLimit)
    #expect(state.sessions[middle.grant.sessionID]?.revokedAt == nil)
    #expect(state.sessions[newest.grant.sessionID]?.revokedAt == nil)
  }

  @Test func aWeakHashIsReplacedOnLogin() throws {
    let h = Harness()
    let user = try h.register()
    _ = try h.store.transaction { try $0.updatePasswordHash(of: user.id, to: "weak$correct horse", now: 0) }
    _ = try h.login()
    #expect(h.store.snapshot.users[user.id]?.passwordHash == "fake$correct horse")
  }

  @Test func passwordChangeEndsTheOtherSessionsOnly() throws {
    let h = Harness()
    try h.register()
    let keep = try h.login()
    let other = try h.login()
    let me = try h.service.authenticate(bearer: keep.grant.accessToken)
    try h.service.changePassword(
      claims: me, current: "correct horse", new: "battery staple", client: h.client)
    let state = h.store.snapshot
    #expect(state.sessions[keep.grant.sessionID]?.revokedAt == nil)
    #expect(state.sessions[other.grant.sessionID]?.reason == .passwordChange)
    #expect(throws: AuthError.invalidCredentials) { try h.login() }
    _ = try h.login(password: "battery staple")
  }

  @Test func adminOperationsNeedTheAdminRole() throws {
    let h = Harness()
    try h.register()
    let login = try h.login()
    #expect(throws: AuthError.insufficientScope) {
      try h.service.authenticateAdmin(bearer: login.grant.accessToken)
    }
  }

  @Test func closedRegistrationRefusesTheAPIButNotTheOperator() throws {
    let h = Harness { $0.registrationOpen = false }
    #expect(throws: AuthError.registrationClosed) { try h.register() }
    _ = try h.service.register(email: "op@example.com", password: "correct horse", role: .admin, client: nil)
  }
}

/// The email rule works on Unicode scalars (docs/api.md#register).
@Suite struct EmailRuleTests {
  @Test(arguments: ["x2@.\u{301}b", "@example.com", "a@", "a@b@c", "a b@c", "a@b.", "a@.b", "a\u{0}@b"])
  func refused(_ email: String) {
    #expect(throws: AuthError.self) { try PasswordPolicy.validateEmail(email) }
  }

  @Test(arguments: [
    "x1@\u{301}b.c", "ann@example.com", " Ann@Example.COM ", "a@localhost", "ünï@exämple.org",
  ])
  func accepted(_ email: String) throws {
    try PasswordPolicy.validateEmail(email)
  }
}
