import Synchronization
import Testing

@testable import LatchkeyHTTP
@testable import LatchkeyServer

/// The access log line is written from constant fragments and hand-made digits: it must be the
/// very line the generic `LogLine` calls make.
@Suite struct AccessLogLineTests {
  final class Capture: LogSink {
    let lines = Mutex<[[UInt8]]>([])
    func write(_ line: [UInt8]) { lines.withLock { $0.append(line) } }
    func flush() {}
  }

  /// The line without its `time` field (which moves between the two calls).
  static func untimed(_ line: [UInt8]) -> String {
    let text = String(decoding: line, as: UTF8.self)
    guard let comma = text.firstIndex(of: ",") else { return text }
    return "{" + text[text.index(after: comma)...]
  }

  @Test(arguments: [
    ("GET", "/api/me", "/api/me", 200, 0.000_123, "1z141z3-a", "127.0.0.1"),
    ("POST", "/a \"quoted\"\n", "unmatched", 404, 12.5, "x_y.z-", "::1"),
    ("BREW", "/", "/", 599, 0, "", ""),
    ("GET", "/caf\u{E9}", "unmatched", 400, 1234.000_4, "id", "10.0.0.255"),
  ])
  func sameAsTheGenericLine(
    _ method: String, _ path: String, _ route: String, _ status: Int, _ seconds: Double, _ id: String,
    _ peer: String
  ) {
    let capture = Capture()
    let observer = RequestLogObserver(
      logger: Logger(sink: capture, level: .info), metrics: Metrics(), accessLog: true)
    observer.requestCompleted(
      RequestRecord(
        method: method, path: path, route: route, status: status, seconds: seconds, requestID: id,
        peerAddress: peer))
    var line = LogLine()
    line.string("level", "info")
    line.string("msg", "request")
    line.string("method", method)
    line.string("path", path)
    line.string("route", route)
    line.number("status", status)
    line.milliseconds("duration_ms", seconds: seconds)
    line.string("request_id", id)
    line.string("peer", peer)
    let written = capture.lines.withLock { $0 }
    #expect(written.count == 1)
    #expect(written.map(Self.untimed) == [Self.untimed(line.finished())])
  }

  @Test func numbersAsStringWroteThem() {
    for value in [0, 1, 9, 10, 99, 100, 101, 999, 1000, 65_535, -1, -10, Int.max, Int.min, 200, 404] {
      var line = LogLine()
      line.number("n", value)
      #expect(Self.untimed(line.finished()) == "{\"n\":\(value)}\n")
    }
    for (seconds, text) in [
      (0.0, "0.000"), (0.000_001, "0.001"), (0.000_999_4, "0.999"), (0.001, "1.000"), (0.012_345, "12.345"),
      (1.5, "1500.000"), (-3.0, "0.000"), (0.000_000_4, "0.000"), (123.456_789, "123456.789"),
    ] {
      var line = LogLine()
      line.milliseconds("d", seconds: seconds)
      #expect(Self.untimed(line.finished()) == "{\"d\":\(text)}\n", "\(seconds)")
    }
  }
}
