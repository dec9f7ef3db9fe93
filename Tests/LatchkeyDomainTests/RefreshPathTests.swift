import Foundation
import Testing

@testable import LatchkeyDomain

/// Which way a refresh goes: the family's current token by the store's
/// one-step compare-and-set, everything else by the rules under the lock.
@Suite struct RefreshPathTests {
  @Test func theCurrentTokenRotatesByCompareAndSetAlone() throws {
    let h = Harness()
    try h.register()
    let login = try h.login()
    h.clock.advance(30)
    let before = h.store.snapshot
    let refreshed = try h.service.refresh(token: login.grant.refreshToken.value, client: h.client)
    let state = h.store.snapshot
    #expect(state.casAttempts == before.casAttempts + 1)
    #expect(state.casRotations == before.casRotations + 1)
    #expect(state.tokenLocks == before.tokenLocks)
    #expect(refreshed.sessionID == login.grant.sessionID)
    #expect(refreshed.refreshToken.value == h.secrets.successor(of: login.grant.refreshToken.value))
    #expect(refreshed.refreshToken.expiresAt == h.clock.now() + Double(AuthSettings().refreshTTL))
    #expect(state.sessions[login.grant.sessionID]?.lastUsedAt == h.clock.now())
    let tokens = state.tokens.values.filter { $0.session == login.grant.sessionID }
    #expect(tokens.count == 2)
    let used = try #require(tokens.first { $0.usedAt != nil })
    #expect(used.usedAt == h.clock.now() && used.successor == tokens.first { $0.usedAt == nil }?.id)
    // The access token names the session's user.
    let user = try h.service.authenticate(bearer: refreshed.accessToken)
    #expect(user.sessionID == login.grant.sessionID && user.email == "ann@example.com")
  }

  @Test func theSuccessorNeverOutlivesItsSession() throws {
    let h = Harness {
      $0.refreshTTL = 1000
      $0.sessionMaxAge = 1500
    }
    try h.register()
    let login = try h.login()
    h.clock.advance(800)
    let refreshed = try h.service.refresh(token: login.grant.refreshToken.value, client: h.client)
    #expect(refreshed.refreshToken.expiresAt == h.clock.now() - 800 + 1500)
    #expect(h.store.snapshot.casRotations == 1)
  }

  @Test func aGraceReplayFallsBackAndGetsTheSameSuccessor() throws {
    let h = Harness()
    try h.register()
    let first = try h.login().grant.refreshToken.value
    let a = try h.service.refresh(token: first, client: h.client)
    h.clock.advance(5)
    let before = h.store.snapshot
    let b = try h.service.refresh(token: first, client: h.client)
    let state = h.store.snapshot
    #expect(a.refreshToken == b.refreshToken)
    #expect(state.casAttempts == before.casAttempts + 1 && state.casRotations == before.casRotations)
    #expect(state.tokenLocks == before.tokenLocks + 1)
    // The grace answer writes nothing.
    #expect(state.tokens.count == before.tokens.count)
    #expect(state.sessions.mapValues(\.lastUsedAt) == before.sessions.mapValues(\.lastUsedAt))
  }

  @Test func reuseFallsBackAndRevokesTheFamily() throws {
    let h = Harness { $0.refreshReuseInterval = 0 }
    try h.register()
    let login = try h.login()
    let first = login.grant.refreshToken.value
    _ = try h.service.refresh(token: first, client: h.client)
    #expect(throws: AuthError.invalidGrant) { try h.service.refresh(token: first, client: h.client) }
    let state = h.store.snapshot
    #expect(state.casRotations == 1 && state.tokenLocks == 1)
    #expect(state.sessions[login.grant.sessionID]?.reason == .reuse)
    #expect(state.published == [.session(login.grant.sessionID)])
    // The live successor is refused by the compare-and-set too.
    #expect(throws: AuthError.invalidGrant) {
      try h.service.refresh(token: h.secrets.successor(of: first), client: h.client)
    }
    #expect(h.store.snapshot.casRotations == 1)
  }

  @Test func refusedTokensWriteNothingOnEitherPath() throws {
    let h = Harness { $0.refreshTTL = 100 }
    try h.register()
    let expired = try h.login().grant.refreshToken.value
    let revoked = try h.login()
    try h.service.logout(
      refreshToken: revoked.grant.refreshToken.value, bearer: nil, global: false, client: h.client)
    h.clock.advance(100)
    let before = h.store.snapshot
    for token in [expired, revoked.grant.refreshToken.value, "rt-unknown"] {
      #expect(throws: AuthError.invalidGrant) { try h.service.refresh(token: token, client: h.client) }
    }
    let state = h.store.snapshot
    #expect(state.casAttempts == before.casAttempts + 3 && state.casRotations == before.casRotations)
    #expect(state.tokenLocks == before.tokenLocks + 3)
    #expect(state.tokens.count == before.tokens.count && state.audit == before.audit)
    // A malformed token costs no store call at all.
    #expect(throws: AuthError.invalidGrant) { try h.service.refresh(token: "garbage", client: h.client) }
    #expect(h.store.snapshot.casAttempts == state.casAttempts)
  }
}
