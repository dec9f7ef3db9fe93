import CLatchkeyShims
import CMicroHTTPD
import Foundation
import LatchkeyConcurrency

/// Observes every finished request (access log, metrics).
public protocol RequestObserver: Sendable {
  func requestCompleted(_ record: RequestRecord)
}

public struct RequestRecord: Sendable {
  public var method: String
  public var path: String
  public var route: String
  public var status: Int
  public var seconds: Double
  public var requestID: String
  public var peerAddress: String

  public init(
    method: String, path: String, route: String, status: Int, seconds: Double, requestID: String,
    peerAddress: String
  ) {
    self.method = method
    self.path = path
    self.route = route
    self.status = status
    self.seconds = seconds
    self.requestID = requestID
    self.peerAddress = peerAddress
  }
}

public struct HTTPServerConfiguration: Sendable {
  public var host: String = "127.0.0.1"
  public var port: UInt16 = 8080
  /// MHD poll threads; cheap handlers run here.
  public var pollThreads: Int = ProcessInfo.processInfo.activeProcessorCount
  /// Threads for blocking handlers, and how many may wait for one.
  public var workerThreads: Int = 32
  public var workerQueueLimit: Int = 2048
  public var maxConnections: Int = 4096
  /// A connection idle (or trickling) this long is closed.
  public var idleTimeoutSeconds: Int = 30
  /// A new connection silent this long before its first request's headers
  /// are complete is closed: a TLS ClientHello or other non-HTTP bytes on
  /// the plain port (the client then waits for an answer MHD never gives)
  /// is cut off quickly instead of holding a connection for the idle timeout.
  /// Any byte received restarts the clock; later requests on a kept-alive
  /// connection get the idle timeout.
  public var firstRequestTimeoutSeconds: Int = 1
  /// Bounds the request line plus headers (MHD answers 431/413 past it).
  public var maxHeaderBytes: Int = 32 * 1024
  public var maxBodyBytes: Int = 16 * 1024
  /// How long SIGTERM waits for in-flight requests before stopping anyway.
  public var drainTimeoutSeconds: Double = 30

  public init() {}
}

public enum HTTPServerError: Error, CustomStringConvertible {
  case startFailed(String)
  public var description: String {
    switch self {
    case .startFailed(let why): return "http: \(why)"
    }
  }
}

/// The HTTP/1.1 server: libmicrohttpd's epoll thread pool in front of a
/// `Responder`. Handlers marked `.blocking` run on `BoundedThreadPool` threads while
/// MHD keeps the connection suspended.
public final class HTTPServer: @unchecked Sendable {
  public let configuration: HTTPServerConfiguration
  let responder: Responder
  let observer: RequestObserver?
  public let workers: BoundedThreadPool
  private var daemon: OpaquePointer?
  /// MHD's callbacks reach the server through an unretained pointer, so a
  /// running server keeps itself alive until `stop()`.
  private var retainedWhileRunning: Unmanaged<HTTPServer>?
  private var listenSocket: Int32 = -1
  private var wakeDescriptor: Int32 = -1
  /// How many connections the acceptor thread handed to MHD, once it ended.
  private let acceptorDone = Completion()
  private let lifecycle = NSLock()
  private let inFlight = NSCondition()
  private var inFlightCount = 0
  // Under `inFlight`: requests parked on the worker pool, and the shutdown phase.
  private var suspendedCount = 0
  private var stopping = false
  private var drained = false
  // Under `inFlight`: open connections' sockets (a count per descriptor, in
  // case MHD reports a reused one before the old close) and how many
  // connections have ever started; both for the drain in `stop()`.
  private var openSockets: [Int32: Int] = [:]
  private var connectionsStarted = 0
  private var requestCounter = Atomic64()
  private let requestIDPrefix = String(UInt32.random(in: 0...UInt32.max), radix: 36)

