import CLatchkeyShims
import CMicroHTTPD
import Dispatch
import FoundationEssentials

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

// The C side of `HTTPServer`: libmicrohttpd's callbacks and the per-request
// state they share. Everything here runs on MHD's poll threads, except a
// worker's handoff of a finished response (see `RequestState.pending`).

extension HTTPServer {
  /// Starts the daemon with this server's limits and the callbacks below;
  /// `context` (the retained server) is what every callback receives.
  func startDaemon(context: UnsafeMutableRawPointer, errorText: inout UnsafePointer<CChar>?) -> OpaquePointer?
  {
    var config = latchkey_mhd_config(
      thread_pool_size: UInt32(max(1, configuration.pollThreads)),
      connection_limit: UInt32(configuration.maxConnections),
      connection_timeout_seconds: UInt32(configuration.idleTimeoutSeconds),
      connection_memory_limit: configuration.maxHeaderBytes,
      handler: latchkeyAccessHandler, handler_cls: context,
      completed: latchkeyRequestCompleted, completed_cls: context,
      uri_log: latchkeyURIReceived, uri_log_cls: context,
      notify_connection: latchkeyConnectionNotified, notify_connection_cls: context)
    return latchkey_mhd_start(&config, &errorText)
  }
}

/// Per-request state kept in MHD's `con_cls` between callbacks.
///
/// `@unchecked Sendable`: MHD calls back for one connection on one poll
/// thread at a time, so the fields are never touched concurrently; the one
/// crossing is a `.blocking` request, whose worker writes `pending` while
/// the connection is suspended (no MHD callback for it can run), and
/// MHD_resume_connection orders that write before the next callback.
final class RequestState: @unchecked Sendable {
  let started = DispatchTime.now().uptimeNanoseconds
  /// The request target exactly as received, up to a NUL if it holds one.
  var rawTarget: [UInt8] = []
  /// Where MHD's line buffer held it: the pointer checks in
  /// `requestLineHoldsNUL` only run when the handler's `url` is this very
  /// address (MHD passes a static "" when there was no target).
  var rawTargetAddress: UInt = 0
  /// Set on the access handler's first call (headers complete).
  var began = false
  var method = ""
  var path = ""
  var pathSegments: [String] = []
  /// Room for a typical request's headers from the start, not grown 1, 2, 4, 8 (and checked for
  /// room on each header).
  var headers: [(name: String, value: String)] = {
    var headers: [(name: String, value: String)] = []
    headers.reserveCapacity(8)
    return headers
  }()
  /// Some header could change how the body is framed or be refused by
  /// `framing(of:)` (a name that is not a token, Content-Length,
  /// Transfer-Encoding); without one the answer is `.none` unasked.
  var framingHeaders = false
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

private func collectHeader(
  _ cls: UnsafeMutableRawPointer?, _ kind: MHD_ValueKind, _ key: UnsafePointer<CChar>?,
  _ value: UnsafePointer<CChar>?
) -> MHD_Result {
  guard let cls, let key else { return .YES }
  let state = Unmanaged<RequestState>.fromOpaque(cls).takeUnretainedValue()
  let (name, isToken) = lowercasedName(key)
  // By length first: almost every name is settled without comparing bytes.
  let count = name.utf8.count
  if !isToken || (count == 14 && name == "content-length") || (count == 17 && name == "transfer-encoding") {
    state.framingHeaders = true
  }
  state.headers.append((name, value.map { String(cString: $0) } ?? ""))
  return .YES
}

/// The header name with ASCII letters lower-cased, in one pass and one
/// allocation (`String.lowercased()` costs a Unicode-aware second copy).
/// Other bytes are kept as sent, so only a real ASCII `Cookie` is `cookie`.
/// `isToken`: non-empty and only token bytes, as `framing(of:)` requires.
private func lowercasedName(_ key: UnsafePointer<CChar>) -> (name: String, isToken: Bool) {
  let length = strlen(key)
  return key.withMemoryRebound(to: UInt8.self, capacity: length) { bytes in
    let name = UnsafeBufferPointer(start: bytes, count: length)
    let table = tokenBytes  // once, not a lazy global's check per byte
    let isToken = length > 0 && name.allSatisfy { table[Int($0)] }
    guard name.contains(where: { $0 >= 0x41 && $0 <= 0x5A }) else {
      return (String(decoding: name, as: UTF8.self), isToken)
    }
    let lowered = String(unsafeUninitializedCapacity: length) { buffer in
      for index in 0..<length { buffer[index] = ASCIICase.lower(name[index]) }
      return length
    }
    return (lowered, isToken)
  }
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
    // withCString, not the implicit String-to-pointer conversion: that one
    // copied each string into a new array (~3,500 instructions a response);
    // a native string is already NUL-terminated UTF-8 and lends its bytes.
    _ = name.withCString { name in
      value.withCString { value in MHD_add_response_header(mhdResponse, name, value) }
    }
  }
  let result = MHD_queue_response(connection, UInt32(response.status), mhdResponse)
  MHD_destroy_response(mhdResponse)
  return result
}

