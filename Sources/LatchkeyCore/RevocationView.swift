import Foundation
import LatchkeyJWT
import LatchkeyPostgres

/// The revocations an access token can run into, kept in memory so that an
/// `/api` request checks them in well under a microsecond and never waits for
/// the database. Kept current across instances by LISTEN/NOTIFY on
/// `SessionStore.channel` (every revoking transaction notifies at commit),
/// rebuilt from the tables on every (re)connect and periodically.
///
/// Never trusts itself when it may have missed something: while the listener
/// is disconnected or before the first load, `isRevoked` asks the database
/// instead (and the route runs on a worker thread); if that fails too, the
/// answer is 503, never "not revoked".
public final class RevocationView: RevocationChecker, @unchecked Sendable {
  private let lock = NSLock()
  private let echo = NSCondition()
  private var revokedSessions: [UUID: Double] = [:]
  private var deniedTokens: [String: Double] = [:]
  private var userCutoffs: [UUID: Double] = [:]
  private var inSync = false
  /// Which instances have applied each recently revoked key (and when the
  /// first ack came), for `revoked`'s wait.
  private var acks: [String: (time: Double, instances: Set<String>)] = [:]
  private let instance = UUID().uuidString.lowercased()
  private let ackSender: RevocationAckSender
  static let ackChannel = "latchkey_revocation_acks"
  /// The listeners' application_name: counting them in pg_stat_activity
  /// gives the number of instances whose views are live.
  static let listenerName = "latchkey-revocation-listener"

  private let pool: PostgresPool
  private let fallback: DatabaseRevocationChecker
  private let url: String
  private let clock: any WallClock
  /// How long a revoked session matters: tokens issued before its revocation
  /// expire within the access TTL (plus verification leeway).
  private let horizon: Double
  private let resyncInterval: Double
  private var listener: PostgresListener?
  private let logger: Logger
  private let ticker = NSCondition()
  private var stopped = false

  public init(
    url: String, pool: PostgresPool, accessTTL: Int64, clock: any WallClock, logger: Logger,
    resyncInterval: Double = 30
  ) {
    self.url = url
    self.pool = pool
    self.fallback = DatabaseRevocationChecker(pool: pool)
    self.ackSender = RevocationAckSender(url: url, instance: instance)
    self.clock = clock
    self.horizon = Double(max(accessTTL, 3600)) + 120
    self.resyncInterval = resyncInterval
    self.logger = logger
  }

  public var answersWithoutIO: Bool { isInSync }

  public var isInSync: Bool {
    lock.lock()
    defer { lock.unlock() }
    return inSync
  }

  public func start() {
    let listener = PostgresListener(
      url: url, channels: [SessionStore.channel, Self.ackChannel], connectTimeoutSeconds: 2,
      applicationName: Self.listenerName,
      onNotification: { [weak self] channel, payload in self?.received(channel: channel, payload: payload) },
      onConnectionChange: { [weak self] connected in self?.connectionChanged(connected) })
    self.listener = listener
    listener.start()
    let thread = Thread { [weak self] in
      while let self, self.waitForTick() { self.resync() }
    }
    thread.name = "latchkey-revocation-resync"
    thread.start()
  }

  public func stop() {
    ticker.lock()
    stopped = true
    ticker.broadcast()
    ticker.unlock()
    listener?.stop()
    ackSender.close()
  }

