import Foundation
import LatchkeyCrypto
import LatchkeyPostgres
import LatchkeyTesting
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// The `latchkey` executable as an operator runs it (docs/operations.md#commands): exit
/// codes, one-line configuration errors, migrate, user add, serve and its
/// graceful stop. Each test runs the built binary with a clean environment.
@Suite struct CLITests {
  static let secret = "cli-test-secret-0123456789-abcdefghij-XYZ"
  static let password = "pa55word-for-the-cli-test"

  // MARK: - Usage and exit codes

  @Test func noArgumentsIsUsageError() throws {
    let result = try CLIProcess.run([])
    #expect(result.status == 2)
    #expect(result.stderr.contains("usage"))
    #expect(result.stderr.contains("serve"))
  }

  @Test func helpExitsZero() throws {
    for flag in ["--help", "help", "-h"] {
      let result = try CLIProcess.run([flag])
      #expect(result.status == 0, "\(flag)")
      #expect(result.stdout.contains("usage"))
      #expect(result.stdout.contains("migrate"))
      #expect(result.stderr.isEmpty)
    }
  }

  @Test func unknownCommandIsUsageError() throws {
    let result = try CLIProcess.run(["frobnicate"])
    #expect(result.status == 2)
    #expect(result.stderr.contains("frobnicate"))
  }

