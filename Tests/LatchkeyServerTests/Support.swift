import Foundation
import LatchkeyCrypto
import LatchkeyPostgres
import LatchkeyTesting
import Testing

/// Shared helpers for the integration suites: a server per test (each with
/// its own database), account and token shortcuts, cookie and JWT parsing,
/// and a start-gated concurrency runner.

let defaultPassword = "correct horse battery staple"

/// A fresh, unique email for one test.
func uniqueEmail(_ prefix: String = "user") -> String {
  "\(prefix)-\(UUID().uuidString.lowercased().prefix(12))@example.com"
}

/// Runs `body` against a freshly started server on a fresh database, then
/// stops the server and drops the database.
func withServer<T>(
  _ environment: [String: String] = [:], clock: TestClock = TestClock(),
  _ body: (TestServer) throws -> T
) throws -> T {
  let server = try TestServer(environment: environment, clock: clock)
  defer {
    server.stop()
    TestDatabase.drop(server.databaseURL)
  }
  return try body(server)
}

/// The parsed value and attributes of one `Set-Cookie` header.
struct SetCookie: Equatable {
  var name: String
  var value: String
  /// Attribute names lower-cased; flag attributes (HttpOnly) map to "".
  var attributes: [String: String]

  init(_ header: String) {
    let parts = header.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
    let first = parts.first ?? ""
    if let eq = first.firstIndex(of: "=") {
      name = String(first[..<eq])
      value = String(first[first.index(after: eq)...])
    } else {
      name = first
      value = ""
    }
    var attributes: [String: String] = [:]
    for part in parts.dropFirst() {
      if let eq = part.firstIndex(of: "=") {
        attributes[part[..<eq].lowercased()] = String(part[part.index(after: eq)...])
      } else {
        attributes[part.lowercased()] = ""
      }
    }
    self.attributes = attributes
  }

  func has(_ attribute: String) -> Bool { attributes[attribute.lowercased()] != nil }
  var maxAge: Int? { attributes["max-age"].flatMap { Int($0) } }
}

let plainCookieName = "latchkey_refresh"
let hostCookieName = "__Host-latchkey_refresh"

extension TestResponse {
  /// Every Set-Cookie header of the response, parsed.
  var setCookies: [SetCookie] { headers(named: "set-cookie").map(SetCookie.init) }

  /// The refresh cookie the response sets or clears (either name).
  var refreshCookie: SetCookie? {
    setCookies.first { $0.name == plainCookieName || $0.name == hostCookieName }
  }

  var accessToken: String? { json["access_token"] as? String }
}

/// What a successful login or refresh hands the client.
struct Tokens {
  var access: String
  var refresh: String
  var response: TestResponse
}

/// Shortcuts for the endpoints (docs/api.md) on one client connection.
extension TestHTTPClient {
  @discardableResult
  func register(_ email: String, _ password: String = defaultPassword) throws -> TestResponse {
    try json("POST", "/register", ["email": email, "password": password])
  }

  func login(_ email: String, _ password: String = defaultPassword, headers: [(String, String)] = [])
    throws -> TestResponse
  {
    try json("POST", "/login", ["email": email, "password": password], headers: headers)
  }

  /// Registers (if asked) and logs in, requiring success.
  func signIn(_ email: String, _ password: String = defaultPassword, register: Bool = false) throws
    -> Tokens
  {
    if register {
      let created = try self.register(email, password)
      try #require(created.status == 201, "register: \(created.status) \(created.text)")
    }
    let response = try login(email, password)
    try #require(response.status == 200, "login: \(response.status) \(response.text)")
    let access = try #require(response.accessToken)
    let cookie = try #require(response.refreshCookie)
    return Tokens(access: access, refresh: cookie.value, response: response)
  }

  func refresh(cookie: String?, name: String = plainCookieName, headers: [(String, String)] = []) throws
    -> TestResponse
  {
    var all = headers
    if let cookie { all.append(("Cookie", "\(name)=\(cookie)")) }
    return try request("POST", "/refresh", headers: all)
  }

  /// A refresh that must succeed.
  func rotate(_ cookie: String) throws -> Tokens {
    let response = try refresh(cookie: cookie)
    try #require(response.status == 200, "refresh: \(response.status) \(response.text)")
    let access = try #require(response.accessToken)
    let next = try #require(response.refreshCookie)
    return Tokens(access: access, refresh: next.value, response: response)
  }

