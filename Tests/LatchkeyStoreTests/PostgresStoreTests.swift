import Foundation
import LatchkeyDomain
import LatchkeyPostgres
import LatchkeyStore
import LatchkeyTesting
import Synchronization
import Testing

/// The store's SQL against a real PostgreSQL: one fresh, migrated database
/// per test.
@Suite struct PostgresStoreTests {
  func withStore<T>(_ body: (PostgresStore, String) throws -> T) throws -> T {
    let url = try TestDatabase.create(prefix: "store")
    defer { TestDatabase.drop(url) }
    _ = try Migrations.apply(url: url, directory: TestServer.migrationsDirectory)
    let pool = PostgresPool(url: url, size: 4)
    defer { pool.close() }
    return try body(PostgresStore(pool: pool), url)
  }

  func user(_ email: String = "ann@example.com") -> User {
    User(id: UUID(), email: email, role: .user, passwordHash: "$argon2id$fake")
  }

  @Test func usersAreUniqueByEmailKeyAndReadBack() throws {
    try withStore { store, _ throws in
      let ann = user(" Ann@Example.com ")
      #expect(try store.transaction { try $0.insertUser(ann, now: 1000) })
      #expect(try !store.transaction { try $0.insertUser(user("ann@example.com"), now: 1000) })
      let found = try store.read { try $0.findUser(emailKey: "ann@example.com") }
      #expect(found == ann)
      #expect(try store.read { try $0.findUser(id: ann.id, lock: false) } == ann)
      let cutoff = try store.transaction { try $0.invalidateTokens(of: ann.id, now: 2000.5) }
      #expect(cutoff == 2000.5)
      // Never moves back.
      #expect(try store.transaction { try $0.invalidateTokens(of: ann.id, now: 1500) } == 2000.5)
      #expect(try store.transaction { try $0.invalidateTokens(of: UUID(), now: 1500) } == nil)
    }
  }

