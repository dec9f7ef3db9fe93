import FoundationEssentials
import LatchkeyCrypto
import LatchkeyDomain
import LatchkeyHTTP
import LatchkeyText

/// A setting that is missing or malformed. The CLI prints `description` as its
/// one line on stderr and exits 2; it names the variable, never its value.
public struct ConfigurationError: Error, Equatable, CustomStringConvertible {
  public let variable: String
  public let problem: String
  public var description: String { "configuration error: \(variable) \(problem)" }
}

/// Every setting (docs/operations.md#configuration), read once from the environment at start-up.
public struct Configuration: Sendable {
  public var host = "127.0.0.1"
  public var port: UInt16 = 8080
  public var databaseURL = ""
  /// The settings the domain's rules read (token lifetimes, limits).
  public var auth = AuthSettings()
  /// A direct session to PostgreSQL for LISTEN/NOTIFY and migrations (a
  /// transaction-mode pooler cannot carry either); `databaseURL` when unset.
  public var databaseListenURL = ""
  public var jwtSecret: [UInt8] = []
  public var jwtPreviousSecrets: [[UInt8]] = []
  public var cookieSecure = true
  public var allowedOrigins: [String] = []
  public var argon2MemoryKiB: UInt32 = 19456
  public var argon2Iterations: UInt32 = 2
  public var argon2Parallelism: UInt32 = 1
  public var trustedProxies: [String] = []
  // Operational settings beyond the core ones.
  public var databasePoolSize = 16
  public var migrationsDirectory: String? = nil
  public var accessLog = true
  public var revocationCheck = RevocationCheck.memory
  /// OAuth (docs/oauth.md): the base URL clients reach, and client tokens' lifetime.
  public var publicURL = "http://127.0.0.1:8080"
  public var clientTokenTTL: Int64 = 900
  /// `LATCHKEY_JWT_ALG`: nil for HS256 (the secret signs), else the algorithm of the stored key pairs.
  public var signingKeyAlgorithm: SigningKeyAlgorithm? = nil
  /// Seconds a new signing key is published before it signs.
  public var keyPublishDelay: Int64 = 600
  /// Seconds between automatic key rotations; 0 turns them off.
  public var keyRotationInterval: Int64 = 0
  /// Serves the demo app under /demo/ (docs/latchkey-js.md); off in production.
  public var demo = false

  /// Where /api looks up revocations: the in-memory view kept current by
  /// LISTEN/NOTIFY (default), or one database query per request.
  public enum RevocationCheck: String, Sendable {
    case memory, database
  }

  public init() {}