  @Test func userWithoutAddIsUsageError() throws {
    let url = "postgres://latchkey@127.0.0.1:1/none"
    #expect(try CLIProcess.run(["user"], environment: ["LATCHKEY_DATABASE_URL": url]).status == 2)
    #expect(
      try CLIProcess.run(["user", "remove", "a@example.com"], environment: ["LATCHKEY_DATABASE_URL": url])
        .status == 2)
    #expect(try CLIProcess.run(["user", "add"], environment: ["LATCHKEY_DATABASE_URL": url]).status == 2)
    #expect(
      try CLIProcess.run(
        ["user", "add", "a@example.com", "--role"], environment: ["LATCHKEY_DATABASE_URL": url]
      )
      .status == 2)
  }

  // MARK: - Configuration errors: exit 2, one line naming the setting

  static let serveBase = [
    "LATCHKEY_DATABASE_URL": "postgres://latchkey@127.0.0.1:1/none?connect_timeout=1",
    "LATCHKEY_JWT_SECRET": secret,
    "LATCHKEY_PORT": "0",
  ]

  func expectConfigurationError(
    _ overrides: [String: String], removing: [String] = [], naming variable: String,
    sourceLocation: SourceLocation = #_sourceLocation
  ) throws {
    var environment = Self.serveBase.merging(overrides) { $1 }
    for key in removing { environment.removeValue(forKey: key) }
    let result = try CLIProcess.run(["serve"], environment: environment)
    #expect(result.status == 2, "stderr: \(result.stderr)", sourceLocation: sourceLocation)
    let lines = result.stderr.split(separator: "\n", omittingEmptySubsequences: true)
    #expect(lines.count == 1, "stderr must be one line: \(result.stderr)", sourceLocation: sourceLocation)
    #expect(result.stderr.contains(variable), "stderr: \(result.stderr)", sourceLocation: sourceLocation)
    for value in overrides.values where value.count >= 8 {
      #expect(
        !result.stderr.contains(value), "the value leaked: \(result.stderr)", sourceLocation: sourceLocation)
    }
    #expect(!result.stderr.contains(Self.secret), sourceLocation: sourceLocation)
    #expect(!result.stdout.contains(Self.secret), sourceLocation: sourceLocation)
  }

  @Test func missingDatabaseURL() throws {
    try expectConfigurationError([:], removing: ["LATCHKEY_DATABASE_URL"], naming: "LATCHKEY_DATABASE_URL")
    try expectConfigurationError(["LATCHKEY_DATABASE_URL": ""], naming: "LATCHKEY_DATABASE_URL")
  }

  @Test func missingSecret() throws {
    try expectConfigurationError([:], removing: ["LATCHKEY_JWT_SECRET"], naming: "LATCHKEY_JWT_SECRET")
  }

  @Test func shortSecretIsRefused() throws {
    let short = "0123456789012345678901234567890"
    #expect(short.utf8.count == 31)
    try expectConfigurationError(["LATCHKEY_JWT_SECRET": short], naming: "LATCHKEY_JWT_SECRET")
  }

  @Test func badDurationIsRefused() throws {
    try expectConfigurationError(["LATCHKEY_ACCESS_TTL": "abc"], naming: "LATCHKEY_ACCESS_TTL")
    try expectConfigurationError(["LATCHKEY_REFRESH_TTL": "7 days"], naming: "LATCHKEY_REFRESH_TTL")
    try expectConfigurationError(["LATCHKEY_SESSION_MAX_AGE": "-1"], naming: "LATCHKEY_SESSION_MAX_AGE")
  }

  @Test func badPortIsRefused() throws {
    try expectConfigurationError(["LATCHKEY_PORT": "99999"], naming: "LATCHKEY_PORT")
    try expectConfigurationError(["LATCHKEY_PORT": "http"], naming: "LATCHKEY_PORT")
  }

  @Test func otherBadSettingsAreRefused() throws {
    try expectConfigurationError(["LATCHKEY_COOKIE_SECURE": "maybe"], naming: "LATCHKEY_COOKIE_SECURE")
    try expectConfigurationError(["LATCHKEY_REGISTRATION": "sometimes"], naming: "LATCHKEY_REGISTRATION")
    try expectConfigurationError(
      ["LATCHKEY_TRUSTED_PROXIES": "proxy.internal"], naming: "LATCHKEY_TRUSTED_PROXIES")
    try expectConfigurationError(
      ["LATCHKEY_ALLOWED_ORIGINS": "portal.internal"], naming: "LATCHKEY_ALLOWED_ORIGINS")
    try expectConfigurationError(["LATCHKEY_ARGON2_MEMORY_KIB": "lots"], naming: "LATCHKEY_ARGON2_MEMORY_KIB")
  }

  @Test func secretFileProblemsAreRefused() throws {
    try expectConfigurationError(
      ["LATCHKEY_JWT_SECRET_FILE": "/nonexistent/latchkey-secret"], removing: ["LATCHKEY_JWT_SECRET"],
      naming: "LATCHKEY_JWT_SECRET_FILE")
    let file = try CLITempFile(contents: Self.secret + "\n")
    // Both the value and a file: ambiguous.
    try expectConfigurationError(["LATCHKEY_JWT_SECRET_FILE": file.path], naming: "LATCHKEY_JWT_SECRET")
    let short = try CLITempFile(contents: "too-short\n")
    try expectConfigurationError(
      ["LATCHKEY_JWT_SECRET_FILE": short.path], removing: ["LATCHKEY_JWT_SECRET"],
      naming: "LATCHKEY_JWT_SECRET")
  }

  @Test func migrateWithoutDatabaseURL() throws {
    let result = try CLIProcess.run(["migrate"])
    #expect(result.status == 2)
    #expect(result.stderr.contains("LATCHKEY_DATABASE_URL"))
  }

  // MARK: - Accepted settings: serve starts, answers, stops with 0 on SIGTERM

  @Test func thirtyTwoByteSecretIsAccepted() throws {
    let exact = "01234567890123456789012345678901"
    #expect(exact.utf8.count == 32)
    try CLIDatabase.with { url in
      let serve = try CLIServe(environment: serveEnvironment(url, ["LATCHKEY_JWT_SECRET": exact]))
      defer { serve.kill() }
      #expect(try serve.get("/healthz").status == 200)
      let exit = try serve.terminate()
      #expect(exit.status == 0, "stderr: \(exit.stderr)")
      #expect(!exit.stdout.contains(exact))
      #expect(!exit.stderr.contains(exact))
    }
  }

  @Test func durationWithUnitAndSecretFileAreUsed() throws {
    let file = try CLITempFile(contents: Self.secret + "\n")
    try CLIDatabase.with { url in
      let add = try CLIProcess.run(
        ["user", "add", "ttl@example.com"], environment: toolEnvironment(url), stdin: Self.password + "\n")
      #expect(add.status == 0, "stderr: \(add.stderr)")
      var environment = serveEnvironment(
        url, ["LATCHKEY_ACCESS_TTL": "15m", "LATCHKEY_JWT_SECRET_FILE": file.path])
      environment.removeValue(forKey: "LATCHKEY_JWT_SECRET")
      let serve = try CLIServe(environment: environment)
      defer { serve.kill() }
      let login = try serve.login("ttl@example.com", Self.password)
      #expect(login.status == 200, "\(login.text)")
      #expect(login.json["expires_in"] as? Int == 900)
      // Signed with the key from the file.
      let token = try #require(login.json["access_token"] as? String)
      #expect(CLIJWT.verifies(token, secret: Self.secret))
      let exit = try serve.terminate()
      #expect(exit.status == 0)
      try expectNoSecrets(exit)
    }
  }

  static let downURL =
    "postgres://latchkey:db-Pa55-\(UUID().uuidString)@127.0.0.1:1/latchkey?connect_timeout=1"

  @Test func serveWithTheDatabaseDownIsAliveButNotReady() throws {
    let serve = try CLIServe(environment: serveEnvironment(Self.downURL))
    defer { serve.kill() }
    let health = try serve.get("/healthz")
    #expect(health.status == 200)
    #expect(health.json["status"] as? String == "ok")
    let ready = try serve.get("/readyz")
    #expect(ready.status == 503)
    #expect(ready.errorCode == "temporarily_unavailable")
    // Endpoints that need the database answer 503 quickly, not a hang or a 500.
    let started = Date()
    let login = try serve.login("nobody@example.com", Self.password)
    #expect(login.status == 503, "\(login.text)")
    #expect(Date().timeIntervalSince(started) < 10)
    let exit = try serve.terminate()
    #expect(exit.status == 0, "stderr: \(exit.stderr)")
    try expectNoSecrets(exit)
    #expect(!exit.stdout.contains("db-Pa55"), "the database password was logged")
    #expect(!exit.stderr.contains("db-Pa55"), "the database password was logged")
  }

  @Test func servePortInUseExitsNonZero() throws {
    let holder = try CLIPort.listener()
    defer { close(holder.fd) }
    var environment = serveEnvironment("postgres://latchkey@127.0.0.1:1/latchkey?connect_timeout=1")
    environment["LATCHKEY_PORT"] = String(holder.port)
    let result = try CLIProcess.run(["serve"], environment: environment, timeoutSeconds: 60)
    #expect(result.status == 1, "stderr: \(result.stderr)")
    #expect(!result.stderr.isEmpty)
  }

  // MARK: - migrate

  @Test func migrateTwiceOnAFreshDatabase() throws {
    try CLIDatabase.with { url in
      let first = try CLIProcess.run(["migrate"], environment: toolEnvironment(url))
      #expect(first.status == 0, "stderr: \(first.stderr)")
      #expect(first.stdout.contains("applied"))
      let second = try CLIProcess.run(["migrate"], environment: toolEnvironment(url))
      #expect(second.status == 0, "stderr: \(second.stderr)")
      #expect(second.stdout.contains("up to date"))
    }
  }

  @Test func concurrentMigrationsApplyEachVersionOnce() throws {
    try CLIDatabase.with { url in
      let environment = toolEnvironment(url)
      let runs = (0..<3).map { _ in
        CLIBackground { try CLIProcess.run(["migrate"], environment: environment) }
      }
      let results = try runs.map { try $0.value() }
      for result in results { #expect(result.status == 0, "stderr: \(result.stderr)") }
      #expect(results.filter { $0.stdout.contains("applied") }.count == 1)
      let connection = try PostgresConnection(url: url)
      defer { connection.close() }
      let rows = try connection.query(
        "select version, count(*)::text from latchkey_schema_migrations group by version"
      ).rows
      #expect(!rows.isEmpty)
      for row in rows {
        #expect(row.string(1) == "1", "version \(row.string(0) ?? "?") applied more than once")
      }
      let files = try FileManager.default.contentsOfDirectory(atPath: TestServer.migrationsDirectory)
        .filter { $0.hasSuffix(".sql") }
      #expect(rows.count == files.count)
    }
  }

  @Test func migrateWithTheDatabaseDownExitsOne() throws {
    let result = try CLIProcess.run(["migrate"], environment: toolEnvironment(Self.downURL))
    #expect(result.status == 1)
    #expect(!result.stderr.isEmpty)
    #expect(!result.stderr.contains("db-Pa55"), "the database password was printed")
    let add = try CLIProcess.run(
      ["user", "add", "down@example.com"], environment: toolEnvironment(Self.downURL),
      stdin: Self.password + "\n")
    #expect(add.status == 1)
    #expect(!add.stderr.contains("db-Pa55"))
    #expect(!add.stderr.contains(Self.password))
  }

  // MARK: - user add

  @Test func userAddCreatesAnAdminWhoCanLogIn() throws {
    try CLIDatabase.with { url in
      let add = try CLIProcess.run(
        ["user", "add", "Admin@Example.com", "--role", "admin"], environment: toolEnvironment(url),
        stdin: Self.password + "\n")
      #expect(add.status == 0, "stderr: \(add.stderr)")
      let id = add.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
      #expect(UUID(uuidString: id) != nil, "not a uuid: \(add.stdout)")
      try expectNoSecrets(add)

      let duplicate = try CLIProcess.run(
        ["user", "add", "admin@example.com"], environment: toolEnvironment(url), stdin: "another-password\n")
      #expect(duplicate.status != 0)
      #expect(!duplicate.stderr.isEmpty)
      #expect(!duplicate.stderr.contains("another-password"))
      #expect(duplicate.stdout.isEmpty)

      let serve = try CLIServe(environment: serveEnvironment(url))
      defer { serve.kill() }
      let login = try serve.login("admin@example.com", Self.password)
      #expect(login.status == 200, "\(login.text)")
      let token = try #require(login.json["access_token"] as? String)
      let claims = try #require(CLIJWT.claims(token))
      #expect(claims["role"] as? String == "admin")
      #expect(claims["sub"] as? String == id.lowercased())
      let me = try serve.get("/api/me", headers: [("Authorization", "Bearer \(token)")])
      #expect(me.status == 200)
      #expect(me.json["id"] as? String == id.lowercased())
      let exit = try serve.terminate()
      #expect(exit.status == 0)
      try expectNoSecrets(exit)
      #expect(!exit.stdout.contains(token))
      let cookie = login.header("Set-Cookie")?.split(separator: ";").first?.split(
        separator: "=", maxSplits: 1
      ).last
      let refresh = try #require(cookie.map(String.init))
      #expect(refresh.count >= 32)
      #expect(!exit.stdout.contains(refresh), "the refresh token was logged")
    }
  }

  @Test func userAddWithoutAPasswordIsRefused() throws {
    try CLIDatabase.with { url in
      let empty = try CLIProcess.run(
        ["user", "add", "nopass@example.com"], environment: toolEnvironment(url), stdin: "")
      #expect(empty.status == 2)
      let blank = try CLIProcess.run(
        ["user", "add", "nopass@example.com"], environment: toolEnvironment(url), stdin: "\n")
      #expect(blank.status == 2)
      let short = try CLIProcess.run(
        ["user", "add", "short@example.com"], environment: toolEnvironment(url), stdin: "abc\n")
      #expect(short.status != 0)
      #expect(!short.stderr.contains("abc\n"))
      let badEmail = try CLIProcess.run(
        ["user", "add", "not-an-email"], environment: toolEnvironment(url), stdin: Self.password + "\n")
      #expect(badEmail.status != 0)
      #expect(!badEmail.stderr.contains(Self.password))
    }
  }

  // MARK: - SIGTERM with a request in flight (docs/operations.md#graceful-shutdown)

  @Test func sigtermFinishesTheLoginInFlightThenExitsZero() throws {
    try CLIDatabase.with { url in
      // Expensive hashing so the login is still running when the signal lands.
      let slow = ["LATCHKEY_ARGON2_MEMORY_KIB": "65536", "LATCHKEY_ARGON2_ITERATIONS": "3"]
      let add = try CLIProcess.run(
        ["user", "add", "slow@example.com"], environment: toolEnvironment(url).merging(slow) { $1 },
        stdin: Self.password + "\n")
      #expect(add.status == 0, "stderr: \(add.stderr)")

      let serve = try CLIServe(environment: serveEnvironment(url, slow))
      defer { serve.kill() }
      let client = TestHTTPClient(port: serve.port)
      client.timeoutSeconds = 60
      let body = Array(#"{"email":"slow@example.com","password":"\#(Self.password)"}"#.utf8)
      let request =
        Array(
          "POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: \(body.count)\r\n\r\n"
            .utf8) + body
      try client.sendRaw(request)
      serve.signal(SIGTERM)

      let response = try client.readResponse(method: "POST")
      #expect(response.status == 200, "\(response.text)")
      #expect(response.json["access_token"] is String)
      let exit = try serve.waitForExit()
      #expect(exit.status == 0, "stderr: \(exit.stderr)")
      #expect(!portAcceptsConnections(serve.port))
      try expectNoSecrets(exit)
    }
  }

  @Test func sigintAlsoStopsGracefully() throws {
    let serve = try CLIServe(
      environment: serveEnvironment("postgres://latchkey@127.0.0.1:1/latchkey?connect_timeout=1"))
    defer { serve.kill() }
    #expect(try serve.get("/healthz").status == 200)
    serve.signal(SIGINT)
    let exit = try serve.waitForExit()
    #expect(exit.status == 0)
  }

  // MARK: - Helpers

  func toolEnvironment(_ url: String) -> [String: String] {
    [
      "LATCHKEY_DATABASE_URL": url, "LATCHKEY_MIGRATIONS_DIR": TestServer.migrationsDirectory,
      "LATCHKEY_ARGON2_MEMORY_KIB": "1024", "LATCHKEY_ARGON2_ITERATIONS": "1",
    ]
  }

  func serveEnvironment(_ url: String, _ overrides: [String: String] = [:]) -> [String: String] {
    [
      "LATCHKEY_DATABASE_URL": url, "LATCHKEY_JWT_SECRET": Self.secret, "LATCHKEY_HOST": "127.0.0.1",
      "LATCHKEY_COOKIE_SECURE": "false", "LATCHKEY_MIGRATIONS_DIR": TestServer.migrationsDirectory,
      "LATCHKEY_ARGON2_MEMORY_KIB": "1024", "LATCHKEY_ARGON2_ITERATIONS": "1",
    ].merging(overrides) { $1 }
  }

  func expectNoSecrets(_ result: CLIResult, sourceLocation: SourceLocation = #_sourceLocation) throws {
    for output in [result.stdout, result.stderr] {
      #expect(!output.contains(Self.secret), "the JWT secret was printed", sourceLocation: sourceLocation)
      #expect(!output.contains(Self.password), "the password was printed", sourceLocation: sourceLocation)
    }
  }

  func portAcceptsConnections(_ port: UInt16) -> Bool {
    let client = TestHTTPClient(port: port)
    defer { client.disconnect() }
    return (try? client.sendRaw([])) != nil
  }
}

// MARK: - Process plumbing

struct CLIResult: Sendable {
  var status: Int32
  var stdout: String
  var stderr: String
}

struct CLIError: Error, CustomStringConvertible {
  var description: String
}

enum CLIProcess {
  /// The built `latchkey` beside the test bundle (or `LATCHKEY_BINARY`).
  static let binary: URL? = {
    if let path = ProcessInfo.processInfo.environment["LATCHKEY_BINARY"] {
      return URL(fileURLWithPath: path)
    }
    var starts = [Bundle.main.bundleURL, Bundle.main.executableURL?.deletingLastPathComponent()]
    starts.append(URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent())
    for start in starts.compactMap({ $0 }) {
      var dir = start.standardizedFileURL
      for _ in 0..<4 {
        let candidate = dir.appendingPathComponent("latchkey")
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: candidate.path, isDirectory: &isDirectory),
          !isDirectory.boolValue,
          FileManager.default.isExecutableFile(atPath: candidate.path)
        {
          return candidate
        }
        dir = dir.deletingLastPathComponent()
      }
    }
    return nil
  }()

  /// A minimal environment: nothing LATCHKEY_* leaks in from the test run.
  static func environment(_ extra: [String: String]) -> [String: String] {
    var environment = ["PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8"]
    environment.merge(extra) { $1 }
    return environment
  }

  static func run(
    _ arguments: [String], environment: [String: String] = [:], stdin: String? = nil,
    timeoutSeconds: Double = 120
  ) throws -> CLIResult {
    let child = try CLIChild(arguments, environment: environment, stdin: stdin)
    return try child.waitForExit(seconds: timeoutSeconds)
  }
}

