import FoundationEssentials
import LatchkeyConcurrency
import LatchkeyHTTP
import LatchkeyJSON
import Synchronization

#if canImport(Glibc)
  import Glibc
#endif

/// How much a log line matters; lines below the logger's level are dropped.
public enum LogLevel: Int, Comparable, Sendable {
  case debug, info, warning, error

  public var name: String {
    switch self {
    case .debug: return "debug"
    case .info: return "info"
    case .warning: return "warn"
    case .error: return "error"
    }
  }

  public static func < (a: LogLevel, b: LogLevel) -> Bool { a.rawValue < b.rawValue }
}

/// Where finished log lines go (one JSON object and a newline each).
public protocol LogSink: Sendable {
  func write(_ line: [UInt8])
  func flush()
}

/// One JSON object per line, handed to an injected sink (stdout by
/// default). Callers pass only values that are safe to log: never a token,
/// password, cookie or secret. Metadata keys are dotted, as swift-log's.
public struct Logger: Sendable {
  public let sink: (any LogSink)?
  public let level: LogLevel

  public init(sink: (any LogSink)? = StandardOutputSink.shared, level: LogLevel = .info) {
    self.sink = sink
    self.level = level
  }

  /// A logger that writes nothing (tests, quiet tools).
  public static let disabled = Logger(sink: nil)

  public var enabled: Bool { sink != nil }

  public func log(_ level: LogLevel, _ message: String, _ metadata: KeyValuePairs<String, String> = [:]) {
    guard let sink, level >= self.level else { return }
    var line = LogLine()
    line.string("level", level.name)
    line.string("msg", message)
    for (key, value) in metadata { line.string(key, value) }
    sink.write(line.finished())
  }

  public func info(_ message: String, _ metadata: KeyValuePairs<String, String> = [:]) {
    log(.info, message, metadata)
  }

  public func warning(_ message: String, _ metadata: KeyValuePairs<String, String> = [:]) {
    log(.warning, message, metadata)
  }

  public func error(_ message: String, _ metadata: KeyValuePairs<String, String> = [:]) {
    log(.error, message, metadata)
  }

  public func flush() { sink?.flush() }
}

/// Builds a JSON log line in a byte buffer: the access log runs once per
/// request, so no Foundation formatting on this path.
struct LogLine {
  private var bytes: [UInt8]

  init() {
    bytes = []
    bytes.reserveCapacity(256)
    bytes.append(contentsOf: #"{"time":""#.utf8)
    Self.appendTimestamp(to: &bytes)
    bytes.append(UInt8(ascii: "\""))
  }

  mutating func string(_ key: String, _ value: String) {
    appendKey(key)
    JSONText.appendString(value, to: &bytes)
  }

  mutating func number(_ key: String, _ value: Int) {
    appendKey(key)
    numberValue(value)
  }

  /// A non-negative value with three decimals (milliseconds from seconds).
  mutating func milliseconds(_ key: String, seconds: Double) {
    appendKey(key)
    millisecondsValue(seconds: seconds)
  }

  private mutating func appendKey(_ key: String) {
    bytes.append(UInt8(ascii: ","))
    JSONText.appendString(key, to: &bytes)
    bytes.append(UInt8(ascii: ":"))
  }

  /// Bytes already in JSON form, such as `Fragment`'s: the access log's
  /// constant keys and values cost one copy instead of an escape scan each.
  mutating func raw(_ fragment: [UInt8]) {
    bytes.append(contentsOf: fragment)
  }

  /// A string value after a `raw` key.
  mutating func stringValue(_ value: String) {
    JSONText.appendString(value, to: &bytes)
  }

  mutating func numberValue(_ value: Int) {
    if value < 0 { bytes.append(UInt8(ascii: "-")) }
    appendDigits(value.magnitude, width: 1)
  }

  mutating func millisecondsValue(seconds: Double) {
    let micros = Int((max(0, seconds) * 1_000_000).rounded())
    appendDigits(UInt(micros / 1000), width: 1)
    bytes.append(UInt8(ascii: "."))
    appendDigits(UInt(micros % 1000), width: 3)
  }

  /// Decimal digits, zero-padded to `width`: what String(value) gave, without making a string.
  private mutating func appendDigits(_ value: UInt, width: Int) {
    var divisor: UInt = 1
    var digits = 1
    while digits < width || value / divisor >= 10 {
      divisor *= 10
      digits += 1
    }
    while digits > 0 {
      bytes.append(UInt8(ascii: "0") + UInt8(value / divisor % 10))
      divisor /= 10
      digits -= 1
    }
  }

  /// The finished line, newline included.
  mutating func finished() -> [UInt8] {
    bytes.append(contentsOf: "}\n".utf8)
    return bytes
  }

  /// RFC 3339 UTC with milliseconds, e.g. 2026-11-24T02:49:13.257Z. The
  /// date-and-seconds part is formatted once per second and reused.
  static func appendTimestamp(to out: inout [UInt8]) {
    var now = timespec()
    clock_gettime(CLOCK_REALTIME, &now)
    out.append(contentsOf: SecondStamp.shared.prefix(for: now.tv_sec))
    let millis = Int(now.tv_nsec / 1_000_000)
    out.append(UInt8(ascii: "0") + UInt8(millis / 100))
    out.append(UInt8(ascii: "0") + UInt8(millis / 10 % 10))
    out.append(UInt8(ascii: "0") + UInt8(millis % 10))
    out.append(UInt8(ascii: "Z"))
  }

  /// "YYYY-MM-DDTHH:MM:SS." for a unix second.
  static func formatSecond(_ second: Int) -> [UInt8] {
    var out: [UInt8] = []
    var parts = tm()
    var seconds = second
    gmtime_r(&seconds, &parts)
    func digits(_ value: Int, _ width: Int) {
      var divisor = 1
      for _ in 1..<width { divisor *= 10 }
      var rest = value
      while divisor > 0 {
        out.append(UInt8(ascii: "0") + UInt8(rest / divisor % 10))
        rest %= divisor
        divisor /= 10
      }
    }
    digits(Int(parts.tm_year) + 1900, 4)
    out.append(UInt8(ascii: "-"))
    digits(Int(parts.tm_mon) + 1, 2)
    out.append(UInt8(ascii: "-"))
    digits(Int(parts.tm_mday), 2)
    out.append(UInt8(ascii: "T"))
    digits(Int(parts.tm_hour), 2)
    out.append(UInt8(ascii: ":"))
    digits(Int(parts.tm_min), 2)
    out.append(UInt8(ascii: ":"))
    digits(Int(parts.tm_sec), 2)
    out.append(UInt8(ascii: "."))
    return out
  }
}

/// The formatted current second, shared by all threads.
final class SecondStamp: Sendable {
  static let shared = SecondStamp()
  private let state = Mutex<(second: Int, text: [UInt8])>((-1, []))