  /// Reads and validates the environment. Throws on the first bad setting.
  public static func load(from env: [String: String]) throws(ConfigurationError) -> Configuration {
    var c = Configuration()
    let reader = EnvironmentReader(env: env)
    c.host = reader.string("LATCHKEY_HOST") ?? c.host
    c.port = try reader.port("LATCHKEY_PORT") ?? c.port
    guard let url = reader.string("LATCHKEY_DATABASE_URL"), !url.isEmpty else {
      throw ConfigurationError(variable: "LATCHKEY_DATABASE_URL", problem: "is required")
    }
    c.databaseURL = url
    c.databaseListenURL = reader.string("LATCHKEY_DATABASE_LISTEN_URL") ?? url
    guard let secret = try reader.secret("LATCHKEY_JWT_SECRET") else {
      throw ConfigurationError(
        variable: "LATCHKEY_JWT_SECRET", problem: "is required (or LATCHKEY_JWT_SECRET_FILE)")
    }
    guard secret.count >= 32 else {
      throw ConfigurationError(variable: "LATCHKEY_JWT_SECRET", problem: "must be at least 32 bytes")
    }
    c.jwtSecret = secret
    if let previous = try reader.secret("LATCHKEY_JWT_PREVIOUS_SECRETS") {
      let text = String(decoding: previous, as: UTF8.self)
      c.jwtPreviousSecrets = text.split(whereSeparator: { $0 == "," || $0 == "\n" || $0 == "\r\n" })
        .map { Array($0.trimmingWhitespace().utf8) }.filter { !$0.isEmpty }
      if c.jwtPreviousSecrets.contains(where: { $0.count < 32 }) {
        throw ConfigurationError(
          variable: "LATCHKEY_JWT_PREVIOUS_SECRETS", problem: "has a key shorter than 32 bytes")
      }
    }
    c.auth.issuer = reader.string("LATCHKEY_ISSUER") ?? c.auth.issuer
    c.auth.audience = reader.string("LATCHKEY_AUDIENCE") ?? c.auth.audience
    c.auth.accessTTL = try reader.duration("LATCHKEY_ACCESS_TTL", minimum: 1) ?? c.auth.accessTTL
    c.auth.refreshTTL = try reader.duration("LATCHKEY_REFRESH_TTL", minimum: 1) ?? c.auth.refreshTTL
    c.auth.sessionMaxAge = try reader.duration("LATCHKEY_SESSION_MAX_AGE", minimum: 1) ?? c.auth.sessionMaxAge
    c.auth.refreshReuseInterval =
      try reader.duration("LATCHKEY_REFRESH_REUSE_INTERVAL", minimum: 0) ?? c.auth.refreshReuseInterval
    c.cookieSecure = try reader.bool("LATCHKEY_COOKIE_SECURE") ?? c.cookieSecure
    c.allowedOrigins = try reader.origins("LATCHKEY_ALLOWED_ORIGINS")
    if let registration = reader.string("LATCHKEY_REGISTRATION") {
      switch registration.lowercased() {
      case "open": c.auth.registrationOpen = true
      case "closed": c.auth.registrationOpen = false
      default:
        throw ConfigurationError(variable: "LATCHKEY_REGISTRATION", problem: "must be 'open' or 'closed'")
      }
    }
    c.auth.maxSessions = try reader.integer("LATCHKEY_MAX_SESSIONS", range: 1...100_000) ?? c.auth.maxSessions
    try c.readPasswordSettings(reader)
    c.trustedProxies = reader.list("LATCHKEY_TRUSTED_PROXIES")
    if c.trustedProxies.contains(where: { LatchkeyHTTP.AddressRange(parsing: $0) == nil }) {
      throw ConfigurationError(
        variable: "LATCHKEY_TRUSTED_PROXIES", problem: "must list IP addresses or CIDR ranges")
    }
    c.databasePoolSize =
      try reader.integer("LATCHKEY_DATABASE_POOL_SIZE", range: 1...500) ?? c.databasePoolSize
    c.auth.loginMaxFailuresPerAccount =
      try reader.integer("LATCHKEY_LOGIN_MAX_FAILURES_PER_ACCOUNT", range: 1...100)
      ?? c.auth.loginMaxFailuresPerAccount
    c.auth.loginMaxFailuresPerAddress =
      try reader.integer("LATCHKEY_LOGIN_MAX_FAILURES_PER_ADDRESS", range: 1...1_000_000)
      ?? c.auth.loginMaxFailuresPerAddress
    c.auth.loginFailureWindow =
      try reader.duration("LATCHKEY_LOGIN_FAILURE_WINDOW", minimum: 1) ?? c.auth.loginFailureWindow
    c.migrationsDirectory = reader.string("LATCHKEY_MIGRATIONS_DIR")
    c.accessLog = try reader.bool("LATCHKEY_ACCESS_LOG") ?? c.accessLog
    c.demo = try reader.bool("LATCHKEY_DEMO") ?? c.demo
    if let check = reader.string("LATCHKEY_REVOCATION_CHECK") {
      guard let value = RevocationCheck(rawValue: check.lowercased()) else {
        throw ConfigurationError(
          variable: "LATCHKEY_REVOCATION_CHECK", problem: "must be 'memory' or 'database'")
      }
      c.revocationCheck = value
    }
    try c.readOAuthSettings(reader)
    try c.readSigningKeySettings(reader)
    return c
  }

  /// Only what `migrate` and `user add` need: the database, and argon2
  /// parameters for `user add`.
  public static func loadForDatabaseTools(from env: [String: String]) throws(ConfigurationError)
    -> Configuration
  {
    var c = Configuration()
    let reader = EnvironmentReader(env: env)
    guard let url = reader.string("LATCHKEY_DATABASE_URL"), !url.isEmpty else {
      throw ConfigurationError(variable: "LATCHKEY_DATABASE_URL", problem: "is required")
    }
    c.databaseURL = url
    c.databaseListenURL = reader.string("LATCHKEY_DATABASE_LISTEN_URL") ?? url
    try c.readPasswordSettings(reader)
    c.migrationsDirectory = reader.string("LATCHKEY_MIGRATIONS_DIR")
    return c
  }
}

extension Configuration {
  /// Password length and argon2 parameters, shared by `serve` and `user add`.
  /// The argon2 ranges stop at the limits the verifier accepts for stored
  /// hashes (`Argon2Limits.default`), so every hash made can be verified.
  mutating func readPasswordSettings(_ reader: EnvironmentReader) throws(ConfigurationError) {
    let limits = Argon2Limits.default
    auth.passwordMinLength =
      try reader.integer("LATCHKEY_PASSWORD_MIN_LENGTH", range: 1...1024) ?? auth.passwordMinLength
    argon2MemoryKiB =
      try reader.integer("LATCHKEY_ARGON2_MEMORY_KIB", range: 8...Int(limits.maxMemoryKiB)).map(UInt32.init)
      ?? argon2MemoryKiB
    argon2Iterations =
      try reader.integer("LATCHKEY_ARGON2_ITERATIONS", range: 1...Int(limits.maxIterations)).map(UInt32.init)
      ?? argon2Iterations
    argon2Parallelism =
      try reader.integer("LATCHKEY_ARGON2_PARALLELISM", range: 1...Int(limits.maxParallelism)).map(
        UInt32.init)
      ?? argon2Parallelism
  }
}