/// One `latchkey` child: posix_spawn with its own environment, standard
/// input from a file, standard output and error into files (a full pipe
/// cannot block it), no other descriptor of the test process inherited, and
/// waitpid on its own pid (Foundation's `Process` was seen to miss exits
/// when several tests launch processes at once; see TestProcess).
final class CLIChild: @unchecked Sendable {
  let pid: pid_t
  private let files: [String]
  private let lock = NSLock()
  private var status: Int32?

  init(_ arguments: [String], environment: [String: String], stdin: String?) throws {
    guard let binary = CLIProcess.binary else {
      throw CLIError(
        description: "latchkey binary not found beside the test bundle; build it or set LATCHKEY_BINARY")
    }
    let base = NSTemporaryDirectory() + "/latchkey-cli-\(UUID().uuidString)"
    files = [base + ".in", base + ".out", base + ".err"]
    guard FileManager.default.createFile(atPath: files[0], contents: Data((stdin ?? "").utf8)) else {
      throw CLIError(description: "cannot write \(files[0])")
    }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, files[0], O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, files[1], O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    posix_spawn_file_actions_addopen(&actions, 2, files[2], O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    // Sockets of servers and clients in this test process stay here.
    guard Self.closeFrom(&actions, 3) == 0 else { throw CLIError(description: "closefrom action failed") }
    let argv = ([binary.path] + arguments).map { strdup($0) } + [nil]
    let envp = CLIProcess.environment(environment).map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer {
      argv.forEach { free($0) }
      envp.forEach { free($0) }
    }
    var pid: pid_t = 0
    let spawned = posix_spawn(&pid, binary.path, &actions, nil, argv, envp)
    guard spawned == 0 else {
      for file in files { unlink(file) }
      throw CLIError(description: "posix_spawn failed: \(spawned)")
    }
    self.pid = pid
  }

  /// glibc's posix_spawn_file_actions_addclosefrom_np (2.34+), which the
  /// Glibc module does not import (it needs _GNU_SOURCE).
  private typealias CloseFrom =
    @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
  private static let closeFrom: CloseFrom = {
    guard
      let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np")
    else { fatalError("glibc without posix_spawn_file_actions_addclosefrom_np") }
    return unsafeBitCast(symbol, to: CloseFrom.self)
  }()

  deinit {
    if isRunning { Glibc.kill(pid, SIGKILL) }
    _ = try? waitForExit(seconds: 10)
    for file in files { unlink(file) }
  }

  /// Reaps the child if it has exited (never blocks).
  var isRunning: Bool {
    lock.lock()
    defer { lock.unlock() }
    if status != nil { return false }
    var raw: Int32 = 0
    let reaped = waitpid(pid, &raw, WNOHANG)
    if reaped == pid {
      status = (raw & 0x7f) == 0 ? (raw >> 8) & 0xff : 128 + (raw & 0x7f)
      return false
    }
    return reaped == 0
  }

  /// Bounded wait for the exit; a child that overstays is killed.
  func waitForExit(seconds: Double) throws -> CLIResult {
    let deadline = Date().addingTimeInterval(seconds)
    while isRunning {
      guard Date() < deadline else {
        Glibc.kill(pid, SIGKILL)
        throw CLIError(description: "latchkey did not exit within \(seconds)s")
      }
      usleep(5000)
    }
    lock.lock()
    let code = status ?? -1
    lock.unlock()
    let read = { (path: String) in (try? String(contentsOfFile: path, encoding: .utf8)) ?? "" }
    return CLIResult(status: code, stdout: read(files[1]), stderr: read(files[2]))
  }
}

/// `latchkey serve` on a free loopback port, ready when it accepts.
final class CLIServe {
  let port: UInt16
  private let child: CLIChild

