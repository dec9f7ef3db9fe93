import FoundationEssentials

/// The OAuth 2.0 side of Latchkey (docs/oauth.md): clients, the token,
/// revocation and introspection endpoints. It shares the session side's
/// store, codec, secrets, clock and revocation checker (an access token is
/// revoked the same way whoever it was issued to), so it is made from an
/// `AuthService`. Split by use case (`+Clients`, `+Token`, `+Revoke`,
/// `+Introspect`).
public final class OAuthService: Sendable {
  let auth: AuthService
  /// Lifetime of tokens issued to clients, seconds.
  public let clientTokenTTL: Int64
  let throttle: ClientThrottle
  let clients: any ClientRegistry

  /// `clients` defaults to reading the store each time.
  public init(auth: AuthService, clientTokenTTL: Int64, clients: (any ClientRegistry)? = nil) {
    self.auth = auth
    self.clientTokenTTL = clientTokenTTL
    self.throttle = ClientThrottle(settings: auth.settings)
    self.clients = clients ?? StoreClientRegistry(store: auth.store)
  }

  var store: any Store { auth.store }
  var secrets: any TokenSecrets { auth.secrets }
  var codec: any AccessTokenCodec { auth.codec }
  var clock: any WallClock { auth.clock }
  var counter: any EventCounter { auth.counter }
  var settings: AuthSettings { auth.settings }

  /// Which clients an endpoint accepts.
  enum Audience {
    /// Public clients identify themselves by id alone (revocation, RFC 7009 §2.1).
    case anyClient
    /// Only clients with a secret (introspection, RFC 7662 §2.1).
    case confidential
  }

  /// Authenticates a client (docs/oauth.md#client-authentication). An
  /// unknown client and a wrong secret are one answer at one cost (a
  /// digest and a constant-time compare either way); failures count against
  /// the client id's and the address's budgets, as failed logins do.
  ///
  /// In the steady state a success does no I/O: the client comes from the
  /// registry, and the counters are read only when the registry says a
  /// failure may be on record under one of the keys (every recorded failure
  /// is published to every instance). Only then can there be a counter to
  /// reset, so a success writes only after a failure.
  func authenticate(_ credentials: ClientCredentials?, address: String, accept: Audience) throws
    -> OAuthClient
  {
    guard let credentials, !credentials.clientID.isEmpty else {
      throw OAuthError.invalidClient("client authentication is required")
    }
    let now = clock.now()
    let id = UUID.parse(credentials.clientID)
    let keys = ClientThrottle.keys(clientID: id, address: address)
    var counters: [ThrottleCounter?] = keys.map { _ in nil }
    let suspect = clients.mayHaveFailures(keys)
    if suspect {
      counters = try store.read { tx in try keys.map { try tx.throttleCounter($0) } }
    }
    if let wait = throttle.retryAfter(counters, now: now) {
      counter.increment("latchkey_client_authentications_total", [("result", "throttled")])
      throw AuthError.throttled(retryAfter: wait)
    }
    // A removal this instance has heard of wins over a registry that has
    // not caught up yet.
    let removed = id.map(auth.revocations.isClientRemoved) ?? false
    let presented = credentials.secret.map(secrets.clientSecretDigest) ?? ClientThrottle.noDigest
    var client = try id.flatMap { removed ? nil : try clients.client(id: $0) }
    if !Self.accepts(client, credentials, presented) {
      // Every failure reads the client from the store once, whatever the
      // registry knew: an unknown id and a wrong secret cost the same (the
      // registry answers a known id from memory), and a client added a
      // moment ago, whose notice is still on its way, is found.
      client = try id.flatMap { id in removed ? nil : try store.read { try $0.findClient(id: id) } }
    }
    guard let client else {
      try recordFailure(keys, now: now)
      throw Self.authenticationFailed
    }
    if client.isPublic {
      // A public client has nothing to guess: only a secret it cannot have,
      // or an endpoint it may not use, fails it.
      guard credentials.secret == nil, accept == .anyClient else { throw Self.authenticationFailed }
    } else {
      guard Self.accepts(client, credentials, presented) else {
        try recordFailure(keys, now: now)
        throw Self.authenticationFailed
      }
    }
    if keys.count == 2, counters[0] != nil {
      // The client's own budget is reset by a success, as an account's is
      // by a login; the address's runs out its window.
      try store.transaction { try $0.deleteThrottleCounter(keys[0]) }
    }
    counter.increment("latchkey_client_authentications_total", [("result", "success")])
    return client
  }

  static let authenticationFailed = OAuthError.invalidClient("client authentication failed")

  /// Whether `client` exists and the credentials are its own: a public
  /// client's id, or a confidential client's secret. The digest is compared
  /// in constant time whatever the outcome.
  static func accepts(_ client: OAuthClient?, _ credentials: ClientCredentials, _ presented: [UInt8]) -> Bool
  {
    let matches = ConstantTimeBytes.equal(presented, client?.secretDigest ?? ClientThrottle.noDigest)
    guard let client else { return false }
    return client.isPublic || (credentials.secret != nil && matches)
  }

  private func recordFailure(_ keys: [String], now: Double) throws {
    counter.increment("latchkey_client_authentications_total", [("result", "failure")])
    try store.transaction { tx in
      for (key, window) in zip(keys, throttle.windows(for: keys)) {
        try tx.saveThrottleCounter(key, window.recordingFailure(try tx.lockThrottleCounter(key), now: now))
      }
      try tx.publishClientNotices(keys.map { .failure(key: $0) })
    }
    clients.failed(keys)
  }
}
