import FoundationEssentials

/// Time, injected so that rotation, expiry and throttling are testable.
public protocol WallClock: Sendable {
  /// Unix time in seconds, sub-second precision.
  func now() -> Double
}

public struct SystemClock: WallClock {
  public init() {}
  public func now() -> Double { Date().timeIntervalSince1970 }
}
