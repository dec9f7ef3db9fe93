import CLatchkeyShims
import CMicroHTTPD
import Foundation

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
/// `Responder`. Handlers marked `.blocking` run on `WorkerPool` threads while
/// MHD keeps the connection suspended.
public final class HTTPServer: @unchecked Sendable {
  public let configuration: HTTPServerConfiguration
  let responder: Responder
  let observer: RequestObserver?
  public let workers: WorkerPool
  private var daemon: OpaquePointer?
  private let inFlight = NSCondition()
  private var inFlightCount = 0
  private var requestCounter = Atomic64()
  private let requestIDPrefix = String(UInt32.random(in: 0...UInt32.max), radix: 36)

  public init(configuration: HTTPServerConfiguration, responder: Responder, observer: RequestObserver? = nil)
  {
    self.configuration = configuration
    self.responder = responder
    self.observer = observer
    self.workers = WorkerPool(
      threads: configuration.workerThreads, queueLimit: configuration.workerQueueLimit)
  }

  /// The bound port (differs from the configured one when that was 0).
  public private(set) var port: UInt16 = 0

  public func start() throws(HTTPServerError) {
    var errorText: UnsafePointer<CChar>? = nil
    let me = Unmanaged.passUnretained(self).toOpaque()
    let started: OpaquePointer? = configuration.host.withCString { host in
      var config = latchkey_mhd_config(
        host: host, port: configuration.port,
        thread_pool_size: UInt32(max(1, configuration.pollThreads)),
        connection_limit: UInt32(configuration.maxConnections),
        connection_timeout_seconds: UInt32(configuration.idleTimeoutSeconds),
        connection_memory_limit: configuration.maxHeaderBytes,
        listen_backlog: 1024,
        handler: latchkeyAccessHandler, handler_cls: me,
        completed: latchkeyRequestCompleted, completed_cls: me)
      return latchkey_mhd_start(&config, &errorText)
    }
    guard let started else {
      throw .startFailed(errorText.map { String(cString: $0) } ?? "could not start")
    }
    daemon = started
    port = latchkey_mhd_bound_port(started)
  }

  /// Graceful stop: no new connections, in-flight requests finish (up to the
  /// drain timeout), then the daemon and the workers end.
  public func stop() {
    guard let daemon else { return }
    let listenSocket = MHD_quiesce_daemon(daemon)
    inFlight.lock()
    let deadline = Date().addingTimeInterval(configuration.drainTimeoutSeconds)
    while inFlightCount > 0 && inFlight.wait(until: deadline) {}
    inFlight.unlock()
    MHD_stop_daemon(daemon)
    if listenSocket >= 0 { close(listenSocket) }
    self.daemon = nil
    workers.shutdown()
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
}

/// Per-request state kept in MHD's `con_cls` between callbacks.
final class RequestState: @unchecked Sendable {
  let started = DispatchTime.now().uptimeNanoseconds
  var method = ""
  var path = ""
  var headers: [(name: String, value: String)] = []
  var query: [String: String] = [:]
  var body: [UInt8] = []
  var bodyTooLarge = false
  var peerAddress = ""
  var requestID = ""
  var route = ""
  var status = 0
  /// Set by a worker before it resumes the connection.
  var pending: Response?
  var dispatched = false
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

private func queue(_ response: Response, on connection: OpaquePointer?, state: RequestState) -> MHD_Result {
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

  guard let raw = conCls.pointee else {
    let state = RequestState()
    state.method = method.map { String(cString: $0) } ?? ""
    state.path = url.map { String(cString: $0) } ?? "/"
    let opaque = Unmanaged.passRetained(state).toOpaque()
    conCls.pointee = opaque
    MHD_get_connection_values(connection, .HEADER_KIND, collectHeader, opaque)
    MHD_get_connection_values(connection, .GET_ARGUMENT_KIND, collectQuery, opaque)
    var address = [CChar](repeating: 0, count: 64)
    latchkey_mhd_client_address(connection, &address, address.count)
    state.peerAddress = address.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    state.requestID =
      acceptedRequestID(state.headers.first { $0.name == "x-request-id" }?.value) ?? server.nextRequestID()
    server.begin()
    // A declared body over the limit is refused before it is read.
    if let length = state.headers.first(where: { $0.name == "content-length" }).flatMap({ Int($0.value) }),
      length > server.configuration.maxBodyBytes
    {
      state.bodyTooLarge = true
      let response = server.responder.finish(tooLarge.response, for: makeRequest(state))
      return queue(response, on: connection, state: state)
    }
    return .YES
  }
  let state = Unmanaged<RequestState>.fromOpaque(raw).takeUnretainedValue()

  if uploadDataSize.pointee > 0 {
    let size = uploadDataSize.pointee
    if !state.bodyTooLarge {
      if state.body.count + size > server.configuration.maxBodyBytes {
        state.bodyTooLarge = true
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
    return queue(pending, on: connection, state: state)
  }
  if state.dispatched { return .YES }

  let request = makeRequest(state)
  if state.bodyTooLarge {
    return queue(server.responder.finish(tooLarge.response, for: request), on: connection, state: state)
  }
  switch server.responder.plan(request) {
  case .answer(let response):
    return queue(response, on: connection, state: state)
  case .run(let route, let routed):
    state.route = route.pattern
    if route.execution == .inline {
      return queue(server.responder.run(route, routed), on: connection, state: state)
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
  let seconds = Double(DispatchTime.now().uptimeNanoseconds - state.started) / 1e9
  server.observer?.requestCompleted(
    RequestRecord(
      method: state.method, path: state.path, route: state.route.isEmpty ? "unmatched" : state.route,
      status: state.status, seconds: seconds, requestID: state.requestID, peerAddress: state.peerAddress))
  server.end()
}

/// MHD_RESPMEM_MUST_COPY: the case does not import by name from the fixed enum.
private let mustCopy = MHD_ResponseMemoryMode(rawValue: 2)!
