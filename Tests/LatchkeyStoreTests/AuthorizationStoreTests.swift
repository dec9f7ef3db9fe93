import Foundation
import LatchkeyDomain
import LatchkeyPostgres
import LatchkeyStore
import LatchkeyTesting
import Testing

/// The browser flows' SQL against a real PostgreSQL: authorization codes,
/// consents, device authorizations, grant and sign-in sessions, and what
/// purging and removing a client do to them. One fresh, migrated database
/// per test.
@Suite struct AuthorizationStoreTests {
  let ann = User(id: UUID(), email: "ann@example.com", role: .admin, passwordHash: "$argon2id$fake")
  let app = OAuthClient(
    id: UUID(), name: "app", secretDigest: nil, grants: [.authorizationCode, .deviceCode, .refreshToken],
    scopes: ["read", "write"], redirectURIs: ["https://app.example/cb"], createdAt: 1000)
  let other = OAuthClient(
    id: UUID(), name: "other", secretDigest: nil, grants: [.authorizationCode], scopes: ["read"],
    redirectURIs: ["https://other.example/cb"], createdAt: 1000)
  let info = ClientInfo(ip: "192.0.2.1", userAgent: "ua")

  func withStore<T>(_ body: (PostgresStore, PostgresPool) throws -> T) throws -> T {
    let url = try TestDatabase.create(prefix: "authz")
    defer { TestDatabase.drop(url) }
    _ = try Migrations.apply(url: url, directory: TestServer.migrationsDirectory)
    let pool = PostgresPool(url: url, size: 6)
    defer { pool.close() }
    let store = PostgresStore(pool: pool)
    try store.transaction { tx in
      _ = try tx.insertUser(ann, now: 1000)
      try tx.insertClient(app)
      try tx.insertClient(other)
    }
    return try body(store, pool)
  }

  func code(client: OAuthClient? = nil, expiresAt: Double = 1060, scopes: [String] = ["read", "write"])
    -> PendingAuthorizationCode
  {
    PendingAuthorizationCode(
      clientID: (client ?? app).clientID, redirectURI: "https://app.example/cb?a=1&b= 2",
      redirectURIWasPresented: true, codeChallenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
      userID: ann.id, scopes: scopes, grantID: UUID(), issuedAt: expiresAt - 60, expiresAt: expiresAt)
  }

  func device(
    _ letters: String = "BCDFGHJK", client: OAuthClient? = nil, issuedAt: Double = 1000,
    expiresAt: Double = 1600
  ) -> DeviceAuthorization {
    DeviceAuthorization(
      clientID: (client ?? app).clientID, scopes: ["read"], userCode: UserCode(normalizing: letters)!,
      issuedAt: issuedAt, expiresAt: expiresAt, interval: 5)
  }

  /// A session of `kind` created at 1000 with one token.
  func session(
    _ store: PostgresStore, _ id: UUID = UUID(), kind: SessionKind, hash: [UInt8],
    sessionExpiry: Double = 5000,
    tokenExpiry: Double = 4000
  ) throws {
    try store.transaction { tx in
      try tx.createSession(
        id: id, user: ann.id, kind: kind, client: info, now: 1000, absoluteExpiry: sessionExpiry)
      _ = try tx.insertRefreshToken(
        session: id, hash: hash, parent: nil, issuedAt: 1000, expiresAt: tokenExpiry)
    }
  }

  func count(_ table: String, _ pool: PostgresPool) throws -> Int64 {
    try pool.withConnection { try $0.query("select count(*) from \(table)").rows.first?.int(0) ?? -1 }
  }

  // MARK: - Authorization codes and consents

