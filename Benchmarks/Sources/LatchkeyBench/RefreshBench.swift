import Foundation

/// `latchkey-bench refresh PORT COOKIE_NAME COOKIES_FILE SECONDS`: one
/// keep-alive connection per session (one refresh token per line), each
/// presenting its newest token, sequentially, for SECONDS. wrk's Lua cannot
/// tie a response's cookie to the next request of the same session, so this
/// client does it.
struct RefreshBench {
  let port: UInt16
  let cookieName: String
  let tokens: [String]
  let seconds: Double

  func run() {
    final class Results: @unchecked Sendable {
      let lock = NSLock()
      var latencies: [Double] = []
      var failures = 0
    }
    let results = Results()
    let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(seconds * 1e9)
    let started = DispatchTime.now().uptimeNanoseconds
    // One thread per session (concurrentPerform would cap at the core count).
    let group = DispatchGroup()
    for index in tokens.indices {
      group.enter()
      Thread {
        defer { group.leave() }
        guard let client = try? BenchHTTPClient(port: port) else {
          results.lock.lock()
          results.failures += 1
          results.lock.unlock()
          return
        }
        var token = tokens[index]
        var mine: [Double] = []
        var failed = 0
        while DispatchTime.now().uptimeNanoseconds < deadline {
          let begin = DispatchTime.now().uptimeNanoseconds
          guard
            let response = try? client.request(
              "POST", "/refresh", headers: [("Cookie", "\(cookieName)=\(token)")]),
            response.status == 200,
            let cookie = response.header("set-cookie"),
            let value = cookie.split(separator: ";").first?.split(separator: "=", maxSplits: 1).last
          else {
            failed += 1
            break
          }
          mine.append(Double(DispatchTime.now().uptimeNanoseconds - begin) / 1e9)
          token = String(value)
        }
        results.lock.lock()
        results.latencies += mine
        results.failures += failed
        results.lock.unlock()
      }.start()
    }
    group.wait()
    var latencies = results.latencies
    let failures = results.failures
    let elapsed = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
    latencies.sort()
    let p99 = latencies.isEmpty ? 0 : latencies[min(latencies.count - 1, Int(Double(latencies.count) * 0.99))]
    let rate = Double(latencies.count) / elapsed
    print(
      "refresh: \(latencies.count) rotations in \(String(format: "%.1f", elapsed)) s over \(tokens.count) sessions"
    )
    print(
      "{\"bench\":\"refresh\",\"rps\":\(String(format: "%.1f", rate)),\"p99_ms\":\(String(format: "%.2f", p99 * 1000)),"
        + "\"count\":\(latencies.count),\"failures\":\(failures)}")
  }
}
