import Foundation
import LatchkeyPostgres
import Synchronization

/// A throwaway database per test, so tests run in parallel and leave nothing behind. A missing
/// server fails the test: these tests are the adapter's contract with PostgreSQL.
enum TestDatabase {
  static let defaultURL = "postgres://latchkey@127.0.0.1:55432/latchkey?sslmode=disable"

  static var baseURL: String {
    let configured = ProcessInfo.processInfo.environment["LATCHKEY_TEST_DATABASE_URL"] ?? ""
    return configured.isEmpty ? defaultURL : configured
  }

  static func withDatabase<R>(_ body: (_ url: String) throws -> R) throws -> R {
    let name = "lk_test_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
    let admin = try PostgresConnection(url: baseURL)
    defer { admin.close() }
    try admin.execute(script: "create database \(name)")
    // FORCE ends sessions a failing test left behind (same role, so we may terminate them).
    defer { try? admin.execute(script: "drop database if exists \(name) with (force)") }
    return try body(url(baseURL, database: name))
  }

  static func url(_ url: String, database: String? = nil, applicationName: String? = nil) -> String {
    var components = URLComponents(string: url)!
    if let database { components.path = "/" + database }
    if let applicationName {
      components.queryItems =
        (components.queryItems ?? []) + [
          URLQueryItem(name: "application_name", value: applicationName)
        ]
    }
    return components.string!
  }
}

/// Runs `body` on `count` fresh threads (not the test's cooperative pool, which blocking would
/// starve) and waits for all of them.
func onThreads(_ count: Int, _ body: @escaping @Sendable (_ index: Int) -> Void) {
  let group = DispatchGroup()
  for index in 0..<count {
    group.enter()
    Thread {
      body(index)
      group.leave()
    }.start()
  }
  group.wait()
}

/// Thread-safe collection of values produced on other threads.
final class Collected<Value: Sendable>: Sendable {
  private let values = Mutex<[Value]>([])
  private let added = DispatchSemaphore(value: 0)

  func append(_ value: Value) {
    values.withLock { $0.append(value) }
    added.signal()
  }

  var all: [Value] { values.withLock { $0 } }

  /// Waits for the next value appended (in arrival order across calls), or nil after `seconds`.
  func next(within seconds: Double, after consumed: inout Int) -> Value? {
    guard added.wait(timeout: .now() + seconds) == .success else { return nil }
    defer { consumed += 1 }
    return values.withLock { $0[consumed] }
  }
}

func elapsed(_ body: () throws -> Void) rethrows -> Double {
  let start = Date()
  try body()
  return Date().timeIntervalSince(start)
}