  @Test func aFailedTransactionWritesNothing() throws {
    struct Boom: Error {}
    try withStore { store, _ throws in
      let ann = user()
      #expect(throws: Boom.self) {
        try store.transaction { tx in
          _ = try tx.insertUser(ann, now: 1000)
          throw Boom()
        }
      }
      #expect(try store.read { try $0.findUser(id: ann.id, lock: false) } == nil)
    }
  }

  @Test func throttleCountersRoundTripUnderALock() throws {
    try withStore { store, _ throws in
      let before = try store.read { try $0.throttleCounter("account:x") }
      #expect(before == nil)
      let counter = try store.transaction { tx -> ThrottleCounter? in
        let locked = try tx.lockThrottleCounter("account:x")
        try tx.saveThrottleCounter("account:x", ThrottleCounter(failures: 3, windowStartedAt: 1234.5))
        return locked
      }
      // A first lock creates an empty, ended window.
      #expect(counter?.failures == 0)
      #expect(
        try store.read { try $0.throttleCounter("account:x") }
          == ThrottleCounter(failures: 3, windowStartedAt: 1234.5))
      try store.transaction { try $0.deleteThrottleCounter("account:x") }
      #expect(try store.read { try $0.throttleCounter("account:x") } == nil)
    }
  }

  @Test func refreshTokensLockRotateAndRevoke() throws {
    try withStore { store, _ throws in
      let ann = user()
      let session = UUID()
      let client = ClientInfo(ip: "192.0.2.1", userAgent: "ua")
      let first = try store.transaction { tx -> Int64 in
        _ = try tx.insertUser(ann, now: 1000)
        try tx.createSession(
          id: session, user: ann.id, kind: .browser, client: client, now: 1000, absoluteExpiry: 5000)
        return try tx.insertRefreshToken(
          session: session, hash: [1, 2, 3], parent: nil, issuedAt: 1000, expiresAt: 4000)
      }
      let locked = try #require(try store.transaction { try $0.lockRefreshToken(hash: [1, 2, 3]) })
      #expect(locked.id == first && locked.sessionID == session && locked.userID == ann.id)
      #expect(
        locked.state
          == PresentedToken(
            expiresAt: 4000, usedAt: nil, successorUsed: false, sessionRevoked: false, sessionExpiresAt: 5000)
      )
      try store.transaction { tx in
        let next = try tx.insertRefreshToken(
          session: session, hash: [4], parent: first, issuedAt: 1100, expiresAt: 4100)
        try tx.markRotated(token: first, successor: next, now: 1100)
      }
      let rotated = try #require(try store.transaction { try $0.lockRefreshToken(hash: [1, 2, 3]) })
      #expect(rotated.state.usedAt == 1100 && rotated.successorExpiresAt == 4100)
      #expect(try store.read { try $0.liveSessions(of: ann.id, now: 1200) }.map(\.id) == [session])
      let revoked = try store.transaction {
        try $0.revokeSessions(.sessions([session, UUID()]), reason: .logout, now: 1300)
      }
      #expect(revoked == [session])
      #expect(
        try store.transaction { try $0.revokeSessions(.session(session), reason: .logout, now: 1300) }.isEmpty
      )
      let status = try store.read { try $0.accessTokenStatus(session: session, user: ann.id, jti: "j") }
      #expect(!status.sessionLive && !status.denylisted)
      #expect(try store.transaction { try $0.denylist(jti: "j", expiresAt: 9000) })
      #expect(try !store.transaction { try $0.denylist(jti: "j", expiresAt: 9000) })
      let snapshot = try store.read {
        try $0.revocationSnapshot(revokedSince: 1000, tokensExpiringAfter: 1000)
      }
      #expect(snapshot.sessions.map(\.0) == [session])
      #expect(snapshot.tokens.map(\.0) == ["j"])
    }
  }

  @Test func noticesAreDeliveredOnCommitOnly() throws {
    try withStore { store, url throws in
      let received = Mutex<[String]>([])
      let arrived = NSCondition()
      let connected = NSCondition()
      let isConnected = Mutex(false)
      let listener = PostgresListener(
        url: url, channels: [RevocationChannels.revocations], connectTimeoutSeconds: 2,
        onNotification: { _, payload in
          received.withLock { $0.append(payload) }
          arrived.lock()
          arrived.broadcast()
          arrived.unlock()
        },
        onConnectionChange: { up in
          isConnected.withLock { $0 = up }
          connected.lock()
          connected.broadcast()
          connected.unlock()
        })
      listener.start()
      defer { listener.stop() }
      connected.lock()
      while !isConnected.withLock({ $0 }) { _ = connected.wait(until: Date().addingTimeInterval(5)) }
      connected.unlock()

      struct Boom: Error {}
      let lost = UUID()
      _ = try? store.transaction { tx -> Void in
        try tx.publish([.session(lost)])
        throw Boom()
      }
      let kept = UUID()
      try store.transaction { try $0.publish([.session(kept), .token(jti: "abc", expiresAt: 99.5)]) }
      arrived.lock()
      let deadline = Date().addingTimeInterval(5)
      while received.withLock({ $0.count }) < 2 && arrived.wait(until: deadline) {}
      arrived.unlock()
      let payloads = received.withLock { $0 }
      #expect(
        payloads.compactMap(RevocationNotice.init(payload:)) == [
          .session(kept), .token(jti: "abc", expiresAt: 99.5),
        ])
    }
  }

  @Test func auditEventsComeBackNewestFirst() throws {
    try withStore { store, _ throws in
      let ann = user()
      try store.transaction { tx in
        _ = try tx.insertUser(ann, now: 1000)
        try tx.recordAudit(
          AuditEvent(time: 1000, type: .register, userID: ann.id, sessionID: nil, ip: "192.0.2.1"))
        try tx.recordAudit(
          AuditEvent(time: 1001, type: .loginFailure, userID: nil, sessionID: nil, ip: "192.0.2.2"))
      }
      #expect(
        try store.read { try $0.auditEvents(of: nil, limit: 10) }.map(\.type) == [.loginFailure, .register])
      #expect(try store.read { try $0.auditEvents(of: ann.id, limit: 10) }.map(\.type) == [.register])
    }
  }
}