  @Test func codesRoundTripUnderALockAndAreMarkedUsed() throws {
    try withStore { store, _ throws in
      let issued = code()
      let scopeless = code(scopes: [])
      try store.transaction { tx in
        try tx.insertAuthorizationCode(hash: [1, 2], issued)
        try tx.insertAuthorizationCode(hash: [3], scopeless)
      }
      #expect(try store.transaction { try $0.lockAuthorizationCode(hash: [1, 2]) } == issued)
      #expect(try store.transaction { try $0.lockAuthorizationCode(hash: [3]) } == scopeless)
      #expect(try store.transaction { try $0.lockAuthorizationCode(hash: [9]) } == nil)
      try store.transaction { try $0.markAuthorizationCodeUsed(hash: [1, 2], now: 1010.5) }
      var used = issued
      used.usedAt = 1010.5
      #expect(try store.transaction { try $0.lockAuthorizationCode(hash: [1, 2]) } == used)
      #expect(try store.transaction { try $0.lockAuthorizationCode(hash: [3]) }?.usedAt == nil)
    }
  }

  @Test func consentsAreSavedReadAndOverwritten() throws {
    try withStore { store, _ throws in
      #expect(try store.read { try $0.consentedScopes(user: ann.id, client: app.id) } == nil)
      try store.transaction { try $0.saveConsent(user: ann.id, client: app.id, scopes: ["read"], now: 1000) }
      #expect(try store.read { try $0.consentedScopes(user: ann.id, client: app.id) } == ["read"])
      try store.transaction {
        try $0.saveConsent(user: ann.id, client: app.id, scopes: ["read", "write"], now: 2000)
      }
      #expect(try store.read { try $0.consentedScopes(user: ann.id, client: app.id) } == ["read", "write"])
      #expect(try store.read { try $0.consentedScopes(user: ann.id, client: other.id) } == nil)
      // Consenting to nothing is still an answer, not "never asked".
      try store.transaction { try $0.saveConsent(user: ann.id, client: other.id, scopes: [], now: 2000) }
      #expect(try store.read { try $0.consentedScopes(user: ann.id, client: other.id) } == [])
    }
  }

  // MARK: - Device authorizations

  @Test func deviceAuthorizationsRoundTripUnderALock() throws {
    try withStore { store, pool throws in
      let id = UUID()
      let pending = device()
      #expect(
        try store.transaction { try $0.insertDeviceAuthorization(id: id, deviceCodeHash: [1], pending) })
      let stored = StoredDeviceAuthorization(id: id, authorization: pending)
      #expect(try store.transaction { try $0.lockDeviceAuthorization(deviceCodeHash: [1]) } == stored)
      #expect(try store.transaction { try $0.lockDeviceAuthorization(deviceCodeHash: [2]) } == nil)
      #expect(
        try store.transaction { try $0.lockDeviceAuthorization(userCode: pending.userCode, now: 1100) }
          == stored)

