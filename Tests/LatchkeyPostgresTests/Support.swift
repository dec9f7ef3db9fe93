import Foundation
import LatchkeyPostgres
import Synchronization

/// Runs `body` on `count` fresh threads (not the test's cooperative pool, which blocking would
/// starve) and waits for all of them.
func onThreads(_ count: Int, _ body: @escaping @Sendable (_ index: Int) -> Void) {
  let group = DispatchGroup()
  for index in 0..<count {
    group.enter()
    Thread {
      body(index)
      group.leave()
    }.start()
  }
  group.wait()
}

/// Thread-safe collection of values produced on other threads.
final class Collected<Value: Sendable>: Sendable {
  private let values = Mutex<[Value]>([])
  private let added = DispatchSemaphore(value: 0)

  func append(_ value: Value) {
    values.withLock { $0.append(value) }
    added.signal()
  }

  var all: [Value] { values.withLock { $0 } }

  /// Waits for the next value appended (in arrival order across calls), or nil after `seconds`.
  func next(within seconds: Double, after consumed: inout Int) -> Value? {
    guard added.wait(timeout: .now() + seconds) == .success else { return nil }
    defer { consumed += 1 }
    return values.withLock { $0[consumed] }
  }
}

func elapsed(_ body: () throws -> Void) rethrows -> Double {
  let start = Date()
  try body()
  return Date().timeIntervalSince(start)
}