  func prefix(for second: Int) -> [UInt8] {
    state.withLock { state in
      if second != state.second { state = (second, LogLine.formatSecond(second)) }
      return state.text
    }
  }
}

/// Collects whole log lines and writes them to stdout in batches: a write(2)
/// per request would be a large share of a microsecond request's cost. A
/// background thread flushes every 100 ms, so a line is at most that late;
/// `flush()` at shutdown writes the rest. Lines never interleave, because
/// only whole lines are buffered and writes happen under the lock.
public final class StandardOutputSink: LogSink {
  public static let shared = StandardOutputSink()
  private let buffer: Mutex<[UInt8]>
  private static let limit = 32 * 1024

  private init() {
    var bytes: [UInt8] = []
    bytes.reserveCapacity(Self.limit + 4096)
    buffer = Mutex(bytes)
    NativeThread.start(name: "lk-log") { [self] in
      while true {
        usleep(100_000)
        flush()
      }
    }
  }

  public func write(_ line: [UInt8]) {
    buffer.withLock { buffer in
      buffer.append(contentsOf: line)
      if buffer.count >= Self.limit { Self.writeOut(&buffer) }
    }
  }

  public func flush() {
    buffer.withLock { Self.writeOut(&$0) }
  }

  private static func writeOut(_ buffer: inout [UInt8]) {
    guard !buffer.isEmpty else { return }
    buffer.withUnsafeBytes { raw in
      var offset = 0
      while offset < raw.count {
        let written = Glibc.write(1, raw.baseAddress! + offset, raw.count - offset)
        if written <= 0 { break }
        offset += written
      }
    }
    buffer.removeAll(keepingCapacity: true)
  }
}

/// The access log line and metrics for each finished request.
struct RequestLogObserver: RequestObserver {
  let logger: Logger
  let metrics: Metrics
  let accessLog: Bool

  func requestCompleted(_ record: RequestRecord) {
    metrics.requestCompleted(record)
    guard accessLog, let sink = logger.sink, logger.level <= .info else { return }
    // The same line as string("level", "info"), string("msg", "request"),
    // string("method", ...) and so on, with the keys written once here.
    var line = LogLine()
    line.raw(Fragment.method)
    line.stringValue(record.method)
    line.raw(Fragment.path)
    line.stringValue(record.path)
    line.raw(Fragment.route)
    line.stringValue(record.route)
    line.raw(Fragment.status)
    line.numberValue(record.status)
    line.raw(Fragment.duration)
    line.millisecondsValue(seconds: record.seconds)
    line.raw(Fragment.requestID)
    line.stringValue(record.requestID)
    line.raw(Fragment.peer)
    line.stringValue(record.peerAddress)
    sink.write(line.finished())
  }

  /// The access line's keys (and constant fields) as JSON text.
  private enum Fragment {
    static let method = Array(#","level":"info","msg":"request","method":"#.utf8)
    static let path = Array(#","path":"#.utf8)
    static let route = Array(#","route":"#.utf8)
    static let status = Array(#","status":"#.utf8)
    static let duration = Array(#","duration_ms":"#.utf8)
    static let requestID = Array(#","request_id":"#.utf8)
    static let peer = Array(#","peer":"#.utf8)
  }
}
