import FoundationEssentials

/// Where accounts, sessions, counters and audit events live. The services
/// see only these protocols; `LatchkeyStore` implements them on PostgreSQL
/// and the tests on memory.
public protocol Store: Sendable {
  /// Runs `body` in one transaction: everything it wrote commits together,
  /// or (when it throws) nothing does.
  func transaction<T>(_ body: (any StoreTransaction) throws -> T) throws -> T
  /// Runs `body` outside an explicit transaction (each statement stands alone).
  func read<T>(_ body: (any StoreTransaction) throws -> T) throws -> T
}

/// The operations available inside `Store.transaction`, one protocol per
/// aggregate.
public typealias StoreTransaction = UserStore & SessionStore & ThrottleStore & AuditStore & ClientStore
  & SigningKeyStore & AuthorizationStore

public protocol UserStore {
  /// Inserts a user; false when the email key is taken (decided by the
  /// store's unique key, so two concurrent registrations cannot both win).
  func insertUser(_ user: User, now: Double) throws -> Bool
  func findUser(emailKey: String) throws -> User?
  /// `lock`: hold the user's row until the transaction ends, serialising
  /// this user's logins and revocations.
  func findUser(id: UUID, lock: Bool) throws -> User?
  func updatePasswordHash(of user: UUID, to hash: String, now: Double) throws
  /// Moves the user's "tokens valid after" to `now` (never back) and
  /// returns the cut-off now stored; nil when there is no such user.
  func invalidateTokens(of user: UUID, now: Double) throws -> Double?
}

/// Which live sessions a revocation applies to.
public enum SessionFilter: Sendable, Equatable {
  case session(UUID)
  case sessions([UUID])
  case user(UUID)
  case userExcept(UUID, keep: UUID)
  case ownedSession(UUID, owner: UUID)
  /// Every grant to one client (the client was removed).
  case client(UUID)
}

/// A refresh token found by its hash, read under its session's row lock.
public struct LockedRefreshToken: Sendable, Equatable {
  public var id: Int64
  public var sessionID: UUID
  public var userID: UUID
  public var successorID: Int64?
  public var successorExpiresAt: Double?
  public var role: Role
  public var email: String
  public var state: PresentedToken
  /// Who may present it (`RefreshHolder.accepts`).
  public var kind: SessionKind

  public init(
    id: Int64, sessionID: UUID, userID: UUID, successorID: Int64?, successorExpiresAt: Double?, role: Role,
    email: String, state: PresentedToken, kind: SessionKind = .browser
  ) {
    self.kind = kind
    self.id = id
    self.sessionID = sessionID
    self.userID = userID
    self.successorID = successorID
    self.successorExpiresAt = successorExpiresAt
    self.role = role
    self.email = email
    self.state = state
  }
}

/// A refresh token rotated by `SessionStore.rotateIfCurrent`: what the new
/// access token and the successor's cookie need.
public struct RotatedToken: Sendable, Equatable {
  public var sessionID: UUID
  public var userID: UUID
  public var role: Role
  public var email: String
  /// The successor's expiry as stored (`RefreshDecision.successorExpiry`).
  public var successorExpiresAt: Double
  /// The session's kind (a grant's scopes come with it).
  public var kind: SessionKind

  public init(
    sessionID: UUID, userID: UUID, role: Role, email: String, successorExpiresAt: Double,
    kind: SessionKind = .browser
  ) {
    self.kind = kind
    self.sessionID = sessionID
    self.userID = userID
    self.role = role
    self.email = email
    self.successorExpiresAt = successorExpiresAt
  }
}

/// The revocation facts for one access token.
public struct AccessTokenStatus: Sendable, Equatable {
  public var sessionLive: Bool
  public var denylisted: Bool
  /// Unix seconds; `.infinity` when the user is gone.
  public var tokensValidAfter: Double

  public init(sessionLive: Bool, denylisted: Bool, tokensValidAfter: Double) {
    self.sessionLive = sessionLive
    self.denylisted = denylisted
    self.tokensValidAfter = tokensValidAfter
  }
}

/// A token that could be used now: unused and unexpired, in a live,
/// unexpired session. What the sign-in cookie and introspection need.
public struct LiveToken: Sendable, Equatable {
  public var sessionID: UUID
  public var userID: UUID
  public var email: String
  public var role: Role
  public var kind: SessionKind
  public var expiresAt: Double

  public init(sessionID: UUID, userID: UUID, email: String, role: Role, kind: SessionKind, expiresAt: Double)
  {
    self.sessionID = sessionID
    self.userID = userID
    self.email = email
    self.role = role
    self.kind = kind
    self.expiresAt = expiresAt
  }
}