private func makeRequest(_ state: RequestState) -> Request {
  // Built in one go (no var mutated afterwards), so the value is not copied on its way out.
  let rawQuery = state.rawTarget.firstIndex(of: UInt8(ascii: "?")).map {
    String(decoding: state.rawTarget[($0 + 1)...], as: UTF8.self)
  }
  return Request(
    method: state.method, path: state.path, segments: state.pathSegments, query: state.query,
    rawQuery: rawQuery ?? "", lowercasedHeaders: state.headers, body: state.body,
    peerAddress: state.peerAddress, requestID: state.requestID)
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
    // Arguments come only from a query string: without a `?` there are none to visit.
    if state.rawTarget.contains(UInt8(ascii: "?")) {
      MHD_get_connection_values(connection, .GET_ARGUMENT_KIND, collectQuery, opaque)
    }
    state.peerAddress = withUnsafeTemporaryAllocation(of: CChar.self, capacity: 64) { address in
      address[0] = 0
      latchkey_mhd_client_address(connection, address.baseAddress, address.count)
      return String(cString: address.baseAddress!)
    }
    state.requestID =
      RequestID.accepted(state.headers.first { $0.name == "x-request-id" }?.value) ?? server.nextRequestID()
    server.requestBegan()
    var refusal: HTTPError?
    if requestLineHoldsNUL(method: method, url: url, version: version, state: state) {
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
    switch state.framingHeaders ? framing(of: state.headers) : Framing.none {
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
    // MHD_resume_connection is meant to be called from another thread, and
    // the connection stays valid while suspended (the drain waits for it).
    nonisolated(unsafe) let suspended = connection
    let pool = route.execution.isSlow ? server.slowWorkers : server.workers
    let accepted = pool.submit {
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
  server.requestEnded()
}

/// MHD's URI callback: runs once per request, on the raw target before MHD
/// cuts off the query and percent-decodes the path in place. Its result is
/// the request's `con_cls`.
private func latchkeyURIReceived(
  _ cls: UnsafeMutableRawPointer?, _ uri: UnsafePointer<CChar>?, _ connection: OpaquePointer?
) -> UnsafeMutableRawPointer? {
  let state = RequestState()
  if let uri {
    state.rawTargetAddress = UInt(bitPattern: uri)
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
  state: RequestState
) -> Bool {
  guard let method, let url, state.rawTargetAddress != 0, UInt(bitPattern: url) == state.rawTargetAddress
  else { return false }
  let methodStart = UInt(bitPattern: method)
  let urlStart = UInt(bitPattern: url)
  guard methodStart < urlStart, urlStart - methodStart < 1 << 16 else { return false }
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
      return versionStart - urlStart - 1 != UInt(state.rawTarget.count)
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

/// `isTokenByte` as a table: the check runs over every header name's bytes.
private let tokenBytes: [Bool] = (0...255).map { isTokenByte(UInt8($0)) }

/// MHD_RESPMEM_MUST_COPY: the case does not import by name from the fixed enum.
private let mustCopy = MHD_ResponseMemoryMode(rawValue: 2)!
