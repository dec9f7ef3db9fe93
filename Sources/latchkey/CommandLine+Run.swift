import FoundationEssentials
import LatchkeyConcurrency
import LatchkeyCrypto
import LatchkeyDomain
import LatchkeyPostgres
import LatchkeyServer
import LatchkeyStore

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

extension CommandLine {
  static let usage = """
    usage: latchkey <command>

    commands:
      serve                        apply pending migrations, then serve HTTP
      migrate                      apply pending migrations and exit
      user add EMAIL [--role ROLE] create a user; the password is read from standard input
      client add NAME [--scope "a b c"] [--grant GRANT]... [--public] [--redirect-uri URI]...
                                   register an OAuth client; prints {"client_id","client_secret"} once
      client list                  OAuth clients, one JSON object per line (never a secret)
      client remove ID             delete an OAuth client; its tokens are inactive everywhere
      keys rotate | keys list      start a signing-key rotation now; list the signing keys (ES256, EdDSA)
      help                         this text

    Configuration comes from LATCHKEY_* environment variables; see docs/operations.md.
    Exit codes: 0 success, 2 bad usage or configuration, 1 anything else.
    """

  static var shutdownSignals: sigset_t {
    var set = sigset_t()
    sigemptyset(&set)
    sigaddset(&set, SIGTERM)
    sigaddset(&set, SIGINT)
    return set
  }

  /// Blocks SIGTERM and SIGINT in the calling thread and every thread it
  /// starts later; call first thing in `main`. `serve` then takes them with
  /// sigwait for a graceful stop. SIGPIPE is ignored: a client that hangs up
  /// mid-response must not kill the process.
  static func blockShutdownSignals() {
    var set = shutdownSignals
    pthread_sigmask(SIG_BLOCK, &set, nil)
    signal(SIGPIPE, SIG_IGN)
  }

  /// The CLI, returning the process exit code (docs/operations.md#commands).
  static func run(_ arguments: [String], environment: [String: String]) -> Int32 {
    guard let command = arguments.first else {
      printError(usage)
      return 2
    }
    do {
      switch command {
      case "serve": return try serve(environment)
      case "migrate": return try migrate(environment)
      case "user": return try user(Array(arguments.dropFirst()), environment)
      case "client": return try client(Array(arguments.dropFirst()), environment)
      case "keys": return try keys(Array(arguments.dropFirst()), environment)
      case "help", "--help", "-h":
        print(usage)
        return 0
      default:
        printError("latchkey: unknown command '\(command)'\n\n" + usage)
        return 2
      }
    } catch let error as ConfigurationError {
      printError(error.description)
      return 2
    } catch {
      printError("latchkey: \(error)")
      return 1
    }
  }

  static func printError(_ text: String) {
    // Unbuffered, straight to the descriptor, as FileHandle.standardError wrote.
    let bytes = Array((text + "\n").utf8)
    var offset = 0
    while offset < bytes.count {
      let written = bytes[offset...].withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
      if written > 0 {
        offset += written
      } else if written < 0 && errno == EINTR {
        continue
      } else {
        return
      }
    }
  }

  static func serve(_ environment: [String: String]) throws -> Int32 {
    let config = try Configuration.load(from: environment)
    let app = try Application(config: config)
    try app.start()
    // SIGTERM/SIGINT were blocked in every thread by `blockShutdownSignals`
    // (before any thread existed), so they queue for this sigwait instead of
    // killing the process mid-request.
    var signals = shutdownSignals
    var received: Int32 = 0
    sigwait(&signals, &received)
    app.logger.info("shutting down", ["in_flight": String(app.server.activeRequests)])
    app.stop()
    return 0
  }

  static func migrate(_ environment: [String: String]) throws -> Int32 {
    let config = try Configuration.loadForDatabaseTools(from: environment)
    let directory = Migrations.directory(configured: config.migrationsDirectory)
    let applied = try Migrations.apply(url: config.databaseListenURL, directory: directory)
    print(applied.isEmpty ? "migrate: up to date" : "migrate: applied \(applied.joined(separator: ", "))")
    return 0
  }

  static func user(_ arguments: [String], _ environment: [String: String]) throws -> Int32 {
    guard arguments.first == "add", arguments.count >= 2 else {
      printError("usage: latchkey user add EMAIL [--role ROLE]")
      return 2
    }
    let email = arguments[1]
    var role = "user"
    var rest = arguments.dropFirst(2)
    while let flag = rest.popFirst() {
      guard flag == "--role", let value = rest.popFirst(), !value.isEmpty else {
        printError("usage: latchkey user add EMAIL [--role ROLE]")
        return 2
      }
      role = value
    }
    var config = try Configuration.loadForDatabaseTools(from: environment)
    config.jwtSecret = Array(repeating: 0, count: 32)  // unused: no tokens are issued here
    guard let password = readLine(strippingNewline: true), !password.isEmpty else {
      printError("latchkey: expected the password on standard input")
      return 2
    }
    _ = try Migrations.apply(
      url: config.databaseURL, directory: Migrations.directory(configured: config.migrationsDirectory))
    let pool = PostgresPool(url: config.databaseURL, size: 1)
    defer { pool.close() }
    let store = PostgresStore(pool: pool)
    let service = AuthService(
      settings: config.auth, store: store,
      hasher: Argon2PasswordHashing(
        parameters: config.argon2Parameters, pool: BoundedThreadPool(threads: 1, queueLimit: 1)),
      codec: try JWTAccessTokenCodec(
        secret: config.jwtSecret, previousSecrets: [], issuer: config.auth.issuer,
        audience: config.auth.audience),
      secrets: CryptoTokenSecrets(secret: config.jwtSecret))
    do {
      let user = try service.register(email: email, password: password, role: Role(role), client: nil)
      print(user.id.uuidString.lowercased())
      return 0
    } catch let error as AuthError {
      printError("latchkey: \(ErrorMapping.map(error)?.description ?? "\(error)")")
      return error == .emailTaken ? 1 : 2
    }
  }
}
