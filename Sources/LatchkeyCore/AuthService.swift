import Foundation
import LatchkeyCrypto
import LatchkeyJWT
import LatchkeyPostgres

/// The product's rules: accounts, sessions, rotation, revocation. It knows
/// nothing of HTTP; handlers call it and map its `AuthError`s. Split across
/// files by concern (`AuthService+Login`, `+Refresh`, `+Revocation`).
public final class AuthService: Sendable {
  let config: Configuration
  let pool: PostgresPool
  let hasher: PasswordHasher
  let hashing: HashingPool
  let signer: JWTSigner
  let verifier: JWTVerifier
  let revocations: any RevocationChecker
  let clock: any WallClock
  let metrics: Metrics
  let policy: PasswordPolicy
  let throttle: LoginThrottle
  /// Derives a token's successor, so a racer inside the reuse interval gets
  /// the same successor without the database ever holding a usable token.
  private let refreshKey: [UInt8]

  public init(
    config: Configuration, pool: PostgresPool, hashing: HashingPool,
    revocations: (any RevocationChecker)? = nil,
    clock: any WallClock = SystemClock(), metrics: Metrics = Metrics()
  ) throws {
    self.config = config
    self.pool = pool
    self.hashing = hashing
    self.hasher = PasswordHasher(
      parameters: Argon2Parameters(
        memoryKiB: config.argon2MemoryKiB, iterations: config.argon2Iterations,
        parallelism: config.argon2Parallelism))
    let keys = try JWTKeySet(
      signing: JWTKey(secret: config.jwtSecret),
      previous: config.jwtPreviousSecrets.map { try JWTKey(secret: $0) })
    self.signer = JWTSigner(keys: keys)
    self.verifier = JWTVerifier(keys: keys, issuer: config.issuer, audience: config.audience)
    self.revocations = revocations ?? DatabaseRevocationChecker(pool: pool)
    self.clock = clock
    self.metrics = metrics
    self.policy = PasswordPolicy(minLength: config.passwordMinLength)
    self.throttle = LoginThrottle(
      maxPerAccount: config.loginMaxFailuresPerAccount, maxPerAddress: config.loginMaxFailuresPerAddress,
      window: Double(config.loginFailureWindow))
    self.refreshKey = HMACSHA256.mac(
      key: config.jwtSecret, message: Array("latchkey refresh successor v1".utf8))
    _ = hasher.dummyHash()
  }

  // MARK: - Tokens

  func issueAccessToken(user: UUID, email: String, role: String, session: UUID, now: Double) -> (
    String, Int64
  ) {
    let iat = Int64(now.rounded(.down))
    let claims = AccessClaims(
      iss: config.issuer, sub: user.uuidString.lowercased(), aud: config.audience,
      exp: iat + config.accessTTL,
      iat: iat, nbf: iat, jti: SecureRandom.token(byteCount: 16), sid: session.uuidString.lowercased(),
      role: role,
      email: email)
    return (signer.sign(claims), config.accessTTL)
  }

  static func refreshHash(_ token: String) -> [UInt8] { SHA256.hash(Array(token.utf8)) }

  func successor(of token: String) -> String {
    Base64URL.encode(HMACSHA256.mac(key: refreshKey, message: Array("successor:".utf8) + Array(token.utf8)))
  }

  /// A well-formed refresh token is 43 base64url characters (256 bits);
  /// anything else is refused without a database round trip.
  static func isWellFormedRefreshToken(_ token: String) -> Bool {
    token.utf8.count == 43 && Base64URL.decode(token)?.count == 32
  }

  /// Verifies an access token and its revocation status (SPEC §6).
  public func authenticate(bearer: String?) throws -> AuthenticatedUser {
    guard let bearer else { throw AuthError.missingToken }
    let claims: AccessClaims
    do {
      claims = try verifier.verify(bearer, now: Int64(clock.now().rounded(.down)))
    } catch {
      metrics.increment("latchkey_token_rejections_total", [("reason", error.reason.rawValue)])
      throw AuthError.invalidToken
    }
    guard let userID = UUID.parse(claims.sub), let sessionID = UUID.parse(claims.sid) else {
      throw AuthError.invalidToken
    }
    let user = AuthenticatedUser(
      userID: userID, sessionID: sessionID, email: claims.email, role: claims.role, jti: claims.jti,
      issuedAt: claims.iat, expiresAt: claims.exp, userIDText: claims.sub, sessionIDText: claims.sid)
    if try revocations.isRevoked(user) {
      metrics.increment("latchkey_token_rejections_total", [("reason", "revoked")])
      throw AuthError.invalidToken
    }
    return user
  }

  /// Runs argon2 on the bounded hashing pool (never on an HTTP thread).
  func hashPassword(_ password: String) throws -> String {
    let hasher = self.hasher
    return try hashing.run { try hasher.hash(password) }
  }

  func verifyPassword(_ password: String, encoded: String) throws -> Bool {
    let hasher = self.hasher
    return try hashing.run { hasher.verify(password, encoded: encoded) }
  }
}
