import LatchkeyDomain
import LatchkeyHTTP
import LatchkeyStore
import Testing

@testable import LatchkeyServer

@Suite struct MetricsTests {
  func record(_ method: String, _ route: String = "/healthz", status: Int = 200) -> RequestRecord {
    RequestRecord(
      method: method, path: route, route: route, status: status, seconds: 0.002, requestID: "r",
      peerAddress: "p")
  }

  @Test func clientChosenMethodsDoNotGrowTheSeries() {
    let metrics = Metrics()
    for index in 0..<100 { metrics.requestCompleted(record("X\(index)")) }
    metrics.requestCompleted(record("GET"))
    let series = metrics.render().split(separator: "\n").filter {
      $0.hasPrefix("latchkey_http_requests_total{")
    }
    #expect(series.count == 2)
    #expect(series.contains { $0.contains(#"method="other""#) && $0.hasSuffix(" 100") })
    #expect(series.contains { $0.contains(#"method="GET""#) && $0.hasSuffix(" 1") })
  }

  @Test func histogramIsCumulativeAndCountsEveryRequest() {
    let metrics = Metrics()
    metrics.requestCompleted(record("GET"))
    metrics.observe("latchkey_http_request_duration_seconds", [("route", "/x")], seconds: 10)
    let text = metrics.render()
    #expect(text.contains(#"latchkey_http_request_duration_seconds_bucket{route="/healthz",le="0.0025"} 1"#))
    #expect(text.contains(#"latchkey_http_request_duration_seconds_bucket{route="/healthz",le="0.001"} 0"#))
    #expect(text.contains(#"latchkey_http_request_duration_seconds_count{route="/healthz"} 1"#))
    #expect(text.contains(#"latchkey_http_request_duration_seconds_bucket{route="/x",le="+Inf"} 1"#))
  }

  @Test func labelValuesAreEscaped() {
    let metrics = Metrics()
    metrics.increment("latchkey_logins_total", [("result", "a\"b\\c\nd")])
    #expect(metrics.render().contains(#"latchkey_logins_total{result="a\"b\\c\nd"} 1"#))
  }
}
