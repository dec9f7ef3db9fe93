import FoundationEssentials
import LatchkeyText

/// The session rules in motion: accounts, logins, rotation, revocation. It
/// knows nothing of HTTP, SQL or C: the store, hashing, token codec and
/// secrets come in as protocols, and time from the injected clock. Split
/// across files by use case (`+Login`, `+Refresh`, `+Logout`, ...).
public final class AuthService: Sendable {
  public let settings: AuthSettings
  let store: any Store
  let hasher: any PasswordHashing
  let codec: any AccessTokenCodec
  let secrets: any TokenSecrets
  public let revocations: any RevocationChecker
  public let clock: any WallClock
  let counter: any EventCounter
  let policy: PasswordPolicy
  let throttle: LoginThrottle
  let sessionCap: SessionCap

  public init(
    settings: AuthSettings, store: any Store, hasher: any PasswordHashing, codec: any AccessTokenCodec,
    secrets: any TokenSecrets, revocations: (any RevocationChecker)? = nil,
    clock: any WallClock = SystemClock(),
    counter: any EventCounter = NoEventCounter()
  ) {
    self.settings = settings
    self.store = store
    self.hasher = hasher
    self.codec = codec
    self.secrets = secrets
    self.revocations = revocations ?? StoreRevocationChecker(store: store)
    self.clock = clock
    self.counter = counter
    self.policy = PasswordPolicy(minLength: settings.passwordMinLength)
    self.throttle = LoginThrottle(settings: settings)
    self.sessionCap = SessionCap(limit: settings.maxSessions)
  }

  // MARK: - Access tokens

  func issueAccessToken(user: UUID, email: String, role: Role, session: UUID, now: Double) -> (String, Int64)
  {
    let iat = Int64(now.rounded(.down))
    let claims = AccessTokenClaims(
      issuer: settings.issuer, subject: user.lowercasedString, audience: settings.audience,
      expiresAt: iat + settings.accessTTL, issuedAt: iat, notBefore: iat, jti: secrets.newJTI(),
      sessionID: session.lowercasedString, role: role.rawValue, email: email)
    return (codec.sign(claims), settings.accessTTL)
  }

  /// Verifies an access token and its revocation status
  /// (docs/api.md#access-tokens).
  public func authenticate(bearer: String?) throws -> AuthenticatedUser {
    guard let bearer else { throw AuthError.missingToken }
    let claims: AccessTokenClaims
    do {
      claims = try codec.verify(bearer, now: Int64(clock.now().rounded(.down)))
    } catch {
      counter.increment("latchkey_token_rejections_total", [("reason", error.reason)])
      throw AuthError.invalidToken
    }
    guard let userID = UUID.parse(claims.subject), let sessionID = UUID.parse(claims.sessionID) else {
      throw AuthError.invalidToken
    }
    let user = AuthenticatedUser(
      userID: userID, sessionID: sessionID, email: claims.email, role: Role(claims.role), jti: claims.jti,
      issuedAt: claims.issuedAt, expiresAt: claims.expiresAt, userIDText: claims.subject,
      sessionIDText: claims.sessionID)
    if try revocations.isRevoked(user) {
      counter.increment("latchkey_token_rejections_total", [("reason", "revoked")])
      throw AuthError.invalidToken
    }
    return user
  }

  /// Authenticates a bearer token that must belong to an administrator:
  /// the one place the role is checked; admin operations take the result.
  public func authenticateAdmin(bearer: String?) throws -> Administrator {
    let user = try authenticate(bearer: bearer)
    guard user.role == .admin else { throw AuthError.insufficientScope }
    return Administrator(user: user)
  }

  // MARK: - Revocations

  /// Publishes a transaction's revocations to every instance (delivered at
  /// commit). Call inside the transaction that made them.
  func publish(_ batch: RevocationBatch, on tx: any StoreTransaction) throws {
    if !batch.isEmpty { try tx.publish(batch.notices) }
  }

  /// Counts committed revocations and tells the revocation checker, which
  /// applies them here at once.
  func didRevoke(_ batch: RevocationBatch, reason: RevocationReason) {
    if !batch.sessions.isEmpty {
      counter.increment(
        "latchkey_revocations_total", [("reason", reason.rawValue)], by: Double(batch.sessions.count))
    }
    if !batch.isEmpty { revocations.revoked(batch) }
  }
}
