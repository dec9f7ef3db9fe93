import Foundation
import LatchkeyDomain
import LatchkeyPostgres
import LatchkeyServer

/// A real Latchkey (HTTP on a loopback port, real PostgreSQL) in the test
/// process, with a clock the test can move.
public final class TestServer: @unchecked Sendable {
  public let app: Application
  public let clock: TestClock
  public let databaseURL: String
  public var port: UInt16 { app.server.port }

  public static let secret = "test-secret-0123456789abcdef-0123456789"

  /// `environment` overrides the defaults (LATCHKEY_* names, as in production).
  public init(environment: [String: String] = [:], databaseURL: String? = nil, clock: TestClock = TestClock())
    throws
  {
    let url = try databaseURL ?? TestDatabase.create()
    var env = [
      "LATCHKEY_DATABASE_URL": url,
      "LATCHKEY_JWT_SECRET": Self.secret,
      "LATCHKEY_PORT": "0",
      "LATCHKEY_COOKIE_SECURE": "false",
      "LATCHKEY_ARGON2_MEMORY_KIB": "1024",
      "LATCHKEY_ARGON2_ITERATIONS": "1",
      "LATCHKEY_ACCESS_LOG": "false",
      "LATCHKEY_MIGRATIONS_DIR": TestServer.migrationsDirectory,
    ]
    env.merge(environment) { $1 }
    let config = try Configuration.load(from: env)
    self.clock = clock
    self.databaseURL = url
    app = try Application(config: config, logger: .disabled, clock: clock)
    try app.start()
  }

  public static var migrationsDirectory: String {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent().appendingPathComponent("sql").path
  }

  /// A client over a socket to the live server, or (`inProcess`) one that
  /// hands requests straight to the application's responder.
  public func client(inProcess: Bool = false) -> TestHTTPClient {
    inProcess ? TestHTTPClient(responder: app.responder) : TestHTTPClient(port: port)
  }

  public func stop() {
    app.stop()
  }
}

/// A clock tests move by hand; starts at the real time.
public final class TestClock: WallClock, @unchecked Sendable {
  private let lock = NSLock()
  private var offset: Double = 0

  public init() {}

  public func now() -> Double {
    lock.lock()
    defer { lock.unlock() }
    return Date().timeIntervalSince1970 + offset
  }

  public func advance(_ seconds: Double) {
    lock.lock()
    offset += seconds
    lock.unlock()
  }
}