      var approved = try #require(pending.approved(by: ann.id, now: 1100))
      approved.interval = 10
      approved.lastPolledAt = 1105.25
      try store.transaction { try $0.updateDeviceAuthorization(id: id, approved) }
      #expect(
        try store.transaction { try $0.lockDeviceAuthorization(deviceCodeHash: [1]) }
          == StoredDeviceAuthorization(id: id, authorization: approved))

      var redeemed = approved
      redeemed.status = .redeemed
      try store.transaction { try $0.updateDeviceAuthorization(id: id, redeemed) }
      #expect(
        try store.transaction { try $0.lockDeviceAuthorization(deviceCodeHash: [1]) }?.authorization
          == redeemed)
      // Who approved stays on record after redemption.
      let approver = try pool.withConnection {
        try $0.query("select user_id from device_authorizations where id = $1::uuid", [.uuid(id)]).rows.first?
          .uuid(0)
      }
      #expect(approver == ann.id)

      let deniedID = UUID()
      let denied = try #require(device("LMNPQRST").denied(now: 1100))
      #expect(
        try store.transaction { try $0.insertDeviceAuthorization(id: deniedID, deviceCodeHash: [3], denied) })
      #expect(
        try store.transaction { try $0.lockDeviceAuthorization(deviceCodeHash: [3]) }?.authorization == denied
      )
    }
  }

  @Test func aUserCodeHeldByAnUnexpiredAuthorizationIsNotIssuedAgain() throws {
    try withStore { store, pool throws in
      let first = UUID()
      #expect(
        try store.transaction { try $0.insertDeviceAuthorization(id: first, deviceCodeHash: [1], device()) })
      // Still held at 1599: refused, and nothing stored.
      let clash = device(issuedAt: 1599, expiresAt: 2199)
      #expect(
        try !store.transaction { try $0.insertDeviceAuthorization(id: UUID(), deviceCodeHash: [2], clash) })
      #expect(try store.transaction { try $0.lockDeviceAuthorization(deviceCodeHash: [2]) } == nil)
      #expect(try count("device_authorizations", pool) == 1)
      // Another code at the same time is no clash.
      #expect(
        try store.transaction {
          try $0.insertDeviceAuthorization(
            id: UUID(), deviceCodeHash: [3], device("ZXWVTSRQ", issuedAt: 1599))
        })
      // Expired at 1600: the code is free again, and the new one is found by it.
      let second = UUID()
      let reissued = device(issuedAt: 1600, expiresAt: 2200)
      #expect(
        try store.transaction { try $0.insertDeviceAuthorization(id: second, deviceCodeHash: [4], reissued) })
      #expect(
        try store.transaction { try $0.lockDeviceAuthorization(userCode: reissued.userCode, now: 1700) }
          == StoredDeviceAuthorization(id: second, authorization: reissued))
      #expect(try store.transaction { try $0.lockDeviceAuthorization(deviceCodeHash: [1]) } == nil)
    }
  }

  /// Racing inserts of one code meet in the unique index (or, when an
  /// expired holder of the code is there, on its row lock first): one wins.
  @Test func concurrentInsertsOfOneUserCodeStoreOne() throws {
    try withStore { store, pool throws in
      for round in 0..<10 {
        let letters = "BCDFGHJ" + String(UnicodeScalar(UserCode.alphabet[round]))
        if round % 2 == 1 {
          #expect(
            try store.transaction {
              try $0.insertDeviceAuthorization(
                id: UUID(), deviceCodeHash: [UInt8(round)], device(letters, issuedAt: 0, expiresAt: 500))
            })
        }
        let results = race(4) { index in
          try store.transaction {
            try $0.insertDeviceAuthorization(
              id: UUID(), deviceCodeHash: [UInt8(round), UInt8(index)], device(letters))
          }
        }
        #expect(results.compactMap { try? $0.get() }.filter { $0 }.count == 1, "round \(round): \(results)")
        #expect(results.allSatisfy { (try? $0.get()) != nil }, "\(results)")
      }
      #expect(try count("device_authorizations", pool) == 10)
    }
  }

  @Test func aUserCodeFindsOnlyAnUnexpiredAuthorization() throws {
    try withStore { store, _ throws in
      let id = UUID()
      let pending = device(expiresAt: 1600)
      #expect(
        try store.transaction { try $0.insertDeviceAuthorization(id: id, deviceCodeHash: [1], pending) })
      #expect(
        try store.transaction { try $0.lockDeviceAuthorization(userCode: pending.userCode, now: 1599.5) }?.id
          == id)
      #expect(
        try store.transaction { try $0.lockDeviceAuthorization(userCode: pending.userCode, now: 1600) } == nil
      )
      // The device, polling with its code, is still told it expired.
      #expect(try store.transaction { try $0.lockDeviceAuthorization(deviceCodeHash: [1]) }?.id == id)
    }
  }

  // MARK: - Grant and sign-in sessions

  @Test func aGrantSessionsKindAndScopesRoundTrip() throws {
    try withStore { store, _ throws in
      let grant = UUID()
      let kind = SessionKind.grant(client: app.id, scopes: ["read", "write"])
      try session(store, grant, kind: kind, hash: [1])
      try session(store, kind: .signIn, hash: [2])
      try session(store, kind: .grant(client: other.id, scopes: []), hash: [3])
      try session(store, kind: .browser, hash: [4])
      let locked = try #require(try store.transaction { try $0.lockRefreshToken(hash: [1]) })
      #expect(locked.kind == kind && locked.sessionID == grant)
      #expect(try store.transaction { try $0.lockRefreshToken(hash: [2]) }?.kind == .signIn)
      #expect(
        try store.transaction { try $0.lockRefreshToken(hash: [3]) }?.kind
          == .grant(client: other.id, scopes: []))
      #expect(try store.transaction { try $0.lockRefreshToken(hash: [4]) }?.kind == .browser)
      #expect(
        try store.read { try $0.findLiveToken(hash: [1], now: 1100) }
          == LiveToken(
            sessionID: grant, userID: ann.id, email: ann.email, role: .admin, kind: kind, expiresAt: 4000))
      #expect(try store.read { try $0.findLiveToken(hash: [2], now: 1100) }?.kind == .signIn)
    }
  }

  @Test func theSchemaRefusesAGrantWithoutAClientAndAClientOutsideAGrant() throws {
    try withStore { _, pool throws in
      for (kind, client, scopes) in [
        ("grant", "null", "'{}'"), ("grant", "gen_random_uuid()", "null"),
        ("browser", "gen_random_uuid()", "null"), ("signin", "null", "'{}'"), ("other", "null", "null"),
      ] {
        #expect(throws: PostgresError.self, "\(kind) \(client) \(scopes)") {
          try pool.withConnection {
            try $0.query(
              """
              insert into sessions (id, user_id, created_at, last_used_at, absolute_expires_at, kind, client_id,
                scopes)
              values (gen_random_uuid(), $1::uuid, now(), now(), now(), '\(kind)', \(client), \(scopes))
              """, [.uuid(ann.id)])
          }
        }
      }
    }
  }

  @Test func aLiveTokenIsUnusedUnexpiredAndInALiveSession() throws {
    try withStore { store, _ throws in
      let used = UUID()
      let revoked = UUID()
      try session(store, used, kind: .signIn, hash: [1])
      try store.transaction { tx in
        let next = try tx.insertRefreshToken(
          session: used, hash: [2], parent: nil, issuedAt: 1050, expiresAt: 1500)
        try tx.markRotated(
          token: try #require(try tx.lockRefreshToken(hash: [1])).id, successor: next, now: 1050)
      }
      try session(store, kind: .signIn, hash: [3], tokenExpiry: 1200)
      try session(store, kind: .signIn, hash: [4], sessionExpiry: 1200, tokenExpiry: 1200)
      try session(store, revoked, kind: .signIn, hash: [5])
      _ = try store.transaction { try $0.revokeSessions(.session(revoked), reason: .logout, now: 1100) }

      #expect(try store.read { try $0.findLiveToken(hash: [1], now: 1100) } == nil)
      #expect(try store.read { try $0.findLiveToken(hash: [2], now: 1100) }?.expiresAt == 1500)
      #expect(try store.read { try $0.findLiveToken(hash: [3], now: 1199) } != nil)
      #expect(try store.read { try $0.findLiveToken(hash: [3], now: 1200) } == nil)
      #expect(try store.read { try $0.findLiveToken(hash: [4], now: 1200) } == nil)
      #expect(try store.read { try $0.findLiveToken(hash: [5], now: 1150) } == nil)
      #expect(try store.read { try $0.findLiveToken(hash: [99], now: 1100) } == nil)
    }
  }

  @Test func liveSessionsNameTheirClientAndAClientsGrantsAreRevokedTogether() throws {
    try withStore { store, _ throws in
      let (browser, mine, theirs) = (UUID(), UUID(), UUID())
      try session(store, browser, kind: .browser, hash: [1])
      try session(store, mine, kind: .grant(client: app.id, scopes: ["read"]), hash: [2])
      try session(store, theirs, kind: .grant(client: other.id, scopes: ["read"]), hash: [3])
      let live = try store.read { try $0.liveSessions(of: ann.id, now: 1100) }
      #expect(
        Dictionary(uniqueKeysWithValues: live.map { ($0.id, $0.clientID) })
          == [browser: nil, mine: app.id, theirs: other.id])
      #expect(
        try store.transaction { try $0.revokeSessions(.client(app.id), reason: .logout, now: 1200) } == [mine]
      )
      #expect(
        try store.transaction { try $0.revokeSessions(.client(app.id), reason: .logout, now: 1200) } == [])
      #expect(
        Set(try store.read { try $0.liveSessions(of: ann.id, now: 1300) }.map(\.id)) == [browser, theirs])
    }
  }

  // MARK: - Purge and removal

  @Test func purgeRemovesCodesAndDeviceAuthorizationsAnHourAfterExpiry() throws {
    try withStore { store, pool throws in
      try store.transaction { tx in
        try tx.insertAuthorizationCode(hash: [1], code(expiresAt: 1000))
        try tx.insertAuthorizationCode(hash: [2], code(expiresAt: 4000))
        _ = try tx.insertDeviceAuthorization(
          id: UUID(), deviceCodeHash: [1], device("BCDFGHJK", issuedAt: 400, expiresAt: 1000))
        _ = try tx.insertDeviceAuthorization(
          id: UUID(), deviceCodeHash: [2], device("LMNPQRST", issuedAt: 3400, expiresAt: 4000))
      }
      _ = try store.purgeExpired(now: 4700, keepSessionsUntil: 0, batch: 100)
      #expect(try store.transaction { try $0.lockAuthorizationCode(hash: [1]) } == nil)
      #expect(try store.transaction { try $0.lockAuthorizationCode(hash: [2]) } != nil)
      #expect(try store.transaction { try $0.lockDeviceAuthorization(deviceCodeHash: [1]) } == nil)
      #expect(try store.transaction { try $0.lockDeviceAuthorization(deviceCodeHash: [2]) } != nil)
      #expect(try count("authorization_codes", pool) == 1 && count("device_authorizations", pool) == 1)
    }
  }

  @Test func removingAClientRemovesItsCodesConsentsAndDeviceAuthorizations() throws {
    try withStore { store, pool throws in
      let grant = UUID()
      try store.transaction { tx in
        try tx.insertAuthorizationCode(hash: [1], code())
        try tx.insertAuthorizationCode(hash: [2], code(client: other))
        try tx.saveConsent(user: ann.id, client: app.id, scopes: ["read"], now: 1000)
        try tx.saveConsent(user: ann.id, client: other.id, scopes: ["read"], now: 1000)
        _ = try tx.insertDeviceAuthorization(id: UUID(), deviceCodeHash: [1], device("BCDFGHJK"))
        _ = try tx.insertDeviceAuthorization(
          id: UUID(), deviceCodeHash: [2], device("LMNPQRST", client: other))
      }
      try session(store, grant, kind: .grant(client: app.id, scopes: ["read"]), hash: [1])
      #expect(try store.transaction { try $0.deleteClient(id: app.id) })
      #expect(try store.transaction { try $0.lockAuthorizationCode(hash: [1]) } == nil)
      #expect(try store.read { try $0.consentedScopes(user: ann.id, client: app.id) } == nil)
      #expect(try store.transaction { try $0.lockDeviceAuthorization(deviceCodeHash: [1]) } == nil)
      #expect(try count("authorization_codes", pool) == 1 && count("consents", pool) == 1)
      #expect(try count("device_authorizations", pool) == 1)
      // Its grants stay, to be revoked (not deleted) by the removal.
      #expect(try store.transaction { try $0.lockRefreshToken(hash: [1]) }?.kind.clientID == app.id)
    }
  }
}