  public init(configuration: HTTPServerConfiguration, responder: Responder, observer: RequestObserver? = nil)
  {
    self.configuration = configuration
    self.responder = responder
    self.observer = observer
    self.workers = BoundedThreadPool(
      threads: configuration.workerThreads, queueLimit: configuration.workerQueueLimit,
      name: "latchkey-worker")
  }

  deinit {
    // Only reached when never started or stopped: end the worker threads.
    workers.shutdown()
  }

  /// The bound port (differs from the configured one when that was 0).
  public private(set) var port: UInt16 = 0

  public func start() throws(HTTPServerError) {
    lifecycle.lock()
    defer { lifecycle.unlock() }
    guard daemon == nil else { throw .startFailed("already started") }
    // The workers are gone and the drain flags stay set: a server runs once.
    guard !isStopping else { throw .startFailed("a stopped server cannot be started again") }
    var errorText: UnsafePointer<CChar>? = nil
    let listenSocket = configuration.host.withCString {
      latchkey_listen($0, configuration.port, 1024, &errorText)
    }
    guard listenSocket >= 0 else {
      throw .startFailed(errorText.map { String(cString: $0) } ?? "could not listen")
    }
    let wake = latchkey_wake_fd()
    guard wake >= 0 else {
      close(listenSocket)
      throw .startFailed("could not create the acceptor's wake-up descriptor")
    }
    let retained = Unmanaged.passRetained(self)
    let me = retained.toOpaque()
    var config = latchkey_mhd_config(
      thread_pool_size: UInt32(max(1, configuration.pollThreads)),
      connection_limit: UInt32(configuration.maxConnections),
      connection_timeout_seconds: UInt32(configuration.idleTimeoutSeconds),
      connection_memory_limit: configuration.maxHeaderBytes,
      handler: latchkeyAccessHandler, handler_cls: me,
      completed: latchkeyRequestCompleted, completed_cls: me,
      uri_log: latchkeyURIReceived, uri_log_cls: me,
      notify_connection: latchkeyConnectionNotified, notify_connection_cls: me)
    guard let started = latchkey_mhd_start(&config, &errorText) else {
      retained.release()
      close(listenSocket)
      close(wake)
      throw .startFailed(errorText.map { String(cString: $0) } ?? "could not start")
    }
    daemon = started
    retainedWhileRunning = retained
    port = latchkey_socket_port(listenSocket)
    self.listenSocket = listenSocket
    wakeDescriptor = wake
    nonisolated(unsafe) let daemonPointer = started
    let acceptor = Thread { [acceptorDone] in
      acceptorDone.finish(UInt64(latchkey_accept_loop(daemonPointer, listenSocket, wake)))
    }
    acceptor.name = "latchkey-acceptor"
    acceptor.stackSize = 1 << 18
    acceptor.start()
  }

  /// Graceful stop: no new connections, in-flight requests finish (up to the
  /// drain timeout), then the daemon and the workers end. Answers given
  /// during the drain carry `Connection: close`. Safe to call more than once.
  public func stop() {
    lifecycle.lock()
    defer { lifecycle.unlock() }
    guard let daemon else { return }
    inFlight.lock()
    stopping = true
    inFlight.unlock()
    // The acceptor takes what is already in the backlog (clients that
    // connected before the stop may have sent their request: they are
    // served), then the socket closes at once, so a client connecting during
    // the drain is refused (and can go to another instance) instead of
    // waiting in a backlog nobody reads.
    latchkey_wake(wakeDescriptor)
    let handedOver = Int(acceptorDone.wait())
    close(listenSocket)
    close(wakeDescriptor)
    inFlight.lock()
    let deadline = Date().addingTimeInterval(configuration.drainTimeoutSeconds)
    // Requests in flight include those whose bytes have arrived but that no
    // poll thread has picked up yet (data waiting on an open socket, an
    // adopted connection not yet started). Quiet twice in a row, a few ms
    // apart, covers a poll thread caught between its read and the handler.
    var quietChecks = 0
    while quietChecks < 2 && Date() < deadline {
      let quiet =
        inFlightCount == 0 && connectionsStarted >= handedOver
        && !openSockets.keys.contains { latchkey_socket_pending_bytes($0) > 0 }
      quietChecks = quiet ? quietChecks + 1 : 0
      if quietChecks < 2 { _ = inFlight.wait(until: min(deadline, Date().addingTimeInterval(0.005))) }
    }
    // From here on nothing new is parked on a worker (see `park`).
    drained = true
    let parked = suspendedCount
    inFlight.unlock()
    self.daemon = nil
    workers.shutdown()
    guard parked == 0 else {
      // The drain timed out with handlers still running. MHD_stop_daemon
      // aborts the process when a connection is suspended, and a late
      // MHD_resume_connection would touch a freed daemon: leave the quiesced
      // daemon (and this server) alive; the process is about to exit.
      return
    }
    MHD_stop_daemon(daemon)
    retainedWhileRunning?.release()
    retainedWhileRunning = nil
  }

