import Foundation
import LatchkeyTesting
import Testing

/// `/healthz`, `/readyz`, `/metrics` (docs/api.md#operations-routes).
@Suite("operations endpoints")
struct OperationsTests {
  @Test("/healthz and /readyz answer 200 while the database is up")
  func health() throws {
    try withServer { server in
      let client = server.client()
      let health = try client.request("GET", "/healthz")
      #expect(health.status == 200)
      #expect(health.json["status"] as? String == "ok")
      #expect(try client.request("GET", "/readyz").status == 200)
    }
  }

  @Test("/metrics exposes the documented series in Prometheus text format, and they count")
  func metrics() throws {
    try withServer(["LATCHKEY_REFRESH_REUSE_INTERVAL": "0"]) { server in
      let client = server.client()
      let email = uniqueEmail()
      let login = try client.signIn(email, register: true)
      #expect(try client.login(email, "wrong password!").status == 401)
      let next = try client.rotate(login.refresh)
      RefreshTests.expectRefused(try client.refresh(cookie: login.refresh))  // reuse
      #expect(try client.logout(cookie: next.refresh).status == 204)

      let response = try client.request("GET", "/metrics")
      #expect(response.status == 200)
      #expect(response.header("content-type")?.hasPrefix("text/plain") == true)
      let text = response.text
      for name in [
        "latchkey_http_requests_total", "latchkey_logins_total", "latchkey_refreshes_total",
        "latchkey_refresh_reuse_detected_total", "latchkey_revocations_total", "latchkey_db_pool_connections",
        "latchkey_http_request_duration_seconds_bucket",
      ] {
        #expect(text.contains("\n\(name)") || text.hasPrefix(name), "\(name) missing")
      }
      func value(_ prefix: String) -> Double? {
        text.split(separator: "\n").first { $0.hasPrefix(prefix) }.flatMap { line in
          line.split(separator: " ").last.flatMap { Double($0) }
        }
      }
      #expect(value("latchkey_refresh_reuse_detected_total") == 1)
      #expect(value(#"latchkey_logins_total{result="success"}"#) == 1)
      #expect(value(#"latchkey_logins_total{result="failure"}"#) == 1)
      #expect((value(#"latchkey_refreshes_total{result="success"}"#) ?? 0) >= 1)
      #expect(text.contains(#"route="/login""#))
      #expect(text.contains(#"status="200""#))
      // Never a token in the metrics.
      #expect(!text.contains(login.refresh))
      // Every non-comment line is "name{labels} value".
      for line in text.split(separator: "\n") where !line.hasPrefix("#") {
        #expect(line.split(separator: " ").count == 2, "\(line)")
        #expect(Double(line.split(separator: " ").last ?? "") != nil, "\(line)")
      }
    }
  }

  @Test("metrics label routes by pattern: ids and unknown paths do not grow the label set")
  func boundedLabels() throws {
    try withServer { server in
      let client = server.client()
      let tokens = try client.signIn(uniqueEmail(), register: true)
      var probes: [String] = []
      for _ in 0..<20 {
        let id = UUID().uuidString.lowercased()
        probes.append(id)
        _ = try client.request(
          "DELETE", "/api/sessions/\(id)", headers: [("Authorization", "Bearer \(tokens.access)")])
        _ = try client.request("GET", "/no-such-path-\(id)")
        _ = try client.request("POST", "/api/admin/users/\(id)/revoke")
      }
      let text = try client.request("GET", "/metrics").text
      for id in probes { #expect(!text.contains(id), "\(id) leaked into a label") }
      #expect(text.contains(#"route="/api/sessions/{id}""#))
      let requestSeries = text.split(separator: "\n").filter { $0.hasPrefix("latchkey_http_requests_total{") }
      #expect(requestSeries.count < 20, "\(requestSeries.count) request series")
    }
  }
}