  init(environment: [String: String]) throws {
    port = try CLIPort.free()
    var environment = environment
    environment["LATCHKEY_PORT"] = String(port)
    child = try CLIChild(["serve"], environment: environment, stdin: nil)
    let deadline = Date().addingTimeInterval(60)
    while Date() < deadline {
      if !child.isRunning {
        let result = try child.waitForExit(seconds: 10)
        throw CLIError(description: "serve exited with \(result.status): \(result.stderr)")
      }
      let client = TestHTTPClient(port: port)
      if (try? client.sendRaw([])) != nil {
        client.disconnect()
        return
      }
      usleep(20_000)
    }
    Glibc.kill(child.pid, SIGKILL)
    throw CLIError(description: "serve did not start listening on \(port)")
  }

  func signal(_ signal: Int32) { Glibc.kill(child.pid, signal) }

  func waitForExit(seconds: Double = 60) throws -> CLIResult { try child.waitForExit(seconds: seconds) }

  func terminate() throws -> CLIResult {
    signal(SIGTERM)
    return try waitForExit()
  }

  /// Cleanup for failed tests: the process we started, by its id.
  func kill() {
    if child.isRunning { Glibc.kill(child.pid, SIGKILL) }
  }

  func get(_ path: String, headers: [(String, String)] = []) throws -> TestResponse {
    let client = TestHTTPClient(port: port)
    defer { client.disconnect() }
    return try client.request("GET", path, headers: headers)
  }