  public var activeRequests: Int {
    inFlight.lock()
    defer { inFlight.unlock() }
    return inFlightCount
  }

  fileprivate func nextRequestID() -> String {
    "\(requestIDPrefix)-\(String(requestCounter.increment(), radix: 36))"
  }

  fileprivate func begin() {
    inFlight.lock()
    inFlightCount += 1
    inFlight.unlock()
  }

  fileprivate func end() {
    inFlight.lock()
    inFlightCount -= 1
    if inFlightCount == 0 { inFlight.broadcast() }
    inFlight.unlock()
  }

  /// True once `stop()` has begun: answers then tell clients to close.
  fileprivate var isStopping: Bool {
    inFlight.lock()
    defer { inFlight.unlock() }
    return stopping
  }

  /// Accounts for a connection about to be suspended for a worker; false
  /// once the drain is over (the daemon is about to stop, and MHD must not
  /// hold a suspended connection then).
  fileprivate func park() -> Bool {
    inFlight.lock()
    defer { inFlight.unlock() }
    guard !drained else { return false }
    suspendedCount += 1
    return true
  }

  fileprivate func connectionOpened(_ socket: Int32) {
    inFlight.lock()
    openSockets[socket, default: 0] += 1
    connectionsStarted += 1
    inFlight.unlock()
  }

  fileprivate func connectionClosed(_ socket: Int32) {
    inFlight.lock()
    if let count = openSockets[socket] { openSockets[socket] = count > 1 ? count - 1 : nil }
    inFlight.unlock()
  }

  /// The parked connection is back on a poll thread.
  fileprivate func unpark() {
    inFlight.lock()
    suspendedCount -= 1
    inFlight.unlock()
  }
}

/// Per-request state kept in MHD's `con_cls` between callbacks.
final class RequestState: @unchecked Sendable {
  let started = DispatchTime.now().uptimeNanoseconds
  /// The request target exactly as received, up to a NUL if it holds one.
  var rawTarget: [UInt8] = []
  /// Set on the access handler's first call (headers complete).
  var began = false
  var method = ""
  var path = ""
  var pathSegments: [String] = []
  var headers: [(name: String, value: String)] = []
  var query: [String: String] = [:]
  var body: [UInt8] = []
  var bodyTooLarge = false
  /// Body bytes read and thrown away after the limit was passed.
  var discardedBytes = 0
  var peerAddress = ""
  var requestID = ""
  var route = ""
  var status = 0
  /// Set by a worker before it resumes the connection.
  var pending: Response?
  var dispatched = false
}

/// A value set once by one thread and waited for by another.
final class Completion: @unchecked Sendable {
  private let condition = NSCondition()
  private var value: UInt64?

  func finish(_ result: UInt64) {
    condition.lock()
    value = result
    condition.broadcast()
    condition.unlock()
  }

