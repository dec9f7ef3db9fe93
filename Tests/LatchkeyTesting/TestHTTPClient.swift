import Foundation
import LatchkeyHTTP

#if canImport(Glibc)
  import Glibc
#endif

public struct TestResponse: Sendable {
  public var status: Int
  public var headers: [(name: String, value: String)]
  public var body: [UInt8]

  public func header(_ name: String) -> String? {
    headers.first { $0.name.lowercased() == name.lowercased() }?.value
  }

  public func headers(named name: String) -> [String] {
    headers.filter { $0.name.lowercased() == name.lowercased() }.map(\.value)
  }

  public var text: String { String(decoding: body, as: UTF8.self) }

  /// The body as a JSON object (empty when it is not one).
  public var json: [String: Any] {
    (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] ?? [:]
  }

  public var errorCode: String? { json["error"] as? String }
}

public enum TestHTTPError: Error {
  case connect(Int32)
  case closed
  case malformed(String)
}

/// A deliberately small HTTP/1.1 client, so tests control every header. It
/// drives either a live server over a raw socket (keep-alive included: one
/// socket, several requests) or a `Responder` in-process, without a socket,
/// as HummingbirdTesting does: one client API for both, so a suite can run
/// the same requests through the router alone and through the whole stack.
public final class TestHTTPClient {
  public let port: UInt16
  /// Set for an in-process client: requests go to the responder directly.
  public let responder: Responder?
  private var fd: Int32 = -1
  private var buffer: [UInt8] = []
  /// How many TCP connections this client opened (keep-alive checks).
  public private(set) var connectionsOpened = 0
  public var timeoutSeconds = 15

  public init(port: UInt16) {
    self.port = port
    self.responder = nil
  }

  /// A client that hands each request to `responder` on the calling
  /// thread: routing, middleware, handlers and error mapping, no MHD.
  public init(responder: Responder) {
    self.port = 0
    self.responder = responder
  }

  deinit { disconnect() }

  public func disconnect() {
    if fd >= 0 { close(fd) }
    fd = -1
    buffer = []
  }

  private func connectIfNeeded() throws {
    guard fd < 0 else { return }
    let socketFD = try LoopbackSocket.connect(port: port, receiveTimeoutSeconds: timeoutSeconds)
    fd = socketFD
    connectionsOpened += 1
  }

  /// Sends raw bytes (for malformed-request tests) on the current connection.
  public func sendRaw(_ bytes: [UInt8]) throws {
    try connectIfNeeded()
    var offset = 0
    while offset < bytes.count {
      let sent = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
      guard sent > 0 else { throw TestHTTPError.closed }
      offset += sent
    }
  }

  public func request(
    _ method: String, _ path: String, headers: [(String, String)] = [], body: [UInt8]? = nil
  ) throws -> TestResponse {
    if let responder { return try Self.respond(responder, method, path, headers: headers, body: body) }
    var lines = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\n"
    for (name, value) in headers { lines += "\(name): \(value)\r\n" }
    if let body { lines += "Content-Length: \(body.count)\r\n" }
    lines += "\r\n"
    var bytes = Array(lines.utf8)
    if let body { bytes += body }
    do {
      try sendRaw(bytes)
      return try readResponse(method: method)
    } catch TestHTTPError.closed where connectionsOpened > 0 {
      // The server closed an idle keep-alive connection: retry once on a new one.
      disconnect()
      try sendRaw(bytes)
      return try readResponse(method: method)
    }
  }

