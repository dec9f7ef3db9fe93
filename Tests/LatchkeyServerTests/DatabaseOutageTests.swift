import Foundation
import LatchkeyTesting
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// docs/api.md#unavailable: with PostgreSQL gone, endpoints that need it answer 503
/// quickly, the process stays up, and it recovers by itself.
@Suite("database outage", .serialized)
struct DatabaseOutageTests {
  /// The dedicated cluster's port: 55471 unless taken (another checkout's test
  /// run may be using it), else a free one, so concurrent runs never share a
  /// cluster that one of them stops.
  static let port: String = {
    for candidate in [55471] + (0..<20).map({ _ in Int.random(in: 56000..<60000) }) {
      let dataDir = repositoryRoot.appendingPathComponent(".data/pg-\(candidate)").path
      if !FileManager.default.fileExists(atPath: dataDir) && isFree(UInt16(candidate)) {
        return String(candidate)
      }
    }
    return "55471"
  }()

  static func isFree(_ port: UInt16) -> Bool {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = port.bigEndian
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    return withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
      }
    }
  }

  /// Runs `scripts/dev-db COMMAND PORT` and returns the cluster's URL.
  ///
  /// posix_spawn + waitpid rather than Foundation's `Process`: `Process` here
  /// missed the exit of the shell that starts a daemon and waited forever.
  /// The shell first closes every inherited descriptor above 2, so the
  /// postmaster keeps none of this process's sockets (pooled connections,
  /// listening ports) open.
  @discardableResult
  static func devDB(_ command: String) throws -> String {
    let closeInherited =
      #"for fd in /proc/$$/fd/*; do n=${fd##*/}; if [ "$n" -gt 2 ]; then eval "exec $n>&-"; fi; done 2>/dev/null; "#
      + #"exec /bin/bash "$0" "$@""#
    let arguments = [
      "/bin/bash", "-c", closeInherited, repositoryRoot.appendingPathComponent("scripts/dev-db").path,
      command,
      port,
    ]
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
    var cArguments: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
    defer { for argument in cArguments { free(argument) } }
    var pid: pid_t = 0
    let spawned = posix_spawn(&pid, "/bin/bash", &actions, nil, &cArguments, environ)
    try #require(spawned == 0, "posix_spawn failed: \(spawned)")
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    let exited = status & 0x7f == 0
    let code = (status >> 8) & 0xff
    try #require(exited && code == 0, "scripts/dev-db \(command) \(port) failed (status \(status))")
    return "postgres://latchkey@127.0.0.1:\(port)/latchkey?sslmode=disable"
  }

  /// Sends a request and measures how long the answer took.
  static func timed(_ body: () throws -> TestResponse) throws -> (TestResponse, Double) {
    let start = Date()
    let response = try body()
    return (response, Date().timeIntervalSince(start))
  }

  @Test("503 temporarily_unavailable while PostgreSQL is down, recovery without a restart")
  func outage() throws {
    let url = try Self.devDB("start")
    defer { _ = try? Self.devDB("destroy") }

    let server = try TestServer(environment: ["LATCHKEY_DATABASE_POOL_SIZE": "4"], databaseURL: url)
    defer { server.stop() }
    let client = server.client()
    let email = uniqueEmail()
    let tokens = try client.signIn(email, register: true)
    #expect(try client.me(tokens.access).status == 200)

    try Self.devDB("stop")

    let json = ("Content-Type", "application/json")
    let credentials = Array(#"{"email":"\#(email)","password":"\#(defaultPassword)"}"#.utf8)
    let cases: [(String, () throws -> TestResponse)] = [
      ("login", { try client.request("POST", "/login", headers: [json], body: credentials) }),
      ("me", { try client.me(tokens.access) }),
      ("refresh", { try client.refresh(cookie: tokens.refresh) }),
      ("register", { try client.register(uniqueEmail()) }),
      ("sessions", { try client.get("/api/sessions", bearer: tokens.access) }),
      ("logout", { try client.logout(cookie: tokens.refresh, bearer: tokens.access) }),
      ("login again", { try client.request("POST", "/login", headers: [json], body: credentials) }),
      ("readyz", { try client.request("GET", "/readyz") }),
    ]
    for (what, send) in cases {
      let (response, seconds) = try Self.timed(send)
      #expect(response.status == 503, "\(what): \(response.status) \(response.text)")
      #expect(response.errorCode == "temporarily_unavailable", "\(what)")
      #expect(seconds < 5, "\(what) took \(seconds) s")
      #expect(response.headers(named: "set-cookie").isEmpty, "\(what) must not touch the cookie")
      #expect(response.header("x-content-type-options") == "nosniff")
    }
    let health = try client.request("GET", "/healthz")
    #expect(health.status == 200)
    let metrics = try client.request("GET", "/metrics")
    #expect(metrics.status == 200)

    try Self.devDB("start")

    let ready = try client.request("GET", "/readyz")
    #expect(ready.status == 200, "first /readyz after the restart: \(ready.status)")
    // The session survived the outage: the refresh token and the logout above changed nothing.
    let me = try client.me(tokens.access)
    #expect(me.status == 200, "first /api/me after the restart: \(me.status) \(me.text)")
    let rotated = try client.refresh(cookie: tokens.refresh)
    #expect(rotated.status == 200, "\(rotated.status) \(rotated.text)")
    #expect(try client.login(email).status == 200)
  }
}