  func logout(
    cookie: String? = nil, bearer: String? = nil, global: Bool = false, headers: [(String, String)] = []
  ) throws -> TestResponse {
    var all = headers
    if let cookie { all.append(("Cookie", "\(plainCookieName)=\(cookie)")) }
    if let bearer { all.append(("Authorization", "Bearer \(bearer)")) }
    return try request("POST", global ? "/logout?scope=global" : "/logout", headers: all)
  }

  func get(_ path: String, bearer: String?) throws -> TestResponse {
    try request("GET", path, headers: bearer.map { [("Authorization", "Bearer \($0)")] } ?? [])
  }

  func me(_ bearer: String?) throws -> TestResponse { try get("/api/me", bearer: bearer) }
}

/// A JWT split into its decoded header and claims.
struct DecodedJWT {
  var header: [String: Any]
  var claims: [String: Any]
  var signingInput: String
  var signature: String

  init?(_ token: String) {
    let parts = token.split(separator: ".", omittingEmptySubsequences: false)
    guard parts.count == 3, let head = Base64URL.decode(parts[0]), let body = Base64URL.decode(parts[1]),
      let header = (try? JSONSerialization.jsonObject(with: Data(head))) as? [String: Any],
      let claims = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any]
    else { return nil }
    self.header = header
    self.claims = claims
    signingInput = "\(parts[0]).\(parts[1])"
    signature = String(parts[2])
  }

  func int(_ claim: String) -> Int64? { (claims[claim] as? NSNumber)?.int64Value }
  func string(_ claim: String) -> String? { claims[claim] as? String }
}

/// Builds an HS256-style token from raw header and claims objects, signed
/// with `secret` (or with the given signature text when `signature` is set).
func forgeJWT(header: [String: Any], claims: [String: Any], secret: String, signature: String? = nil)
  -> String
{
  let head = Base64URL.encode(
    [UInt8](try! JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])))
  let body = Base64URL.encode(
    [UInt8](try! JSONSerialization.data(withJSONObject: claims, options: [.sortedKeys])))
  let input = "\(head).\(body)"
  let sig = signature ?? Base64URL.encode(HMACSHA256.mac(key: Array(secret.utf8), message: Array(input.utf8)))
  return "\(input).\(sig)"
}

/// A direct connection to a server's database, for checks the HTTP API
/// does not expose (stored hashes, raw rows).
func withDatabase<T>(_ url: String, _ body: (PostgresConnection) throws -> T) throws -> T {
  let connection = try PostgresConnection(url: url)
  defer { connection.close() }
  return try body(connection)
}

/// Results collected from several threads.
final class Collector<T: Sendable>: @unchecked Sendable {
  private let lock = NSLock()
  private var items: [T] = []

  func append(_ item: T) {
    lock.lock()
    items.append(item)
    lock.unlock()
  }

  var all: [T] {
    lock.lock()
    defer { lock.unlock() }
    return items
  }
}

/// Runs `count` requests at once, each on its own thread and its own TCP
/// connection (opened before the start gate), and returns every outcome.
func concurrently(
  _ count: Int, port: UInt16, _ send: @escaping @Sendable (Int, TestHTTPClient) throws -> TestResponse
) -> [Result<TestResponse, any Error>] {
  concurrently(count, ports: [port], send)
}

/// As above, request `i` going to `ports[i % ports.count]` (several instances).
func concurrently(
  _ count: Int, ports: [UInt16], _ send: @escaping @Sendable (Int, TestHTTPClient) throws -> TestResponse
) -> [Result<TestResponse, any Error>] {
  let ready = DispatchSemaphore(value: 0)
  let gate = DispatchSemaphore(value: 0)
  let group = DispatchGroup()
  let results = Collector<Result<TestResponse, any Error>>()
  for index in 0..<count {
    group.enter()
    let port = ports[index % ports.count]
    let thread = Thread {
      let client = TestHTTPClient(port: port)
      try? client.sendRaw([])  // connect now, so the race is on the request, not the handshake
      ready.signal()
      gate.wait()
      results.append(Result { try send(index, client) })
      client.disconnect()
      group.leave()
    }
    thread.stackSize = 1 << 20
    thread.start()
  }
  for _ in 0..<count { ready.wait() }
  for _ in 0..<count { gate.signal() }
  group.wait()
  return results.all
}

/// The repository root (for scripts/), found from this file's path.
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
  .deletingLastPathComponent()
