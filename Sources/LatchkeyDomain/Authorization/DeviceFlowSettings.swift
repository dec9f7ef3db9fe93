/// The device flow's timings (RFC 8628 §3.2, §3.5).
public struct DeviceFlowSettings: Sendable, Equatable {
  /// Seconds a device code lives (`expires_in`).
  public var lifetime: Double
  /// The initial minimum seconds between polls (`interval`).
  public var interval: Int
  /// Added to the interval at each `slow_down`, as RFC 8628 §3.5 requires of the client too.
  public var slowDownStep: Int

  public init(lifetime: Double = 600, interval: Int = 5, slowDownStep: Int = 5) {
    self.lifetime = lifetime
    self.interval = interval
    self.slowDownStep = slowDownStep
  }
}
