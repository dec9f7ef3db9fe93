import Foundation
import Synchronization

@testable import LatchkeyDomain

/// The domain's `Store` in memory, for tests of the services' orchestration
/// without PostgreSQL: one lock held for a whole transaction (so
/// transactions are serial), the state copied at its start and put back when
/// it throws (rollback), notices published only on commit.
final class InMemoryStore: Store {
  struct Token {
    var id: Int64
    var session: UUID
    var hash: [UInt8]
    var expiresAt: Double
    var usedAt: Double?
    var successor: Int64?
  }

  struct Session {
    var id: UUID
    var user: UUID
    var createdAt: Double
    var lastUsedAt: Double
    var absoluteExpiry: Double
    var revokedAt: Double?
    var reason: RevocationReason?
    var client: ClientInfo
    var kind: SessionKind = .browser
  }

  struct State {
    var users: [UUID: User] = [:]
    var tokensValidAfter: [UUID: Double] = [:]
    var sessions: [UUID: Session] = [:]
    var tokens: [Int64: Token] = [:]
    var nextTokenID: Int64 = 1
    var denylist: [String: Double] = [:]
    var throttle: [String: ThrottleCounter] = [:]
    var audit: [AuditEvent] = []
    var published: [RevocationNotice] = []
    var transactions = 0
    /// Which refresh path ran: compare-and-set attempts and wins, and
    /// reads under the family's lock.
    var casAttempts = 0
    var casRotations = 0
    var tokenLocks = 0
    var clients: [UUID: OAuthClient] = [:]
    var clientNotices: [ClientNotice] = []
    var signingKeys: [StoredSigningKey] = []
    var signingKeyChanges = 0
    var codes: [[UInt8]: PendingAuthorizationCode] = [:]
    var consents: [String: [String]] = [:]
    var devices: [UUID: (hash: [UInt8], authorization: DeviceAuthorization)] = [:]
  }

  let state = Mutex(State())

  func transaction<T>(_ body: (any StoreTransaction) throws -> T) throws -> T {
    try state.withLock { state in
      let before = state
      let tx = Transaction(state: state)
      do {
        let result = try body(tx)
        state = tx.state
        state.published += tx.pending
        state.transactions += 1
        return result
      } catch {
        state = before
        throw error
      }
    }
  }

  func read<T>(_ body: (any StoreTransaction) throws -> T) throws -> T {
    try transaction(body)
  }

  var snapshot: State { state.withLock { $0 } }

  /// The operations, on a copy of the state that commits when the body returns.
  final class Transaction: StoreTransaction {
    var state: State
    var pending: [RevocationNotice] = []

    init(state: State) {
      self.state = state
    }

    func insertUser(_ user: User, now: Double) throws -> Bool {
      if state.users.values.contains(where: { User.emailKey($0.email) == User.emailKey(user.email) }) {
        return false
      }
      state.users[user.id] = user
      state.tokensValidAfter[user.id] = 0
      return true
    }

    func findUser(emailKey: String) throws -> User? {
      state.users.values.first { User.emailKey($0.email) == emailKey }
    }

    func findUser(id: UUID, lock: Bool) throws -> User? { state.users[id] }

    func updatePasswordHash(of user: UUID, to hash: String, now: Double) throws {
      state.users[user]?.passwordHash = hash
    }

    func invalidateTokens(of user: UUID, now: Double) throws -> Double? {
      guard state.users[user] != nil else { return nil }
      let cutoff = max(state.tokensValidAfter[user] ?? 0, now)
      state.tokensValidAfter[user] = cutoff
      return cutoff
    }

    func createSession(
      id: UUID, user: UUID, kind: SessionKind, client: ClientInfo, now: Double, absoluteExpiry: Double
    ) throws {
      state.sessions[id] = Session(
        id: id, user: user, createdAt: now, lastUsedAt: now, absoluteExpiry: absoluteExpiry, client: client,
        kind: kind)
    }

    func openSession(_ opening: SessionOpening) throws -> Int {
      try createSession(
        id: opening.id, user: opening.user, kind: opening.kind, client: opening.client, now: opening.now,
        absoluteExpiry: opening.absoluteExpiry)
      _ = try insertRefreshToken(
        session: opening.id, hash: opening.refreshHash, parent: nil, issuedAt: opening.now,
        expiresAt: opening.refreshExpiry)
      if let event = opening.auditEvent { state.audit.append(event) }
      if let key = opening.clearing { state.throttle[key] = nil }
      return try cappedSessions(of: opening.user, now: opening.now).count
    }

    func insertRefreshToken(session: UUID, hash: [UInt8], parent: Int64?, issuedAt: Double, expiresAt: Double)
      throws -> Int64
    {
      let id = state.nextTokenID
      state.nextTokenID += 1
      state.tokens[id] = Token(id: id, session: session, hash: hash, expiresAt: expiresAt)
      return id
    }