  /// What the server's C bridge does before the responder: split the
  /// target, decode the query, lower-case header names.
  static func respond(
    _ responder: Responder, _ method: String, _ target: String, headers: [(String, String)], body: [UInt8]?
  ) throws -> TestResponse {
    var query: [String: String] = [:]
    if let mark = target.firstIndex(of: "?") {
      for pair in target[target.index(after: mark)...].split(separator: "&") {
        let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
        let decode = { (text: Substring) in
          text.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(text)
        }
        let name = decode(parts[0])
        if query[name] == nil { query[name] = parts.count > 1 ? decode(parts[1]) : "" }
      }
    }
    let parsed: RequestTarget
    do {
      parsed = try RequestTarget.parse(Array(target.utf8))
    } catch {
      let response = responder.finish(error.response, for: Request(method: method, path: "/"))
      return TestResponse(status: response.status, headers: response.headers, body: response.body)
    }
    var all = [("host", "127.0.0.1")] + headers
    if let body { all.append(("content-length", String(body.count))) }
    let sent = all.first { $0.0.lowercased() == "x-request-id" }?.1
    var request = Request(
      method: method, path: parsed.path, query: query, headers: all.map { (name: $0.0, value: $0.1) },
      body: body ?? [], requestID: RequestID.accepted(sent) ?? "in-process-" + UUID().uuidString.prefix(8))
    request.pathSegments = parsed.segments
    if let mark = target.firstIndex(of: "?") {
      request.rawQuery = String(target[target.index(after: mark)...])
    }
    let response = responder.respond(to: request)
    let bytes = method == "HEAD" ? [] : response.body
    return TestResponse(status: response.status, headers: response.headers, body: bytes)
  }

  public func json(
    _ method: String, _ path: String, _ object: Any, headers: [(String, String)] = []
  ) throws -> TestResponse {
    let data = try JSONSerialization.data(withJSONObject: object)
    return try request(
      method, path, headers: [("Content-Type", "application/json")] + headers, body: [UInt8](data))
  }

  private func fill() throws {
    var chunk = [UInt8](repeating: 0, count: 65536)
    let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
    guard count > 0 else { throw TestHTTPError.closed }
    buffer.append(contentsOf: chunk[0..<count])
  }

  public func readResponse(method: String = "GET") throws -> TestResponse {
    let separator: [UInt8] = [13, 10, 13, 10]
    var headerEnd: Int? = nil
    while headerEnd == nil {
      if let range = buffer.firstRange(of: separator) {
        headerEnd = range.lowerBound
      } else {
        try fill()
      }
    }
    let head = String(decoding: buffer[0..<headerEnd!], as: UTF8.self)
    buffer.removeFirst(headerEnd! + 4)
    var lines = head.components(separatedBy: "\r\n")
    let statusLine = lines.removeFirst().split(separator: " ")
    guard statusLine.count >= 2, let status = Int(statusLine[1]) else { throw TestHTTPError.malformed(head) }
    let headers = lines.compactMap { line -> (String, String)? in
      guard let colon = line.firstIndex(of: ":") else { return nil }
      return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
    }
    let response = TestResponse(status: status, headers: headers.map { (name: $0.0, value: $0.1) }, body: [])
    var body: [UInt8] = []
    if method != "HEAD" && status != 204 && status != 304 {
      if let length = response.header("content-length").flatMap(Int.init) {
        while buffer.count < length { try fill() }
        body = Array(buffer[0..<length])
        buffer.removeFirst(length)
      } else if response.header("connection")?.lowercased() == "close" {
        while (try? fill()) != nil {}
        body = buffer
        buffer = []
      }
    }
    if response.header("connection")?.lowercased() == "close" { disconnect() }
    return TestResponse(status: status, headers: response.headers, body: body)
  }
}

/// A connected loopback TCP socket with a receive timeout; the caller owns
/// (and closes) the descriptor. Nothing is left open when it throws.
public enum LoopbackSocket {
  public static func connect(port: UInt16, receiveTimeoutSeconds: Int) throws -> Int32 {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = port.bigEndian
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let result = withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
      }
    }
    guard result == 0 else {
      let code = errno
      close(fd)
      throw TestHTTPError.connect(code)
    }
    var tv = timeval(tv_sec: receiveTimeoutSeconds, tv_usec: 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    return fd
  }
}
