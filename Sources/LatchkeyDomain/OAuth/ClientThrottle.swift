import FoundationEssentials

/// The failure budgets of client authentication: one per client id and one
/// per address, with the login limits and window (docs/oauth.md#client-authentication).
/// Its own key prefixes, so failed client authentications and failed logins
/// do not spend each other's budgets.
struct ClientThrottle: Sendable {
  let client: ThrottleWindow
  let address: ThrottleWindow

  init(settings: AuthSettings) {
    client = ThrottleWindow(
      limit: settings.loginMaxFailuresPerAccount, length: Double(settings.loginFailureWindow))
    address = ThrottleWindow(
      limit: settings.loginMaxFailuresPerAddress, length: Double(settings.loginFailureWindow))
  }

  /// The client's key first when the id has our ids' shape; anything else
  /// names no client, so only the address pays (and no unbounded text
  /// becomes a key).
  static func keys(clientID: UUID?, address: String) -> [String] {
    let addressKey = "client-address:" + address
    guard let clientID else { return [addressKey] }
    return ["client:" + clientID.uuidString.lowercased(), addressKey]
  }

  func windows(for keys: [String]) -> [ThrottleWindow] {
    keys.count == 2 ? [client, address] : [address]
  }

  func retryAfter(_ counters: [ThrottleCounter?], now: Double) -> Int? {
    let keys = counters.count == 2 ? [client, address] : [address]
    return zip(keys, counters).compactMap { $0.retryAfter($1, now: now) }.max()
  }

  /// Compared against when there is no stored digest (an unknown client),
  /// so the failure costs what a wrong secret costs.
  static let noDigest = [UInt8](repeating: 0, count: 32)
}

/// Compares two byte strings in time that depends only on their lengths.
enum ConstantTimeBytes {
  static func equal(_ a: [UInt8], _ b: [UInt8]) -> Bool {
    guard a.count == b.count else { return false }
    var difference: UInt8 = 0
    for index in a.indices { difference |= a[index] ^ b[index] }
    return difference == 0
  }
}