  func wait() -> UInt64 {
    condition.lock()
    defer { condition.unlock() }
    while value == nil { condition.wait() }
    return value!
  }
}

struct Atomic64: @unchecked Sendable {
  private let storage = UnsafeMutablePointer<UInt64>.allocate(capacity: 1)
  private let lock = NSLock()
  init() { storage.initialize(to: 0) }
  func increment() -> UInt64 {
    lock.lock()
    defer { lock.unlock() }
    storage.pointee += 1
    return storage.pointee
  }
}

private func collectHeader(
  _ cls: UnsafeMutableRawPointer?, _ kind: MHD_ValueKind, _ key: UnsafePointer<CChar>?,
  _ value: UnsafePointer<CChar>?
) -> MHD_Result {
  guard let cls, let key else { return .YES }
  let state = Unmanaged<RequestState>.fromOpaque(cls).takeUnretainedValue()
  state.headers.append((String(cString: key).lowercased(), value.map { String(cString: $0) } ?? ""))
  return .YES
}

private func collectQuery(
  _ cls: UnsafeMutableRawPointer?, _ kind: MHD_ValueKind, _ key: UnsafePointer<CChar>?,
  _ value: UnsafePointer<CChar>?
) -> MHD_Result {
  guard let cls, let key else { return .YES }
  let state = Unmanaged<RequestState>.fromOpaque(cls).takeUnretainedValue()
  let name = String(cString: key)
  if state.query[name] == nil { state.query[name] = value.map { String(cString: $0) } ?? "" }
  return .YES
}

private func queue(
  _ response: Response, on connection: OpaquePointer?, state: RequestState, server: HTTPServer
) -> MHD_Result {
  var response = response
  if server.isStopping { response.setHeader("Connection", "close") }
  state.status = response.status
  let mhdResponse = response.body.withUnsafeBytes { bytes in
    MHD_create_response_from_buffer(
      bytes.count, UnsafeMutableRawPointer(mutating: bytes.baseAddress), mustCopy)
  }
  guard let mhdResponse else { return .NO }
  for (name, value) in response.headers {
    _ = MHD_add_response_header(mhdResponse, name, value)
  }
  let result = MHD_queue_response(connection, UInt32(response.status), mhdResponse)
  MHD_destroy_response(mhdResponse)
  return result
}

private func makeRequest(_ state: RequestState) -> Request {
  var request = Request(
    method: state.method, path: state.path, query: state.query, headers: [], body: state.body,
    peerAddress: state.peerAddress, requestID: state.requestID)
  request.headers = state.headers
  request.pathSegments = state.pathSegments
  return request
}

private func acceptedRequestID(_ value: String?) -> String? {
  guard let value, !value.isEmpty, value.utf8.count <= 64,
    value.utf8.allSatisfy({
      $0 == 45 || $0 == 46 || $0 == 95 || (48...57).contains($0) || (65...90).contains($0)
        || (97...122).contains($0)
    })
  else { return nil }
  return value
}

