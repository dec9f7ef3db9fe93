import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// What the refresh benchmark reads from a response: the status and the headers.
struct BenchResponse {
  var status: Int
  var headers: [(name: String, value: String)]

  func header(_ name: String) -> String? {
    headers.first { $0.name.lowercased() == name }?.value
  }
}

enum BenchHTTPError: Error {
  case connect(Int32)
  case closed
  case malformed
}

/// One keep-alive HTTP/1.1 connection to 127.0.0.1, requests sent one after another. Only as much
/// HTTP as Latchkey's responses need (Content-Length bodies); a failure ends the session's run, so
/// there is no reconnect.
final class BenchHTTPClient {
  private let fd: Int32
  private let port: UInt16
  private var buffer: [UInt8] = []

  init(port: UInt16, timeoutSeconds: Int = 15) throws {
    self.port = port
    fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw BenchHTTPError.connect(errno) }
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
      throw BenchHTTPError.connect(code)
    }
    var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    var noDelay: Int32 = 1
    setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &noDelay, socklen_t(MemoryLayout<Int32>.size))
  }

  deinit { close(fd) }

  /// A request without a body (Content-Length: 0).
  func request(_ method: String, _ path: String, headers: [(String, String)]) throws -> BenchResponse {
    var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nContent-Length: 0\r\n"
    for (name, value) in headers { head += "\(name): \(value)\r\n" }
    head += "\r\n"
    try send(Array(head.utf8))
    return try readResponse()
  }

  private func send(_ bytes: [UInt8]) throws {
    var offset = 0
    while offset < bytes.count {
      let sent = bytes[offset...].withUnsafeBytes {
        Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
      }
      guard sent > 0 else { throw BenchHTTPError.closed }
      offset += sent
    }
  }

  private func fill() throws {
    var chunk = [UInt8](repeating: 0, count: 16384)
    let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
    guard count > 0 else { throw BenchHTTPError.closed }
    buffer.append(contentsOf: chunk[0..<count])
  }

  private func readResponse() throws -> BenchResponse {
    let separator: [UInt8] = [13, 10, 13, 10]
    var headerEnd = buffer.firstRange(of: separator)
    while headerEnd == nil {
      try fill()
      headerEnd = buffer.firstRange(of: separator)
    }
    let end = headerEnd!.lowerBound
    var lines = String(decoding: buffer[0..<end], as: UTF8.self).components(separatedBy: "\r\n")
    buffer.removeFirst(end + separator.count)
    let statusLine = lines.removeFirst().split(separator: " ")
    guard statusLine.count >= 2, let status = Int(statusLine[1]) else { throw BenchHTTPError.malformed }
    let headers = lines.compactMap { line -> (name: String, value: String)? in
      guard let colon = line.firstIndex(of: ":") else { return nil }
      return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
    }
    let response = BenchResponse(status: status, headers: headers)
    let length = response.header("content-length").flatMap(Int.init) ?? 0
    while buffer.count < length { try fill() }
    buffer.removeFirst(length)
    return response
  }
}