  func login(_ email: String, _ password: String) throws -> TestResponse {
    let client = TestHTTPClient(port: port)
    defer { client.disconnect() }
    return try client.json("POST", "/login", ["email": email, "password": password])
  }
}

enum CLIPort {
  /// A port the kernel just handed out (bound to port 0, then released).
  static func free() throws -> UInt16 {
    let listener = try listener()
    close(listener.fd)
    return listener.port
  }

  static func listener() throws -> (fd: Int32, port: UInt16) {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = 0
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
        bind(fd, pointer, length) == 0 && listen(fd, 16) == 0 && getsockname(fd, pointer, &length) == 0
      }
    }
    guard bound else {
      close(fd)
      throw CLIError(description: "cannot bind a loopback port")
    }
    return (fd, UInt16(bigEndian: address.sin_port))
  }
}

/// A fresh database for one test, dropped afterwards.
enum CLIDatabase {
  static func with(_ body: (String) throws -> Void) throws {
    let url = try TestDatabase.create(prefix: "lkcli")
    defer { TestDatabase.drop(url) }
    try body(url)
  }
}

/// A temporary file, removed when released.
final class CLITempFile {
  let path: String

  init(contents: String) throws {
    path = NSTemporaryDirectory() + "/latchkey-cli-\(UUID().uuidString)"
    guard
      FileManager.default.createFile(
        atPath: path, contents: Data(contents.utf8), attributes: [.posixPermissions: 0o600])
    else { throw CLIError(description: "cannot write \(path)") }
  }