extension Configuration {
  /// The signing algorithm and the key lifecycle's timing (docs/operations.md#signing-keys).
  mutating func readSigningKeySettings(_ reader: EnvironmentReader) throws(ConfigurationError) {
    if let name = reader.string("LATCHKEY_JWT_ALG") {
      switch name.lowercased() {
      case "hs256": signingKeyAlgorithm = nil
      case "es256": signingKeyAlgorithm = .es256
      case "eddsa": signingKeyAlgorithm = .edDSA
      default:
        throw ConfigurationError(variable: "LATCHKEY_JWT_ALG", problem: "must be HS256, ES256 or EdDSA")
      }
    }
    keyPublishDelay = try reader.duration("LATCHKEY_KEY_PUBLISH_DELAY", minimum: 0) ?? keyPublishDelay
    keyRotationInterval =
      try reader.duration("LATCHKEY_KEY_ROTATION_INTERVAL", minimum: 0) ?? keyRotationInterval
    // A shorter interval would start the next rotation before the previous key has signed at all.
    if keyRotationInterval > 0 && keyRotationInterval < keyPublishDelay {
      throw ConfigurationError(
        variable: "LATCHKEY_KEY_ROTATION_INTERVAL",
        problem: "must be 0 (off) or at least LATCHKEY_KEY_PUBLISH_DELAY")
    }
  }
}

/// Parses one kind of value per method and turns every failure into a
/// `ConfigurationError` naming the variable.
struct EnvironmentReader {
  let env: [String: String]

  func string(_ name: String) -> String? {
    guard let value = env[name]?.trimmingWhitespaceAndNewlines(), !value.isEmpty else {
      return nil
    }
    return value
  }

  func list(_ name: String) -> [String] {
    (string(name) ?? "").split(separator: ",").map { $0.trimmingWhitespace() }
      .filter { !$0.isEmpty }
  }

  func port(_ name: String) throws(ConfigurationError) -> UInt16? {
    guard let text = string(name) else { return nil }
    guard let value = UInt16(text) else {
      throw ConfigurationError(variable: name, problem: "must be a port number (0-65535)")
    }
    return value
  }

  func integer(_ name: String, range: ClosedRange<Int>) throws(ConfigurationError) -> Int? {
    guard let text = string(name) else { return nil }
    guard let value = Int(text), range.contains(value) else {
      throw ConfigurationError(
        variable: name, problem: "must be an integer from \(range.lowerBound) to \(range.upperBound)")
    }
    return value
  }

  func bool(_ name: String) throws(ConfigurationError) -> Bool? {
    guard let text = string(name)?.lowercased() else { return nil }
    switch text {
    case "true", "1", "yes", "on": return true
    case "false", "0", "no", "off": return false
    default: throw ConfigurationError(variable: name, problem: "must be true or false")
    }
  }

  func duration(_ name: String, minimum: Int64) throws(ConfigurationError) -> Int64? {
    guard let text = string(name) else { return nil }
    guard let seconds = Duration.parseSeconds(text), seconds >= minimum else {
      throw ConfigurationError(
        variable: name,
        problem:
          "must be a duration of at least \(minimum)s: seconds, or a number with s, m, h, d or w (e.g. 15m)")
    }
    return seconds
  }

  func origins(_ name: String) throws(ConfigurationError) -> [String] {
    let values = list(name)
    for origin in values {
      guard let url = URL(string: origin), let scheme = url.scheme, scheme == "http" || scheme == "https",
        url.host != nil, url.path.isEmpty || url.path == "/", url.query == nil
      else {
        throw ConfigurationError(
          variable: name, problem: "must be comma-separated origins like https://app.example.com")
      }
    }
    return values.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
  }

  /// A secret from `NAME` or from the file named by `NAME_FILE` (one of them).
  func secret(_ name: String) throws(ConfigurationError) -> [UInt8]? {
    let direct = env[name].flatMap { $0.isEmpty ? nil : $0 }
    let file = string(name + "_FILE")
    if direct != nil && file != nil {
      throw ConfigurationError(variable: name, problem: "and \(name)_FILE are both set; use one")
    }
    if let direct { return Array(direct.utf8) }
    guard let file else { return nil }
    guard let data = FileManager.default.contents(atPath: file) else {
      throw ConfigurationError(variable: name + "_FILE", problem: "names a file that cannot be read")
    }
    var bytes = [UInt8](data)
    while let last = bytes.last, last == 10 || last == 13 { bytes.removeLast() }
    return bytes
  }
}

enum Duration {
  /// "900", "900s", "15m", "2h", "7d", "1w" → seconds.
  static func parseSeconds(_ text: String) -> Int64? {
    let units: [Character: Int64] = ["s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604_800]
    var digits = Substring(text)
    var multiplier: Int64 = 1
    if let last = text.last, let unit = units[last] {
      multiplier = unit
      digits = digits.dropLast()
    }
    guard !digits.isEmpty, digits.allSatisfy(\.isASCII), let value = Int64(digits), value >= 0 else {
      return nil
    }
    let (product, overflow) = value.multipliedReportingOverflow(by: multiplier)
    return overflow ? nil : product
  }
}

extension Configuration {
  public var argon2Parameters: Argon2Parameters {
    Argon2Parameters(memoryKiB: argon2MemoryKiB, iterations: argon2Iterations, parallelism: argon2Parallelism)
  }
}
