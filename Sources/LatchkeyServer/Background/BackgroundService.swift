import Dispatch
import FoundationEssentials
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

/// A background loop's clock tick that `stop()` cuts short: a semaphore
/// the loop sleeps on with a deadline, signalled once by `stop()`.
final class Ticker: Sendable {
  private let stopped = Atomic(false)
  private let wakeUp = DispatchSemaphore(value: 0)

  /// Waits `seconds` (or until stopped); false once stopped.
  func wait(seconds: Double) -> Bool {
    guard !isStopped else { return false }
    if wakeUp.wait(timeout: .now() + seconds) == .success {
      wakeUp.signal()  // leave the wake-up for any later wait
      return false
    }
    return !isStopped
  }

  func stop() {
    if !stopped.exchange(true, ordering: .acquiringAndReleasing) { wakeUp.signal() }
  }

  var isStopped: Bool { stopped.load(ordering: .acquiring) }
}