    func lockRefreshToken(hash: [UInt8]) throws -> LockedRefreshToken? {
      state.tokenLocks += 1
      return try peekRefreshToken(hash: hash)
    }

    private func peekRefreshToken(hash: [UInt8]) throws -> LockedRefreshToken? {
      guard let token = state.tokens.values.first(where: { $0.hash == hash }),
        let session = state.sessions[token.session], let user = state.users[session.user]
      else { return nil }
      let successor = token.successor.flatMap { state.tokens[$0] }
      return LockedRefreshToken(
        id: token.id, sessionID: session.id, userID: user.id, successorID: token.successor,
        successorExpiresAt: successor?.expiresAt, role: user.role, email: user.email,
        state: PresentedToken(
          expiresAt: token.expiresAt, usedAt: token.usedAt, successorUsed: successor?.usedAt != nil,
          sessionRevoked: session.revokedAt != nil, sessionExpiresAt: session.absoluteExpiry),
        kind: session.kind)
    }

    func findLiveToken(hash: [UInt8], now: Double) throws -> LiveToken? {
      guard let token = state.tokens.values.first(where: { $0.hash == hash }), token.usedAt == nil,
        token.expiresAt > now, let session = state.sessions[token.session], session.revokedAt == nil,
        session.absoluteExpiry > now, let user = state.users[session.user]
      else { return nil }
      return LiveToken(
        sessionID: session.id, userID: user.id, email: user.email, role: user.role, kind: session.kind,
        expiresAt: token.expiresAt)
    }

    /// Rotates exactly when the rules say `.rotate`, so a divergence between
    /// the fast path and the locked path shows up in the domain's tests.
    func rotateIfCurrent(
      hash: [UInt8], successorHash: [UInt8], now: Double, refreshTTL: Double, holder: RefreshHolder
    ) throws -> RotatedToken? {
      state.casAttempts += 1
      guard let token = try peekRefreshToken(hash: hash), holder.accepts(token.kind),
        RefreshDecision.decide(token.state, now: now, reuseInterval: 0) == .rotate
      else { return nil }
      let expiry = RefreshDecision.successorExpiry(
        now: now, refreshTTL: refreshTTL, sessionExpiresAt: token.state.sessionExpiresAt)
      let next = try insertRefreshToken(
        session: token.sessionID, hash: successorHash, parent: token.id, issuedAt: now, expiresAt: expiry)
      try markRotated(token: token.id, successor: next, now: now)
      try touchSession(token.sessionID, now: now)
      state.casRotations += 1
      return RotatedToken(
        sessionID: token.sessionID, userID: token.userID, role: token.role, email: token.email,
        successorExpiresAt: expiry, kind: token.kind)
    }

    func markRotated(token: Int64, successor: Int64, now: Double) throws {
      state.tokens[token]?.usedAt = now
      state.tokens[token]?.successor = successor
    }

    func touchSession(_ session: UUID, now: Double) throws { state.sessions[session]?.lastUsedAt = now }

    func isSessionLive(_ session: UUID, now: Double) throws -> Bool {
      state.sessions[session].map { $0.revokedAt == nil && $0.absoluteExpiry > now } ?? false
    }

    func revokeSessions(_ filter: SessionFilter, reason: RevocationReason, now: Double) throws -> [UUID] {
      let matching = state.sessions.values.filter { session in
        guard session.revokedAt == nil else { return false }
        switch filter {
        case .session(let id): return session.id == id
        case .sessions(let ids): return ids.contains(session.id)
        case .user(let user): return session.user == user
        case .userExcept(let user, let keep): return session.user == user && session.id != keep
        case .ownedSession(let id, let owner): return session.id == id && session.user == owner
        case .client(let client): return session.kind.clientID == client
        }
      }
      for session in matching {
        state.sessions[session.id]?.revokedAt = now
        state.sessions[session.id]?.reason = reason
      }
      return matching.map(\.id)
    }

    func cappedSessions(of user: UUID, now: Double) throws -> [CappedSession] {
      state.sessions.values.filter { $0.user == user && $0.revokedAt == nil && $0.absoluteExpiry > now }
        .map { CappedSession(id: $0.id, lastUsedAt: $0.lastUsedAt, createdAt: $0.createdAt) }
    }

    func liveSessions(of user: UUID, now: Double) throws -> [SessionInfo] {
      state.sessions.values.filter { session in
        session.user == user && session.revokedAt == nil && session.absoluteExpiry > now
          && state.tokens.values.contains {
            $0.session == session.id && $0.usedAt == nil && $0.expiresAt > now
          }
      }.sorted { $0.createdAt > $1.createdAt }.map {
        SessionInfo(
          id: $0.id, createdAt: $0.createdAt, lastUsedAt: $0.lastUsedAt, userAgent: $0.client.userAgent,
          ip: $0.client.ip, clientID: $0.kind.clientID)
      }
    }

    func denylist(jti: String, expiresAt: Double) throws -> Bool {
      guard state.denylist[jti] == nil else { return false }
      state.denylist[jti] = expiresAt
      return true
    }

