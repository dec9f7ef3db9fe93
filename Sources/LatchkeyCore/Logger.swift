import Foundation
import LatchkeyHTTP

#if canImport(Glibc)
  import Glibc
#endif

/// One JSON object per line on stdout. Callers pass only values that are
/// safe to log: never a token, password, cookie or secret.
public struct Logger: Sendable {
  public var enabled = true

  public init(enabled: Bool = true) {
    self.enabled = enabled
  }

  public func log(_ level: String, _ message: String, _ fields: [(String, String)] = []) {
    guard enabled else { return }
    var pairs: [(String, String)] = [("time", Self.timestamp()), ("level", level), ("msg", message)]
    pairs.append(contentsOf: fields)
    var line = JSONText.object(pairs)
    line.append(10)
    line.withUnsafeBytes { _ = write(1, $0.baseAddress, $0.count) }
  }

  static func timestamp() -> String {
    var tv = timeval()
    gettimeofday(&tv, nil)
    var tmValue = tm()
    var seconds = tv.tv_sec
    gmtime_r(&seconds, &tmValue)
    return String(
      format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tmValue.tm_year + 1900, tmValue.tm_mon + 1,
      tmValue.tm_mday,
      tmValue.tm_hour, tmValue.tm_min, tmValue.tm_sec, Int(tv.tv_usec / 1000))
  }
}

/// The access log line and metrics for each finished request.
struct RequestLogObserver: RequestObserver {
  let logger: Logger
  let metrics: Metrics
  let accessLog: Bool

  func requestCompleted(_ record: RequestRecord) {
    metrics.requestCompleted(record)
    guard accessLog else { return }
    logger.log(
      "info", "request",
      [
        ("method", record.method), ("path", record.path), ("route", record.route),
        ("status", String(record.status)),
        ("duration_ms", String(format: "%.3f", record.seconds * 1000)), ("request_id", record.requestID),
        ("peer", record.peerAddress),
      ])
  }
}
