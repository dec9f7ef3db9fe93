import Foundation
import Synchronization

/// Work that runs beside the HTTP server for the life of the process
/// (revocation view, purger). The application starts them in order and
/// stops them in reverse, as a service group does.
public protocol BackgroundService: AnyObject, Sendable {
  var name: String { get }
  func start() throws
  func stop()
}

/// Starts services in order and stops the started ones in reverse; a
/// service that fails to start stops those before it.
public final class ServiceGroup: Sendable {
  private let services: [any BackgroundService]
  private let started = Mutex(0)

  public init(_ services: [any BackgroundService]) {
    self.services = services
  }

  public func start() throws {
    for service in services {
      do {
        try service.start()
      } catch {
        stop()
        throw error
      }
      started.withLock { $0 += 1 }
    }
  }

  public func stop() {
    let count = started.withLock { count -> Int in
      defer { count = 0 }
      return count
    }
    for service in services.prefix(count).reversed() { service.stop() }
  }
}

/// A background loop's clock tick that `stop()` cuts short. A condition
/// variable, not a Mutex: the loop sleeps on it with a deadline.
final class Ticker: @unchecked Sendable {
  // @unchecked: every field is guarded by `condition`.
  private let condition = NSCondition()
  private var stopped = false

  /// Waits `seconds` (or until stopped); false once stopped.
  func wait(seconds: Double) -> Bool {
    condition.lock()
    defer { condition.unlock() }
    let deadline = Date().addingTimeInterval(seconds)
    while !stopped && condition.wait(until: deadline) {}
    return !stopped
  }

  func stop() {
    condition.lock()
    stopped = true
    condition.broadcast()
    condition.unlock()
  }

  var isStopped: Bool {
    condition.lock()
    defer { condition.unlock() }
    return stopped
  }
}