// MHD's access handler: called once when headers are in, once per body chunk,
// and once more with no data when the body is complete. Answering only on a
// later call keeps HTTP keep-alive working (MHD closes after a first-call answer).
private func latchkeyAccessHandler(
  _ cls: UnsafeMutableRawPointer?, _ connection: OpaquePointer?, _ url: UnsafePointer<CChar>?,
  _ method: UnsafePointer<CChar>?, _ version: UnsafePointer<CChar>?, _ uploadData: UnsafePointer<CChar>?,
  _ uploadDataSize: UnsafeMutablePointer<Int>?, _ conCls: UnsafeMutablePointer<UnsafeMutableRawPointer?>?
) -> MHD_Result {
  guard let cls, let conCls, let uploadDataSize else { return .NO }
  let server = Unmanaged<HTTPServer>.fromOpaque(cls).takeUnretainedValue()

  let state: RequestState
  if let raw = conCls.pointee {
    state = Unmanaged<RequestState>.fromOpaque(raw).takeUnretainedValue()
  } else {
    // MHD runs the URI callback before this one; kept for safety.
    state = RequestState()
    conCls.pointee = Unmanaged.passRetained(state).toOpaque()
  }
  if !state.began {
    state.began = true
    // Headers are in: from here the connection has the normal idle timeout.
    latchkey_mhd_set_connection_timeout(connection, UInt32(server.configuration.idleTimeoutSeconds))
    let opaque = Unmanaged.passUnretained(state).toOpaque()
    state.method = method.map { String(cString: $0) } ?? ""
    MHD_get_connection_values(connection, .HEADER_KIND, collectHeader, opaque)
    MHD_get_connection_values(connection, .GET_ARGUMENT_KIND, collectQuery, opaque)
    var address = [CChar](repeating: 0, count: 64)
    latchkey_mhd_client_address(connection, &address, address.count)
    state.peerAddress = address.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    state.requestID =
      acceptedRequestID(state.headers.first { $0.name == "x-request-id" }?.value) ?? server.nextRequestID()
    server.begin()
    var refusal: HTTPError?
    if requestLineHoldsNUL(method: method, url: url, version: version, rawTarget: state.rawTarget) {
      refusal = .badRequest("request line contains a NUL")
    } else {
      do {
        let target = try RequestTarget.parse(state.rawTarget)
        state.path = target.path
        state.pathSegments = target.segments
      } catch {
        refusal = error
      }
    }
    if state.path.isEmpty {
      // Logs and metrics show what was asked for, as far as it is safe text.
      state.path = String(decoding: state.rawTarget.prefix(256), as: UTF8.self)
    }
    if let refusal {
      state.bodyTooLarge = true
      let response = server.responder.finish(refusal.response, for: makeRequest(state))
      return queue(response, on: connection, state: state, server: server)
    }
    switch framing(of: state.headers) {
    case .refused(let error):
      // Answered before any body byte is read; MHD then closes the connection.
      state.bodyTooLarge = true
      let response = server.responder.finish(error.response, for: makeRequest(state))
      return queue(response, on: connection, state: state, server: server)
    case .length(let length) where length > server.configuration.maxBodyBytes:
      // A declared body over the limit is refused before it is read.
      state.bodyTooLarge = true
      let response = server.responder.finish(tooLarge.response, for: makeRequest(state))
      return queue(response, on: connection, state: state, server: server)
    default:
      return .YES
    }
  }

  if uploadDataSize.pointee > 0 {
    let size = uploadDataSize.pointee
    if state.bodyTooLarge {
      // MHD cannot answer before the body is complete, so an oversized
      // chunked body is read and dropped to give the client its 413. An
      // endless one would hold the connection forever: cut it off.
      state.discardedBytes += size
      if state.discardedBytes > discardLimit { return .NO }
    } else {
      if state.body.count + size > server.configuration.maxBodyBytes {
        state.bodyTooLarge = true
        state.discardedBytes = state.body.count + size
        state.body = []
      } else if let uploadData {
        uploadData.withMemoryRebound(to: UInt8.self, capacity: size) {
          state.body.append(contentsOf: UnsafeBufferPointer(start: $0, count: size))
        }
      }
    }
    uploadDataSize.pointee = 0
    return .YES
  }

  if let pending = state.pending {
    state.pending = nil
    server.unpark()
    return queue(pending, on: connection, state: state, server: server)
  }
  if state.dispatched { return .YES }

  let request = makeRequest(state)
  if state.bodyTooLarge {
    return queue(
      server.responder.finish(tooLarge.response, for: request), on: connection, state: state, server: server)
  }
  switch server.responder.plan(request) {
  case .answer(let response):
    return queue(response, on: connection, state: state, server: server)
  case .run(let route, let routed):
    state.route = route.pattern
    if route.execution.runsInline {
      return queue(server.responder.run(route, routed), on: connection, state: state, server: server)
    }
    guard server.park() else {
      // The daemon is about to stop: nothing may stay suspended.
      return queue(
        server.responder.finish(HTTPError.unavailable(retryAfter: 1, "shutting down").response, for: routed),
        on: connection, state: state, server: server)
    }
    state.dispatched = true
    MHD_suspend_connection(connection)
    let responder = server.responder
    nonisolated(unsafe) let suspended = connection
    let accepted = server.workers.submit {
      state.pending = responder.run(route, routed)
      MHD_resume_connection(suspended)
    }
    if !accepted {
      state.pending = responder.finish(
        HTTPError.unavailable(retryAfter: 1, "server is busy").response, for: routed)
      MHD_resume_connection(connection)
    }
    return .YES
  }
}

