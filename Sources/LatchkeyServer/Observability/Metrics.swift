import FoundationEssentials
import LatchkeyDomain
import LatchkeyHTTP
import Synchronization

/// Prometheus text exposition (docs/operations.md#metrics). Series are keyed by
/// their raw label values; escaping and formatting happen only at scrape
/// time, so recording costs a lock and a hash lookup.
public final class Metrics: RequestObserver, EventCounter, Sendable {
  public typealias Gauge = (name: String, help: String, labels: [(String, String)], value: Double)

  private struct Series: Hashable {
    var name: String
    var labels: [String]  // alternating name, value
  }

  private struct Histogram {
    static let bounds: [Double] = [
      0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5,
    ]
    var buckets = [UInt64](repeating: 0, count: bounds.count)
    var sum: Double = 0
    var count: UInt64 = 0

    mutating func record(_ seconds: Double, bucket: Int?) {
      if let bucket { buckets[bucket] += 1 }
      sum += seconds
      count += 1
    }
  }

  /// One route's per-request series, found with one hash lookup of the
  /// route (this runs once per request on the HTTP threads): its latency
  /// histogram and its request counts by method and status, which are few
  /// (the methods are bounded, the statuses are the server's), so a scan
  /// finds one faster than hashing a key would.
  private struct RouteSeries {
    var latency = Histogram()
    var counts: [(method: String, status: Int, count: Double)] = []

    mutating func record(method: String, status: Int, seconds: Double, bucket: Int?) {
      latency.record(seconds, bucket: bucket)
      for index in counts.indices where counts[index].status == status && counts[index].method == method {
        counts[index].count += 1
        return
      }
      counts.append((method, status, 1))
    }
  }

  private struct State {
    var counters: [Series: Double] = [:]
    var histograms: [Series: Histogram] = [:]
    var gaugeSources: [@Sendable () -> [Gauge]] = []
    var routes: [String: RouteSeries] = [:]
  }

  private let state = Mutex(State())

  private static let help: [String: (type: String, text: String)] = [
    "latchkey_http_requests_total": ("counter", "HTTP requests by route, method and status"),
    "latchkey_http_request_duration_seconds": ("histogram", "HTTP request latency by route"),
    "latchkey_logins_total": ("counter", "Login attempts by result"),
    "latchkey_registrations_total": ("counter", "Registrations by result"),
    "latchkey_refreshes_total": ("counter", "Refresh attempts by result"),
    "latchkey_refresh_reuse_detected_total": ("counter", "Refresh token reuse detections (family revoked)"),
    "latchkey_revocations_total": ("counter", "Sessions revoked, by reason"),
    "latchkey_token_rejections_total": ("counter", "Access tokens rejected on /api, by reason"),
    "latchkey_client_authentications_total": (
      "counter", "OAuth client authentications by result (success, failure, throttled)"
    ),
    "latchkey_client_tokens_issued_total": ("counter", "Access tokens issued to OAuth clients"),
    "latchkey_client_tokens_revoked_total": ("counter", "OAuth client tokens revoked at /oauth/revoke"),
    "latchkey_clients_removed_total": ("counter", "OAuth clients removed (every token of theirs revoked)"),
  ]

  public init() {}

  public func increment(_ name: String, _ labels: [(String, String)] = [], by amount: Double = 1) {
    let key = Series(name: name, labels: labels.flatMap { [$0.0, $0.1] })
    state.withLock { $0.counters[key, default: 0] += amount }
  }

  public func observe(_ name: String, _ labels: [(String, String)], seconds: Double) {
    let key = Series(name: name, labels: labels.flatMap { [$0.0, $0.1] })
    let index = Histogram.bounds.firstIndex { seconds <= $0 }
    state.withLock { state in
      var histogram = state.histograms.removeValue(forKey: key) ?? Histogram()
      if let index { histogram.buckets[index] += 1 }
      histogram.sum += seconds
      histogram.count += 1
      state.histograms[key] = histogram
    }
  }

