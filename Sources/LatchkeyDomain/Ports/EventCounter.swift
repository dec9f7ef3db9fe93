/// Where the services count what happened (logins by result, revocations by
/// reason). The server's metrics implement it; tests may count or ignore.
public protocol EventCounter: Sendable {
  func increment(_ name: String, _ labels: [(String, String)], by amount: Double)
}

extension EventCounter {
  public func increment(_ name: String, _ labels: [(String, String)] = []) {
    increment(name, labels, by: 1)
  }
}

/// Counts nothing.
public struct NoEventCounter: EventCounter {
  public init() {}
  public func increment(_ name: String, _ labels: [(String, String)], by amount: Double) {}
}