enum Framing {
  case none
  case chunked
  case length(Int)
  case refused(HTTPError)
}

/// How the body is delimited, refusing what a proxy in front could read
/// differently (request smuggling, RFC 9112 §6.1 and §6.3): several
/// Content-Length values, Content-Length with Transfer-Encoding, a coding
/// other than plain `chunked`, a header name that is not a token (such as
/// `Content-Length :`). MHD 0.9.75 accepts all of these.
func framing(of headers: [(name: String, value: String)]) -> Framing {
  var lengths: [Substring] = []
  var codings: [Substring] = []
  for (name, value) in headers {
    guard !name.isEmpty, name.utf8.allSatisfy(isTokenByte) else {
      return .refused(.badRequest("malformed header field name"))
    }
    if name == "content-length" {
      lengths.append(trimmedOWS(Substring(value)))
    } else if name == "transfer-encoding" {
      codings += value.split(separator: ",", omittingEmptySubsequences: false).map(trimmedOWS)
    }
  }
  if !codings.isEmpty {
    guard lengths.isEmpty else {
      return .refused(.badRequest("both Content-Length and Transfer-Encoding are present"))
    }
    guard codings.count == 1, codings[0].lowercased() == "chunked" else {
      return .refused(
        HTTPError(status: 501, code: "not_implemented", description: "unsupported Transfer-Encoding"))
    }
    return .chunked
  }
  guard let first = lengths.first else { return .none }
  guard !first.isEmpty, first.utf8.allSatisfy({ (48...57).contains($0) }), lengths.allSatisfy({ $0 == first })
  else { return .refused(.badRequest("invalid Content-Length")) }
  // Digits too many for an Int are simply too large.
  return .length(Int(first) ?? Int.max)
}