    func accessTokenStatus(session: UUID, user: UUID, jti: String) throws -> AccessTokenStatus {
      let live = state.sessions[session].map { $0.user == user && $0.revokedAt == nil } ?? false
      return AccessTokenStatus(
        sessionLive: live, denylisted: state.denylist[jti] != nil,
        tokensValidAfter: state.tokensValidAfter[user] ?? .infinity)
    }

    func revocationSnapshot(revokedSince: Double, tokensExpiringAfter: Double) throws -> RevocationSnapshot {
      RevocationSnapshot(
        sessions: state.sessions.values.compactMap { s in
          s.revokedAt.flatMap { $0 > revokedSince ? (s.id, $0) : nil }
        },
        tokens: state.denylist.filter { $0.value > tokensExpiringAfter }.map { ($0.key, $0.value) },
        userCutoffs: state.tokensValidAfter.filter { $0.value > revokedSince }.map { ($0.key, $0.value) })
    }

    func publish(_ notices: [RevocationNotice]) throws { pending += notices }

    func throttleCounter(_ key: String) throws -> ThrottleCounter? { state.throttle[key] }

    func lockThrottleCounter(_ key: String) throws -> ThrottleCounter? { state.throttle[key] }

    func saveThrottleCounter(_ key: String, _ counter: ThrottleCounter) throws {
      state.throttle[key] = counter
    }

    func deleteThrottleCounter(_ key: String) throws { state.throttle[key] = nil }

    func findUser(emailKey: String, counters keys: [String]) throws -> (User?, [String: ThrottleCounter]) {
      (try findUser(emailKey: emailKey), state.throttle.filter { keys.contains($0.key) })
    }

    func recordLoginFailure(_ keys: LoginThrottle.Keys, throttle: LoginThrottle, audit: AuditEvent) throws {
      for (key, window) in [(keys.budget, throttle.account), (keys.address, throttle.address)] {
        state.throttle[key] = window.recordingFailure(state.throttle[key], now: audit.time)
      }
      state.audit.append(audit)
    }

    func recordAudit(_ event: AuditEvent) throws { state.audit.append(event) }

    func auditEvents(of user: UUID?, limit: Int) throws -> [AuditEvent] {
      Array(state.audit.filter { user == nil || $0.userID == user }.reversed().prefix(limit))
    }

    func insertClient(_ client: OAuthClient) throws { state.clients[client.id] = client }

    func findClient(id: UUID) throws -> OAuthClient? { state.clients[id] }

    func listClients() throws -> [OAuthClient] { state.clients.values.sorted { $0.createdAt < $1.createdAt } }

    func deleteClient(id: UUID) throws -> Bool { state.clients.removeValue(forKey: id) != nil }

    func clientTokenStatus(client: UUID, jti: String) throws -> ClientTokenStatus {
      ClientTokenStatus(clientExists: state.clients[client] != nil, denylisted: state.denylist[jti] != nil)
    }

    func publishClientNotices(_ notices: [ClientNotice]) throws { state.clientNotices += notices }

    func insertAuthorizationCode(hash: [UInt8], _ code: PendingAuthorizationCode) throws {
      state.codes[hash] = code
    }

    func lockAuthorizationCode(hash: [UInt8]) throws -> PendingAuthorizationCode? { state.codes[hash] }

    func markAuthorizationCodeUsed(hash: [UInt8], now: Double) throws { state.codes[hash]?.usedAt = now }

    func consentedScopes(user: UUID, client: UUID) throws -> [String]? {
      state.consents["\(user)/\(client)"]
    }

    func saveConsent(user: UUID, client: UUID, scopes: [String], now: Double) throws {
      state.consents["\(user)/\(client)"] = scopes
    }

    func insertDeviceAuthorization(id: UUID, deviceCodeHash: [UInt8], _ authorization: DeviceAuthorization)
      throws -> Bool
    {
      let clash = state.devices.values.contains {
        $0.authorization.userCode == authorization.userCode
          && $0.authorization.expiresAt > authorization.issuedAt
      }
      if clash { return false }
      state.devices[id] = (deviceCodeHash, authorization)
      return true
    }

    func lockDeviceAuthorization(deviceCodeHash: [UInt8]) throws -> StoredDeviceAuthorization? {
      state.devices.first { $0.value.hash == deviceCodeHash }.map {
        StoredDeviceAuthorization(id: $0.key, authorization: $0.value.authorization)
      }
    }

    func lockDeviceAuthorization(userCode: UserCode, now: Double) throws -> StoredDeviceAuthorization? {
      state.devices.first {
        $0.value.authorization.userCode == userCode && $0.value.authorization.expiresAt > now
      }
      .map { StoredDeviceAuthorization(id: $0.key, authorization: $0.value.authorization) }
    }

    func updateDeviceAuthorization(id: UUID, _ authorization: DeviceAuthorization) throws {
      state.devices[id]?.authorization = authorization
    }
  }
}
