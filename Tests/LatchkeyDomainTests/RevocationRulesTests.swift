import Foundation
import Testing

@testable import LatchkeyDomain

/// The revocation set, its wire format and the session cap: pure rules.
@Suite struct RevocationRulesTests {
  func token(user: UUID = UUID(), session: UUID = UUID(), jti: String = "j", iat: Int64 = 1000)
    -> AuthenticatedUser
  {
    AuthenticatedUser(
      userID: user, sessionID: session, email: "a@example.com", role: .user, jti: jti, issuedAt: iat,
      expiresAt: iat + 900, userIDText: "", sessionIDText: "")
  }

  @Test func noticesRoundTripThroughTheWireFormat() {
    let id = UUID()
    for notice in [
      RevocationNotice.session(id), .token(jti: "abc-_9", expiresAt: 1_800_000_000.5),
      .userCutoff(id, 1_800_000_001.25), .clientRemoved(id),
    ] {
      #expect(RevocationNotice(payload: notice.payload) == notice)
    }
    #expect(RevocationNotice.session(id).key == "s:" + id.uuidString.lowercased())
  }

  @Test(arguments: [
    "", "s", "s:", "s:not-a-uuid", "x:1", "j:abc", "j:abc:nan", "u:\(UUID()):", "u:\(UUID())", "c:",
    "c:nope", "c:\(UUID()):1",
  ])
  func malformedNoticesAreIgnored(_ payload: String) {
    #expect(RevocationNotice(payload: payload) == nil)
  }

  @Test func clientNoticesRoundTrip() {
    let id = UUID()
    for notice in [ClientNotice.added(id), .removed(id), .failure(key: "client-address:2001:db8::1")] {
      #expect(ClientNotice(payload: notice.payload) == notice)
    }
    for bad in ["", "a:", "a:nope", "f:", "x:1", "r"] { #expect(ClientNotice(payload: bad) == nil) }
  }

  @Test func aRemovedClientsTokensAreRevokedUntilTheHorizon() {
    var set = RevocationSet(accessTTL: 900)
    let gone = UUID()
    let kept = UUID()
    set.apply(.clientRemoved(gone), now: 1000)
    set.apply(.token(jti: "dead", expiresAt: 2000), now: 1000)
    #expect(set.isClientTokenRevoked(jti: "any", client: gone) && set.isClientRemoved(gone))
    #expect(set.isClientTokenRevoked(jti: "dead", client: kept))
    #expect(!set.isClientTokenRevoked(jti: "live", client: kept) && !set.isClientRemoved(kept))
    set.prune(now: 1000 + set.horizon - 1)
    #expect(set.isClientRemoved(gone))
    set.prune(now: 1000 + set.horizon + 1)
    #expect(!set.isClientRemoved(gone))
    #expect(RevocationBatch(removedClients: [gone]).notices == [.clientRemoved(gone)])
  }

  @Test func acksRoundTrip() {
    let ack = RevocationAck(instance: "i1", key: "s:abc")
    #expect(RevocationAck(payload: ack.payload) == ack)
    #expect(RevocationAck(payload: "no-bar") == nil)
  }

  @Test func theSetAnswersForSessionsTokensAndCutoffs() {
    var set = RevocationSet(accessTTL: 900)
    let user = UUID()
    let session = UUID()
    set.apply(.session(session), now: 1000)
    set.apply(.token(jti: "dead", expiresAt: 2000), now: 1000)
    set.apply(.userCutoff(user, 1500.7), now: 1500)
    #expect(set.isRevoked(token(session: session)))
    #expect(set.isRevoked(token(jti: "dead")))
    #expect(set.isRevoked(token(user: user, iat: 1499)))
    // Issued in the cut-off's second, after it: still valid.
    #expect(!set.isRevoked(token(user: user, iat: 1500)))
    #expect(!set.isRevoked(token()))
  }

  @Test func pruneDropsOnlyWhatCanNoLongerMatchAndMergeUnions() {
    var set = RevocationSet(accessTTL: 900)
    let old = UUID()
    let recent = UUID()
    set.apply(.session(old), now: 0)
    set.apply(.session(recent), now: 10_000)
    set.apply(.token(jti: "expired", expiresAt: 100), now: 0)
    set.prune(now: 10_000)
    #expect(set.sessions.keys.sorted { $0.uuidString < $1.uuidString } == [recent])
    #expect(set.tokens.isEmpty)
    let other = UUID()
    set.merge(
      RevocationSnapshot(sessions: [(other, 9_999)], tokens: [("t", 20_000)], userCutoffs: []), now: 10_000)
    #expect(set.sessions[other] == 9_999 && set.sessions[recent] == 10_000)
    #expect(set.tokens["t"] == 20_000)
  }

  @Test func theCapKeepsTheNewestAndTheOneJustCreated() {
    let cap = SessionCap(limit: 2)
    let ids = (0..<4).map { _ in UUID() }
    let live = ids.enumerated().map { CappedSession(id: $1, lastUsedAt: Double($0), createdAt: 0) }
    // ids[0] just logged in (its stamp looks oldest), ids[3] is the most recently used.
    #expect(Set(cap.evictions(live: live, keep: ids[0])) == Set([ids[1], ids[2]]))
    #expect(cap.evictions(live: Array(live.prefix(2)), keep: ids[0]).isEmpty)
  }
}