  public func addGauges(_ source: @escaping @Sendable () -> [Gauge]) {
    state.withLock { $0.gaugeSources.append(source) }
  }

  public func requestCompleted(_ record: RequestRecord) {
    // Clients choose the method token: only standard ones become labels,
    // so random methods cannot grow the series without bound. A switch, not
    // a Set: comparing a few short strings costs less than hashing one.
    let method: String
    switch record.method {
    case "GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS": method = record.method
    default: method = "other"
    }
    let index = Histogram.bounds.firstIndex { record.seconds <= $0 }
    state.withLock { state in
      // Mutated in place through the defaulted subscript: one hash lookup,
      // and the buckets array is never copied.
      state.routes[record.route, default: RouteSeries()].record(
        method: method, status: record.status, seconds: record.seconds, bucket: index)
    }
  }

  public func render() -> String {
    var (counters, histograms, routes, sources) = state.withLock {
      ($0.counters, $0.histograms, $0.routes, $0.gaugeSources)
    }
    for (route, series) in routes {
      for (method, status, value) in series.counts {
        counters[
          Series(
            name: "latchkey_http_requests_total",
            labels: ["route", route, "method", method, "status", String(status)]), default: 0] += value
      }
      histograms[Series(name: "latchkey_http_request_duration_seconds", labels: ["route", route])] =
        series.latency
    }
    var out = ""
    let names = Set(Self.help.keys).union(counters.keys.map(\.name)).union(histograms.keys.map(\.name))
      .sorted()
    for name in names {
      let (type, text) = Self.help[name] ?? ("counter", name)
      out += "# HELP \(name) \(text)\n# TYPE \(name) \(type)\n"
      if type == "histogram" {
        for (series, entry) in histograms.filter({ $0.key.name == name }).sorted(by: {
          $0.key.labels.lexicographicallyPrecedes($1.key.labels)
        }) {
          let labels = Self.render(series.labels)
          let prefix = labels.isEmpty ? "" : labels + ","
          var cumulative: UInt64 = 0
          for (index, bound) in Histogram.bounds.enumerated() {
            cumulative += entry.buckets[index]
            out += "\(name)_bucket{\(prefix)le=\"\(bound)\"} \(cumulative)\n"
          }
          out += "\(name)_bucket{\(prefix)le=\"+Inf\"} \(entry.count)\n"
          out += "\(name)_sum{\(labels)} \(entry.sum)\n\(name)_count{\(labels)} \(entry.count)\n"
        }
      } else {
        for (series, value) in counters.filter({ $0.key.name == name }).sorted(by: {
          $0.key.labels.lexicographicallyPrecedes($1.key.labels)
        }) {
          out += line(name, Self.render(series.labels), value)
        }
      }
    }
    var seen = Set<String>()
    for gauge in sources.flatMap({ $0() }) {
      if seen.insert(gauge.name).inserted {
        out += "# HELP \(gauge.name) \(gauge.help)\n# TYPE \(gauge.name) gauge\n"
      }
      out += line(gauge.name, Self.render(gauge.labels.flatMap { [$0.0, $0.1] }), gauge.value)
    }
    return out
  }

  private func line(_ name: String, _ labels: String, _ value: Double) -> String {
    labels.isEmpty ? "\(name) \(Self.format(value))\n" : "\(name){\(labels)} \(Self.format(value))\n"
  }

  private static func render(_ flat: [String]) -> String {
    stride(from: 0, to: flat.count - 1, by: 2).map { "\(flat[$0])=\"\(escape(flat[$0 + 1]))\"" }
      .joined(separator: ",")
  }

  private static func escape(_ value: String) -> String {
    var out = ""
    for character in value {
      switch character {
      case "\\": out += "\\\\"
      case "\"": out += "\\\""
      case "\n": out += "\\n"
      default: out.append(character)
      }
    }
    return out
  }

  private static func format(_ value: Double) -> String {
    value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
  }
}
