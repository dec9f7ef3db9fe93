import Foundation
import LatchkeyHTTP

/// Prometheus text exposition for the SPEC §8 series. Counters are keyed by
/// their full label set; a lock per registry is cheap next to a request.
public final class Metrics: RequestObserver, @unchecked Sendable {
  private let lock = NSLock()
  private var counters: [String: [String: Double]] = [:]
  private var histograms: [String: Histogram] = [:]
  private let help: [String: (type: String, text: String)] = [
    "latchkey_http_requests_total": ("counter", "HTTP requests by route, method and status"),
    "latchkey_http_request_duration_seconds": ("histogram", "HTTP request latency by route"),
    "latchkey_logins_total": ("counter", "Login attempts by result"),
    "latchkey_registrations_total": ("counter", "Registrations by result"),
    "latchkey_refreshes_total": ("counter", "Refresh attempts by result"),
    "latchkey_refresh_reuse_detected_total": ("counter", "Refresh token reuse detections (family revoked)"),
    "latchkey_revocations_total": ("counter", "Sessions revoked, by reason"),
    "latchkey_token_rejections_total": ("counter", "Access tokens rejected on /api, by reason"),
  ]
  /// Gauges sampled at scrape time (pool use and the like).
  private var gaugeSources: [@Sendable () -> [(name: String, help: String, labels: String, value: Double)]] =
    []

  struct Histogram {
    static let bounds: [Double] = [
      0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5,
    ]
    var series: [String: (buckets: [UInt64], sum: Double, count: UInt64)] = [:]
  }

  public init() {}

  public func increment(_ name: String, _ labels: [(String, String)] = [], by amount: Double = 1) {
    let key = Self.render(labels)
    lock.lock()
    counters[name, default: [:]][key, default: 0] += amount
    lock.unlock()
  }

  public func observe(_ name: String, _ labels: [(String, String)], seconds: Double) {
    let key = Self.render(labels)
    lock.lock()
    var histogram = histograms[name] ?? Histogram()
    var entry = histogram.series[key] ?? (Array(repeating: 0, count: Histogram.bounds.count), 0, 0)
    if let index = Histogram.bounds.firstIndex(where: { seconds <= $0 }) { entry.buckets[index] += 1 }
    entry.sum += seconds
    entry.count += 1
    histogram.series[key] = entry
    histograms[name] = histogram
    lock.unlock()
  }

  public func addGauges(
    _ source: @escaping @Sendable () -> [(name: String, help: String, labels: String, value: Double)]
  ) {
    lock.lock()
    gaugeSources.append(source)
    lock.unlock()
  }

  public func requestCompleted(_ record: RequestRecord) {
    increment(
      "latchkey_http_requests_total",
      [("route", record.route), ("method", record.method), ("status", String(record.status))])
    observe("latchkey_http_request_duration_seconds", [("route", record.route)], seconds: record.seconds)
  }

  public func value(_ name: String, _ labels: [(String, String)] = []) -> Double {
    lock.lock()
    defer { lock.unlock() }
    return counters[name]?[Self.render(labels)] ?? 0
  }

  public func render() -> String {
    lock.lock()
    let counters = self.counters
    let histograms = self.histograms
    let sources = gaugeSources
    lock.unlock()
    var out = ""
    for name in Set(help.keys).union(counters.keys).sorted() {
      let (type, text) = help[name] ?? ("counter", name)
      out += "# HELP \(name) \(text)\n# TYPE \(name) \(type)\n"
      if type == "histogram", let histogram = histograms[name] {
        for (labels, entry) in histogram.series.sorted(by: { $0.key < $1.key }) {
          var cumulative: UInt64 = 0
          let prefix = labels.isEmpty ? "" : labels + ","
          for (index, bound) in Histogram.bounds.enumerated() {
            cumulative += entry.buckets[index]
            out += "\(name)_bucket{\(prefix)le=\"\(bound)\"} \(cumulative)\n"
          }
          out += "\(name)_bucket{\(prefix)le=\"+Inf\"} \(entry.count)\n"
          out += "\(name)_sum{\(labels)} \(entry.sum)\n\(name)_count{\(labels)} \(entry.count)\n"
        }
      } else if let series = counters[name] {
        for (labels, value) in series.sorted(by: { $0.key < $1.key }) {
          out +=
            labels.isEmpty ? "\(name) \(Self.format(value))\n" : "\(name){\(labels)} \(Self.format(value))\n"
        }
      }
    }
    var seen = Set<String>()
    for gauge in sources.flatMap({ $0() }) {
      if seen.insert(gauge.name).inserted {
        out += "# HELP \(gauge.name) \(gauge.help)\n# TYPE \(gauge.name) gauge\n"
      }
      out +=
        gauge.labels.isEmpty
        ? "\(gauge.name) \(Self.format(gauge.value))\n"
        : "\(gauge.name){\(gauge.labels)} \(Self.format(gauge.value))\n"
    }
    return out
  }

  private static func render(_ labels: [(String, String)]) -> String {
    labels.map { "\($0.0)=\"\(escape($0.1))\"" }.joined(separator: ",")
  }

  private static func escape(_ value: String) -> String {
    value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
      .replacingOccurrences(of: "\n", with: "\\n")
  }

  private static func format(_ value: Double) -> String {
    value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
  }
}