  deinit { try? FileManager.default.removeItem(atPath: path) }
}

/// Work on its own thread, joined with a bounded wait.
final class CLIBackground<T: Sendable>: @unchecked Sendable {
  private let done = DispatchSemaphore(value: 0)
  private let lock = NSLock()
  private var outcome: Result<T, any Error>?

  init(_ body: @escaping @Sendable () throws -> T) {
    Thread { [self] in
      let result = Result { try body() }
      lock.lock()
      outcome = result
      lock.unlock()
      done.signal()
    }.start()
  }

  func value(seconds: Double = 180) throws -> T {
    guard done.wait(timeout: .now() + seconds) == .success else { throw CLIError(description: "timed out") }
    lock.lock()
    defer { lock.unlock() }
    return try outcome!.get()
  }
}

/// Just enough JWT to read claims and check an HS256 signature with the
/// expected secret (the JWT module has its own exhaustive tests).
enum CLIJWT {
  static func claims(_ token: String) -> [String: Any]? {
    let parts = token.split(separator: ".", omittingEmptySubsequences: false)
    guard parts.count == 3, let bytes = Base64URL.decode(parts[1]) else { return nil }
    return (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: Any]
  }

  static func verifies(_ token: String, secret: String) -> Bool {
    let parts = token.split(separator: ".", omittingEmptySubsequences: false)
    guard parts.count == 3, let signature = Base64URL.decode(parts[2]) else { return false }
    let mac = HMACSHA256.mac(key: Array(secret.utf8), message: Array("\(parts[0]).\(parts[1])".utf8))
    return mac == signature
  }
}