private func isTokenByte(_ byte: UInt8) -> Bool {
  switch byte {
  case 48...57, 65...90, 97...122: return true
  case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"),
    UInt8(ascii: "'"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."),
    UInt8(ascii: "^"), UInt8(ascii: "_"), UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"):
    return true
  default: return false
  }
}

private func trimmedOWS(_ text: Substring) -> Substring {
  var text = text
  while let first = text.first, first == " " || first == "\t" { text.removeFirst() }
  while let last = text.last, last == " " || last == "\t" { text.removeLast() }
  return text
}

/// How much of an oversized body is read (and dropped) before the
/// connection is closed instead of answered.
private let discardLimit = 1 << 20

private let tooLarge = HTTPError(
  status: 413, code: "payload_too_large", description: "request body exceeds 16 KiB")

private func latchkeyRequestCompleted(
  _ cls: UnsafeMutableRawPointer?, _ connection: OpaquePointer?,
  _ conCls: UnsafeMutablePointer<UnsafeMutableRawPointer?>?, _ code: MHD_RequestTerminationCode
) {
  guard let cls, let conCls, let raw = conCls.pointee else { return }
  conCls.pointee = nil
  let server = Unmanaged<HTTPServer>.fromOpaque(cls).takeUnretainedValue()
  let state = Unmanaged<RequestState>.fromOpaque(raw).takeRetainedValue()
  // MHD refused the request before its headers were complete (431 and
  // such): it never began, so there is nothing to count or record.
  guard state.began else { return }
  let seconds = Double(DispatchTime.now().uptimeNanoseconds - state.started) / 1e9
  server.observer?.requestCompleted(
    RequestRecord(
      method: state.method, path: state.path, route: state.route.isEmpty ? "unmatched" : state.route,
      status: state.status, seconds: seconds, requestID: state.requestID, peerAddress: state.peerAddress))
  server.end()
}

/// MHD's URI callback: runs once per request, on the raw target before MHD
/// cuts off the query and percent-decodes the path in place. Its result is
/// the request's `con_cls`.
private func latchkeyURIReceived(
  _ cls: UnsafeMutableRawPointer?, _ uri: UnsafePointer<CChar>?, _ connection: OpaquePointer?
) -> UnsafeMutableRawPointer? {
  let state = RequestState()
  if let uri {
    state.rawTarget = uri.withMemoryRebound(to: UInt8.self, capacity: strlen(uri) + 1) {
      Array(UnsafeBufferPointer(start: $0, count: strlen(uri)))
    }
  }
  return Unmanaged.passRetained(state).toOpaque()
}

/// True when the request line held a raw NUL, which MHD keeps but C strings
/// hide: the method, target and version all point into the one line, so a
/// gap between where a string ends and where the next one starts gives it
/// away (MHD only ends the method with a NUL and may skip extra spaces).
private func requestLineHoldsNUL(
  method: UnsafePointer<CChar>?, url: UnsafePointer<CChar>?, version: UnsafePointer<CChar>?,
  rawTarget: [UInt8]
) -> Bool {
  guard let method, let url else { return false }
  let methodStart = UInt(bitPattern: method)
  let urlStart = UInt(bitPattern: url)
  guard methodStart < urlStart, urlStart - methodStart < 1 << 20 else { return false }
  let methodLength = UInt(strlen(method))
  guard methodStart + methodLength < urlStart else { return true }
  // Between the method's end and the target: its NUL, then only spaces.
  var gap = UnsafeRawPointer(method).advanced(by: Int(methodLength) + 1)
  while UInt(bitPattern: gap) < urlStart {
    if gap.load(as: UInt8.self) != UInt8(ascii: " ") { return true }
    gap = gap.advanced(by: 1)
  }
  // The target ends one byte (its NUL) before the version begins.
  if let version, version.pointee != 0 {
    let versionStart = UInt(bitPattern: version)
    if versionStart > urlStart, versionStart - urlStart < 1 << 20 {
      return versionStart - urlStart - 1 != UInt(rawTarget.count)
    }
  }
  return false
}

private func latchkeyConnectionNotified(
  _ cls: UnsafeMutableRawPointer?, _ connection: OpaquePointer?,
  _ socketContext: UnsafeMutablePointer<UnsafeMutableRawPointer?>?, _ code: MHD_ConnectionNotificationCode
) {
  guard let cls, let connection else { return }
  let server = Unmanaged<HTTPServer>.fromOpaque(cls).takeUnretainedValue()
  let socket = latchkey_mhd_connection_fd(connection)
  guard socket >= 0 else { return }
  if code.rawValue == 0 {  // MHD_CONNECTION_NOTIFY_STARTED (the case does not import by name)
    // MHD calls this outside its connection lock, so the timeout may change here.
    let first = min(server.configuration.firstRequestTimeoutSeconds, server.configuration.idleTimeoutSeconds)
    latchkey_mhd_set_connection_timeout(connection, UInt32(max(1, first)))
    server.connectionOpened(socket)
  } else {
    server.connectionClosed(socket)
  }
}

/// MHD_RESPMEM_MUST_COPY: the case does not import by name from the fixed enum.
private let mustCopy = MHD_ResponseMemoryMode(rawValue: 2)!
