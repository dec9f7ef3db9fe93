import Foundation
import LatchkeyPostgres

/// A fresh, empty database per test suite on the PostgreSQL that
/// `scripts/test` started (LATCHKEY_TEST_DATABASE_URL).
public enum TestDatabase {
  public static var baseURL: String {
    ProcessInfo.processInfo.environment["LATCHKEY_TEST_DATABASE_URL"]
      ?? "postgres://latchkey@127.0.0.1:55432/latchkey?sslmode=disable"
  }

  /// Creates `lk_<random>` and returns its URL.
  public static func create(prefix: String = "lk") throws -> String {
    let name =
      "\(prefix)_\(UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(16))"
    let admin = try PostgresConnection(url: baseURL)
    defer { admin.close() }
    try admin.execute(script: "create database \(name)")
    return url(forDatabase: name)
  }

  public static func url(forDatabase name: String) -> String {
    var components = URLComponents(string: baseURL)!
    components.path = "/" + name
    return components.string!
  }

  /// Runs `body` with the URL of a fresh database, dropped afterwards.
  public static func withDatabase<R>(_ body: (_ url: String) throws -> R) throws -> R {
    let url = try create()
    defer { drop(url) }
    return try body(url)
  }

  /// `url` pointed at another database and/or labelled with an
  /// application name (seen in `pg_stat_activity`).
  public static func url(_ url: String, database: String? = nil, applicationName: String? = nil) -> String {
    var components = URLComponents(string: url)!
    if let database { components.path = "/" + database }
    if let applicationName {
      components.queryItems =
        (components.queryItems ?? []) + [URLQueryItem(name: "application_name", value: applicationName)]
    }
    return components.string!
  }

  public static func drop(_ url: String) {
    guard let name = URLComponents(string: url)?.path.dropFirst(), !name.isEmpty else { return }
    guard let admin = try? PostgresConnection(url: baseURL) else { return }
    defer { admin.close() }
    try? admin.execute(script: "drop database if exists \(name) with (force)")
  }
}
