import FoundationEssentials

/// A pending device authorization as the store knows it (found by the device code's hash, or by the
/// user code on `/device`). Times are unix seconds.
public struct DeviceAuthorization: Sendable, Equatable {
  public enum Status: Sendable, Equatable {
    case pending
    case approved(userID: UUID)
    case denied
    /// Tokens were issued; the device code is spent.
    case redeemed
  }

  public var clientID: String
  public var scopes: [String]
  public var userCode: UserCode
  public var issuedAt: Double
  public var expiresAt: Double
  /// The current minimum seconds between polls; grows with each `slow_down`.
  public var interval: Int
  /// When the device last polled; nil before its first poll.
  public var lastPolledAt: Double?
  public var status: Status
  /// The sign-in session that approved it: tokens go out only while it
  /// lives (as for authorization codes).
  public var approvedSessionID: UUID?

  public init(
    clientID: String, scopes: [String], userCode: UserCode, issuedAt: Double, expiresAt: Double,
    interval: Int, lastPolledAt: Double? = nil, status: Status = .pending, approvedSessionID: UUID? = nil
  ) {
    self.approvedSessionID = approvedSessionID
    self.clientID = clientID
    self.scopes = scopes
    self.userCode = userCode
    self.issuedAt = issuedAt
    self.expiresAt = expiresAt
    self.interval = interval
    self.lastPolledAt = lastPolledAt
    self.status = status
  }

  /// A new authorization, as `POST /oauth/device_authorization` starts it.
  public init(
    clientID: String, scopes: [String], userCode: UserCode, now: Double, settings: DeviceFlowSettings
  ) {
    self.init(
      clientID: clientID, scopes: scopes, userCode: userCode, issuedAt: now,
      expiresAt: now + settings.lifetime, interval: settings.interval)
  }

  /// Whether the user may still act on it on `/device`: pending and not expired. A code already
  /// approved or denied is not offered again, so one user's decision cannot be overturned by another.
  public func isOpen(now: Double) -> Bool { status == .pending && now < expiresAt }

  /// The user approved: nil when it is no longer open.
  public func approved(by userID: UUID, session: UUID? = nil, now: Double) -> DeviceAuthorization? {
    guard isOpen(now: now) else { return nil }
    var next = self
    next.status = .approved(userID: userID)
    next.approvedSessionID = session
    return next
  }

  /// The user denied: nil when it is no longer open.
  public func denied(now: Double) -> DeviceAuthorization? {
    guard isOpen(now: now) else { return nil }
    var next = self
    next.status = .denied
    return next
  }

  /// `expires_in` at `now`, for the device authorization response.
  public func expiresIn(now: Double) -> Int { max(0, Int((expiresAt - now).rounded(.up))) }
}
