import Foundation
import LatchkeyHTTP
import LatchkeyJSON
import LatchkeyTesting
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// Small servers for the socket tests: an `HTTPServer` on a loopback port
/// picked by the kernel, with only the routes a test declares and no database.
func startServer(
  cors: Set<String> = [],
  mapError: @escaping Responder.ErrorMapper = { _ in nil },
  onUnexpectedError: @escaping @Sendable (Request, any Error) -> Void = { _, _ in },
  configure: (inout HTTPServerConfiguration) -> Void = { _ in },
  routes: (inout Router) -> Void
) throws -> HTTPServer {
  var router = Router()
  routes(&router)
  var configuration = HTTPServerConfiguration()
  configuration.host = "127.0.0.1"
  configuration.port = 0
  configuration.pollThreads = 2
  configuration.workerThreads = 4
  configuration.workerQueueLimit = 64
  configuration.drainTimeoutSeconds = 20
  configure(&configuration)
  let responder = Responder(
    router: router, cors: CORSPolicy(allowedOrigins: cors), mapError: mapError,
    onUnexpectedError: onUnexpectedError)
  let server = HTTPServer(configuration: configuration, responder: responder)
  try server.start()
  return server
}

/// The routes most socket tests share.
func standardRoutes(_ router: inout Router) {
  router.add("GET", "/inline", execution: .inline) { _ in
    Response.json(200, bytes: Array(#"{"ok":true}"#.utf8))
  }
  router.add("GET", "/blocking") { _ in Response.json(200, bytes: Array(#"{"ok":true}"#.utf8)) }
  router.add("POST", "/echo") { request in
    Response.json(200, bytes: JSONText.object([("bytes", String(request.body.count))]))
  }
  router.add("POST", "/echo-inline", execution: .inline) { request in
    Response.json(200, bytes: JSONText.object([("bytes", String(request.body.count))]))
  }
  router.add("GET", "/items/{id}", execution: .inline) { request in
    Response.json(200, bytes: JSONText.object([("id", request.parameters["id"] ?? "")]))
  }
  router.add("DELETE", "/items/{id}", execution: .inline) { _ in Response.noContent() }
}

/// Lets a test hold a handler inside its body, know that it got there, and
/// let it go: semaphores, never sleeps.
final class Gate: @unchecked Sendable {
  private let entered = DispatchSemaphore(value: 0)
  private let released = DispatchSemaphore(value: 0)

  /// Called by the handler: announces itself, then blocks until released.
  func hold() {
    entered.signal()
    released.wait()
  }

  /// Waits until one more handler is inside `hold()`.
  func waitEntered(seconds: Double = 10) -> Bool {
    entered.wait(timeout: .now() + seconds) == .success
  }

  func release(_ count: Int = 1) {
    for _ in 0..<count { released.signal() }
  }
}

/// Work running on its own thread, joined with a bounded wait.
final class Background<T: Sendable>: @unchecked Sendable {
  private let done = DispatchSemaphore(value: 0)
  private let lock = NSLock()
  private var outcome: Result<T, any Error>?

  init(_ body: @escaping @Sendable () throws -> T) {
    let thread = Thread { [self] in
      let result = Result { try body() }
      lock.lock()
      outcome = result
      lock.unlock()
      done.signal()
    }
    thread.stackSize = 1 << 20
    thread.start()
  }

  /// True once the work has finished (no waiting).
  var isFinished: Bool {
    lock.lock()
    defer { lock.unlock() }
    return outcome != nil
  }

  /// The outcome, or nil if it did not finish within `seconds`.
  func wait(seconds: Double = 15) -> Result<T, any Error>? {
    guard done.wait(timeout: .now() + seconds) == .success else { return nil }
    done.signal()  // later waits return at once
    lock.lock()
    defer { lock.unlock() }
    return outcome
  }

  func value(seconds: Double = 15) throws -> T {
    guard let outcome = wait(seconds: seconds) else { throw BackgroundTimeout() }
    return try outcome.get()
  }
}

struct BackgroundTimeout: Error {}

/// A single request on a fresh connection.
func fetch(
  _ port: UInt16, _ method: String, _ path: String, headers: [(String, String)] = [], body: [UInt8]? = nil
) throws -> TestResponse {
  let client = TestHTTPClient(port: port)
  defer { client.disconnect() }
  return try client.request(method, path, headers: headers, body: body)
}

/// A raw TCP connection for requests the HTTP client cannot express
/// (half-sent requests, garbage, trickled bodies).
final class RawConnection {
  let fd: Int32

  init(port: UInt16, receiveTimeoutSeconds: Int = 15) throws {
    // LoopbackSocket closes its descriptor itself when it throws, before
    // `fd` is set, so deinit never sees (or closes) a failed one.
    fd = try LoopbackSocket.connect(port: port, receiveTimeoutSeconds: receiveTimeoutSeconds)
  }

  deinit { close(fd) }

  func send(_ bytes: [UInt8]) throws {
    var offset = 0
    while offset < bytes.count {
      let sent = bytes[offset...].withUnsafeBytes {
        Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
      }
      guard sent > 0 else { throw TestHTTPError.closed }
      offset += sent
    }
  }

  func send(_ text: String) throws { try send(Array(text.utf8)) }

  /// Everything until the peer closes (or the receive timeout passes).
  /// `closed` is false when the wait ended by timeout.
  func readToEnd() -> (bytes: [UInt8], closed: Bool) {
    var out: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65536)
    while true {
      let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
      if count > 0 {
        out += chunk[0..<count]
        continue
      }
      if count == 0 { return (out, true) }
      return (out, errno == ECONNRESET)
    }
  }
}

/// Whether a TCP connection to the port is accepted right now.
func portAccepts(_ port: UInt16) -> Bool {
  (try? RawConnection(port: port)) != nil
}

/// Bounded poll for a condition that has no event to wait on (a port
/// closing, a counter settling). Not a synchronisation sleep: it returns as
/// soon as the condition holds and fails the test when it never does.
func eventually(seconds: Double = 10, _ condition: () -> Bool) -> Bool {
  let deadline = Date().addingTimeInterval(seconds)
  while Date() < deadline {
    if condition() { return true }
    usleep(2000)
  }
  return condition()
}

/// Parses the status code of the first response in raw bytes (nil if none).
func statusCode(of bytes: [UInt8]) -> Int? {
  let text = String(decoding: bytes.prefix(64), as: UTF8.self)
  guard text.hasPrefix("HTTP/1."), text.count >= 12 else { return nil }
  return Int(text.dropFirst(9).prefix(3))
}
