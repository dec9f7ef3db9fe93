/// Which failure budgets a password attempt is checked and counted
/// against (docs/api.md#login-throttling):
/// - the client address's, for every attempt;
/// - a known browser's own budget when it presents a valid device cookie
///   for the account, else the account's "unknown devices" budget.
/// So a stranger who exhausts the account's budget does not lock the owner's
/// known browsers out. Only recorded failures count: an attempt is refused
/// before verification only when the failures on record reach a limit.
public struct LoginThrottle: Sendable, Equatable {
  public var account: ThrottleWindow
  public var address: ThrottleWindow

  public init(settings: AuthSettings) {
    account = ThrottleWindow(
      limit: settings.loginMaxFailuresPerAccount, length: Double(settings.loginFailureWindow))
    address = ThrottleWindow(
      limit: settings.loginMaxFailuresPerAddress, length: Double(settings.loginFailureWindow))
  }

  /// The budgets of one attempt, as store keys.
  public struct Keys: Sendable, Equatable {
    /// The account's unknown-devices budget or the known device's own.
    public var budget: String
    public var address: String
  }

  public static func keys(emailKey: String, device: DeviceToken?, ip: String) -> Keys {
    let budget = device.map { "device:" + $0.nonce } ?? "account:" + emailKey
    return Keys(budget: budget, address: "address:" + ip)
  }

  /// Every key an attempt may draw on before the account is known: the
  /// device's budget counts only if the cookie turns out to be the
  /// account's, so both budgets are read with the address's.
  public static func candidateKeys(emailKey: String, device: DeviceToken?, ip: String) -> [String] {
    let stranger = keys(emailKey: emailKey, device: nil, ip: ip)
    guard device != nil else { return [stranger.budget, stranger.address] }
    return [stranger.budget, keys(emailKey: emailKey, device: device, ip: ip).budget, stranger.address]
  }

  /// Seconds to wait before this attempt may be verified, or nil.
  public func retryAfter(budget: ThrottleCounter?, address: ThrottleCounter?, now: Double) -> Int? {
    let waits = [self.account.retryAfter(budget, now: now), self.address.retryAfter(address, now: now)]
    return waits.compactMap { $0 }.max()
  }
}