public protocol SessionStore {
  func createSession(
    id: UUID, user: UUID, kind: SessionKind, client: ClientInfo, now: Double, absoluteExpiry: Double) throws
  /// Inserts `opening`'s session, its first refresh token, its audit event
  /// and deletes the counter it clears, all or nothing, and returns how many
  /// live, unexpired sessions the user has, the new one included (for the
  /// cap, which needs the list only beyond its limit). The caller holds the
  /// user's row lock, so a concurrent login of the same user is counted.
  func openSession(_ opening: SessionOpening) throws -> Int
  /// Returns the new token's id.
  func insertRefreshToken(session: UUID, hash: [UInt8], parent: Int64?, issuedAt: Double, expiresAt: Double)
    throws -> Int64
  /// Finds a token by its hash and locks its session, so every refresh,
  /// logout and revocation of one family is serialised; nil when unknown.
  func lockRefreshToken(hash: [UInt8]) throws -> LockedRefreshToken?
  func markRotated(token: Int64, successor: Int64, now: Double) throws
  /// The common case of a refresh as one atomic step, run on its own rather
  /// than inside `Store.transaction`: when `hash` is its family's current,
  /// unexpired token in a live, unexpired session (exactly when
  /// `RefreshDecision.decide` answers `.rotate`), marks it used, stores its
  /// successor (`successorHash`, expiring at
  /// `RefreshDecision.successorExpiry`) and touches the session. Anything
  /// else (unknown, used, expired, revoked, or rotated by a concurrent
  /// request first) answers nil and writes nothing, and the caller decides
  /// under `lockRefreshToken`. It serialises with every holder of the
  /// session's row lock, so a concurrent revocation either comes after the
  /// rotation or makes it answer nil.
  /// Only a token `holder` accepts is rotated; any other answers nil.
  func rotateIfCurrent(
    hash: [UInt8], successorHash: [UInt8], now: Double, refreshTTL: Double, holder: RefreshHolder
  ) throws -> RotatedToken?
  /// The token with this hash if it could be used now, with its session's
  /// kind; nil otherwise. A plain read: it locks nothing.
  func findLiveToken(hash: [UInt8], now: Double) throws -> LiveToken?
  func touchSession(_ session: UUID, now: Double) throws
  /// Whether the session exists, is not revoked and has not expired.
  func isSessionLive(_ session: UUID, now: Double) throws -> Bool
  /// Revokes the live sessions matching `filter`; returns their ids.
  func revokeSessions(_ filter: SessionFilter, reason: RevocationReason, now: Double) throws -> [UUID]
  /// The user's live, unexpired sessions, for the session cap.
  func cappedSessions(of user: UUID, now: Double) throws -> [CappedSession]
  /// The user's sessions that still have a usable refresh token, newest first.
  func liveSessions(of user: UUID, now: Double) throws -> [SessionInfo]
  /// Adds an access token to the denylist; false when it was there already.
  func denylist(jti: String, expiresAt: Double) throws -> Bool
  func accessTokenStatus(session: UUID, user: UUID, jti: String) throws -> AccessTokenStatus
  func revocationSnapshot(revokedSince: Double, tokensExpiringAfter: Double) throws -> RevocationSnapshot
  /// Tells every instance about committed revocations: delivered when the
  /// transaction commits, never when it rolls back.
  func publish(_ notices: [RevocationNotice]) throws
}

public protocol ThrottleStore {
  func throttleCounter(_ key: String) throws -> ThrottleCounter?
  /// What a password attempt checks before hashing, in one read: the
  /// account with `emailKey` (nil when there is none) and the counters on
  /// record among `keys` (at most three: the account's or a device's
  /// budgets and the address's), by key.
  func findUser(emailKey: String, counters keys: [String]) throws -> (User?, [String: ThrottleCounter])
  /// One verified password failure, all or nothing: each of `keys`'
  /// counters moves on by `throttle`'s window for it
  /// (`ThrottleWindow.recordingFailure` at `audit.time`) under its row lock,
  /// so concurrent failures all count, and `audit` is recorded.
  func recordLoginFailure(_ keys: LoginThrottle.Keys, throttle: LoginThrottle, audit: AuditEvent) throws
  /// Reads the counter and holds its row (created empty when missing) until
  /// the transaction ends, so concurrent updates apply one after another.
  func lockThrottleCounter(_ key: String) throws -> ThrottleCounter?
  func saveThrottleCounter(_ key: String, _ counter: ThrottleCounter) throws
  func deleteThrottleCounter(_ key: String) throws
}

public protocol AuditStore {
  func recordAudit(_ event: AuditEvent) throws
  /// Newest first; every user's when `user` is nil.
  func auditEvents(of user: UUID?, limit: Int) throws -> [AuditEvent]
}
