/// The settings the session rules depend on (configured from the
/// environment by the server; docs/operations.md#configuration).
public struct AuthSettings: Sendable, Equatable {
  public var issuer = "latchkey"
  public var audience = "latchkey-api"
  public var accessTTL: Int64 = 900
  public var refreshTTL: Int64 = 604_800
  public var sessionMaxAge: Int64 = 2_592_000
  public var refreshReuseInterval: Int64 = 10
  public var registrationOpen = true
  public var passwordMinLength = 8
  public var maxSessions = 100
  public var loginMaxFailuresPerAccount = 10
  public var loginMaxFailuresPerAddress = 100
  public var loginFailureWindow: Int64 = 900
  /// How long a device cookie identifies a known browser.
  public var deviceCookieLifetime: Int64 = 365 * 86_400

  public init() {}
}
