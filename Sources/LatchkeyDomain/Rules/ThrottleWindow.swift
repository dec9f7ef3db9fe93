/// A failure counter as the store keeps it: how many failures since the
/// window started (unix seconds).
public struct ThrottleCounter: Sendable, Equatable {
  public var failures: Int
  public var windowStartedAt: Double

  public init(failures: Int, windowStartedAt: Double) {
    self.failures = failures
    self.windowStartedAt = windowStartedAt
  }
}

/// Fixed-window failure counting (docs/api.md#login-throttling): at most
/// `limit` recorded failures per `length` seconds; the window starts with
/// the first failure after the previous one ended. Pure, so the store only
/// reads and writes the counter under a row lock.
public struct ThrottleWindow: Sendable, Equatable {
  public var limit: Int
  public var length: Double

  public init(limit: Int, length: Double) {
    self.limit = limit
    self.length = length
  }

  /// Whether `counter`'s window is still running at `now`.
  public func isOpen(_ counter: ThrottleCounter, now: Double) -> Bool {
    counter.windowStartedAt + length > now
  }

  /// The counter after one more failure at `now`.
  public func recordingFailure(_ counter: ThrottleCounter?, now: Double) -> ThrottleCounter {
    guard let counter, isOpen(counter, now: now) else {
      return ThrottleCounter(failures: 1, windowStartedAt: now)
    }
    return ThrottleCounter(failures: counter.failures + 1, windowStartedAt: counter.windowStartedAt)
  }

  /// Seconds until another attempt may be verified, or nil when it may be
  /// now: only recorded failures count, so an attempt is refused only once
  /// the failures on record reach the limit.
  public func retryAfter(_ counter: ThrottleCounter?, now: Double) -> Int? {
    guard let counter, counter.failures >= limit, isOpen(counter, now: now) else { return nil }
    return max(1, Int((counter.windowStartedAt + length - now).rounded(.up)))
  }
}