  /// Waits until the first load after the listener connected (bounded, so a
  /// database that is down at start-up does not stop the service starting).
  @discardableResult
  public func waitUntilInSync(timeout: Double) -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    echo.lock()
    defer { echo.unlock() }
    while !isInSync {
      if !echo.wait(until: deadline) { return isInSync }
    }
    return true
  }

  private var isStopped: Bool {
    ticker.lock()
    defer { ticker.unlock() }
    return stopped
  }

  // MARK: - The hot path

  public func isRevoked(_ token: AuthenticatedUser) throws -> Bool {
    lock.lock()
    guard inSync else {
      lock.unlock()
      return try fallback.isRevoked(token)
    }
    defer { lock.unlock() }
    if revokedSessions[token.sessionID] != nil || deniedTokens[token.jti] != nil { return true }
    if let cutoff = userCutoffs[token.userID], Double(token.issuedAt) < cutoff.rounded(.down) { return true }
    return false
  }

  // MARK: - Local revocations

  /// Called after this instance committed revocations: applies them here at
  /// once, then waits (at most a second) until every instance whose view is
  /// live has acknowledged applying them, so that when this request answers,
  /// no instance still accepts what it revoked. The live views are the
  /// connected listeners (`pg_stat_activity`); an instance whose listener is
  /// down checks the database instead, so it needs no ack.
  public func revoked(_ batch: RevocationBatch) {
    let now = clock.now()
    var keys: [String] = []
    lock.lock()
    for session in batch.sessions {
      revokedSessions[session] = now
      keys.append("s:" + session.uuidString.lowercased())
    }
    for (jti, expiry) in batch.tokens {
      deniedTokens[jti] = expiry
      keys.append("j:" + jti)
    }
    for (user, cutoff) in batch.userCutoffs {
      userCutoffs[user] = max(userCutoffs[user] ?? 0, cutoff)
      keys.append("u:" + user.uuidString.lowercased())
    }
    lock.unlock()
    guard !keys.isEmpty else { return }
    let deadline = Date().addingTimeInterval(1)
    let live = (try? liveViews()) ?? 1
    echo.lock()
    while !keys.allSatisfy({ (acks[$0]?.instances.count ?? 0) >= live }) && echo.wait(until: deadline) {}
    echo.unlock()
  }

  private func liveViews() throws -> Int {
    try pool.withConnection { db in
      let rows = try db.query(
        "select count(*) from pg_stat_activity where application_name = $1 and datname = current_database()",
        [.text(Self.listenerName)]
      ).rows
      return Int(rows.first?.int(0) ?? 1)
    }
  }

  // MARK: - Listener callbacks

  func received(channel: String, payload: String) {
    if channel == Self.ackChannel {
      recordAck(payload)
    } else if let key = apply(payload) {
      ackSender.send(key)
    }
  }

  /// `<instance>|<key>`: that instance has applied the revocation `key`.
  func recordAck(_ payload: String) {
    guard let bar = payload.firstIndex(of: "|") else { return }
    let from = String(payload[..<bar])
    let key = String(payload[payload.index(after: bar)...])
    let now = clock.now()
    echo.lock()
    var entry = acks[key] ?? (now, [])
    entry.instances.insert(from)
    acks[key] = entry
    if acks.count > 10_000 { acks = acks.filter { now - $0.value.time < 10 } }
    echo.broadcast()
    echo.unlock()
  }

  /// Applies one revocation notification and returns its key.
  /// Payloads: `s:<session>`, `j:<jti>:<exp>`, `u:<user>:<cutoff>`.
  @discardableResult
  func apply(_ payload: String) -> String? {
    let parts = payload.split(separator: ":", maxSplits: 2).map(String.init)
    guard parts.count >= 2 else { return nil }
    let now = clock.now()
    var key = parts[0] + ":" + parts[1]
    lock.lock()
    switch parts[0] {
    case "s":
      if let id = UUID(uuidString: parts[1]) { revokedSessions[id] = now }
      key = "s:" + parts[1].lowercased()
    case "j":
      deniedTokens[parts[1]] = parts.count == 3 ? Double(parts[2]) ?? now + horizon : now + horizon
    case "u":
      if let id = UUID(uuidString: parts[1]), parts.count == 3, let cutoff = Double(parts[2]) {
        userCutoffs[id] = max(userCutoffs[id] ?? 0, cutoff)
      }
      key = "u:" + parts[1].lowercased()
    default:
      lock.unlock()
      return nil
    }
    lock.unlock()
    return key
  }

  func connectionChanged(_ connected: Bool) {
    lock.lock()
    listenerConnected = connected
    if !connected { inSync = false }
    lock.unlock()
    if connected {
      resync()
    } else if !isStopped {
      logger.log("warn", "revocation listener disconnected; /api checks the database until it is back")
    }
  }

  // MARK: - Resync

  private func waitForTick() -> Bool {
    ticker.lock()
    defer { ticker.unlock() }
    // Out of sync (a failed load after a reconnect): retry every second.
    let deadline = Date().addingTimeInterval(isInSync ? resyncInterval : 1)
    while !stopped && ticker.wait(until: deadline) {}
    return !stopped
  }

  /// Reloads everything that can still matter and merges it in (revocations
  /// only ever accumulate, so a union is always correct), dropping entries
  /// that can no longer match an unexpired token.
  func resync() {
    let now = clock.now()
    let since = now - horizon
    do {
      let snapshot = try pool.withConnection { db in
        let sessions = try db.query(
          "select id, extract(epoch from revoked_at)::float8 from sessions where revoked_at > to_timestamp($1)",
          [.double(since)]
        ).rows.compactMap { row in row.uuid(0).map { ($0, row.double(1) ?? now) } }
        let tokens = try db.query(
          "select jti, extract(epoch from expires_at)::float8 from access_token_denylist where expires_at > to_timestamp($1)",
          [.double(now - 60)]
        ).rows.compactMap { row in row.string(0).map { ($0, row.double(1) ?? now + horizon) } }
        let users = try db.query(
          "select id, extract(epoch from tokens_valid_after)::float8 from users where tokens_valid_after > to_timestamp($1)",
          [.double(since)]
        ).rows.compactMap { row in row.uuid(0).map { ($0, row.double(1) ?? now) } }
        return (sessions, tokens, users)
      }
      let wasInSync: Bool
      lock.lock()
      revokedSessions = revokedSessions.filter { $0.value > since }
      deniedTokens = deniedTokens.filter { $0.value > now - 60 }
      userCutoffs = userCutoffs.filter { $0.value > since }
      for (id, at) in snapshot.0 { revokedSessions[id] = max(revokedSessions[id] ?? 0, at) }
      for (jti, expiry) in snapshot.1 { deniedTokens[jti] = expiry }
      for (id, cutoff) in snapshot.2 { userCutoffs[id] = max(userCutoffs[id] ?? 0, cutoff) }
      wasInSync = inSync
      // Only a connected listener keeps the view current between resyncs.
      inSync = listenerConnected
      let nowInSync = inSync
      lock.unlock()
      if !wasInSync && nowInSync { logger.log("info", "revocation view in sync") }
      echo.lock()
      echo.broadcast()
      echo.unlock()
    } catch {
      logger.log("warn", "revocation resync failed", [("error", String(describing: error))])
    }
  }

  private var listenerConnected = false
}

/// What one transaction revoked, for `RevocationView.revoked`.
public struct RevocationBatch: Sendable {
  public var sessions: [UUID] = []
  public var tokens: [(String, Double)] = []
  public var userCutoffs: [(UUID, Double)] = []

  public init(sessions: [UUID] = [], tokens: [(String, Double)] = [], userCutoffs: [(UUID, Double)] = []) {
    self.sessions = sessions
    self.tokens = tokens
    self.userCutoffs = userCutoffs
  }

  public var isEmpty: Bool { sessions.isEmpty && tokens.isEmpty && userCutoffs.isEmpty }
}
