import FoundationEssentials
import LatchkeyDomain
import LatchkeyPostgres
import LatchkeyServer
import LatchkeyStore
import LatchkeyText

extension CommandLine {
  static let keysUsage = "usage: latchkey keys rotate|list"

  /// `keys rotate` starts a rotation now; `keys list` prints one JSON object per stored key
  /// (docs/operations.md#signing-keys). Neither ever prints private material.
  static func keys(_ arguments: [String], _ environment: [String: String]) throws -> Int32 {
    guard arguments.count == 1, let command = arguments.first, command == "rotate" || command == "list" else {
      printError(keysUsage)
      return 2
    }
    // Decided before the rest of the configuration is read, so HS256 is what the error names even
    // when other settings are missing too.
    let algorithm = environment["LATCHKEY_JWT_ALG"]?.trimmingWhitespaceAndNewlines() ?? ""
    if command == "rotate" && (algorithm.isEmpty || algorithm.lowercased() == "hs256") {
      printError(
        "configuration error: LATCHKEY_JWT_ALG is HS256, which signs with the secret and has no keys to rotate"
      )
      return 2
    }
    let config = try Configuration.load(from: environment)
    _ = try Migrations.apply(
      url: config.databaseListenURL, directory: Migrations.directory(configured: config.migrationsDirectory))
    let pool = PostgresPool(url: config.databaseURL, size: 1)
    defer { pool.close() }
    // Listing plans nothing, so under HS256 any algorithm will do for the service.
    guard
      let service = try SigningKeyService.configured(
        config, algorithm: config.signingKeyAlgorithm ?? .es256, store: PostgresStore(pool: pool))
    else { return 1 }
    if command == "rotate" {
      let key = try service.rotate()
      guard let listed = try service.list().first(where: { $0.record.kid == key.record.kid }) else {
        return 1
      }
      print(keyLine(listed))
    } else {
      for key in try service.list() { print(keyLine(key)) }
    }
    return 0
  }

  /// One key as a JSON object on one line, members in a fixed order.
  static func keyLine(_ key: SigningKeyListing) -> String {
    func time(_ seconds: Double) -> String { ListingTime.milliseconds(seconds) }
    var members = [
      ("kid", key.record.kid), ("alg", key.record.algorithm.rawValue), ("state", key.state.rawValue),
      ("created_at", time(key.record.createdAt)), ("activates_at", time(key.record.activatesAt)),
    ]
    if let retiredAt = key.retiredAt { members.append(("retired_at", time(retiredAt))) }
    if let goneAt = key.goneAt { members.append(("gone_at", time(goneAt))) }
    // Every value is a kid (printable ASCII without quotes or backslashes), a fixed name or a time.
    return "{" + members.map { "\"\($0.0)\":\"\($0.1)\"" }.joined(separator: ",") + "}"
  }
}
