#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// poll(2) on one descriptor, so every wait in this module has a bound and can notice `stop()`.
enum SocketWait {
  enum Outcome { case ready, timedOut }

  static func wait(fd: Int32, forWrite: Bool, milliseconds: Int) -> Outcome {
    let events = Int16(forWrite ? POLLOUT : POLLIN)
    var descriptor = pollfd(fd: fd, events: events, revents: 0)
    while true {
      let count = poll(&descriptor, 1, Int32(clamping: max(0, milliseconds)))
      if count > 0 { return .ready }  // includes POLLHUP/POLLERR: libpq reads the error itself
      if count == 0 { return .timedOut }
      if errno == EINTR { continue }
      // A bad descriptor: let the caller's libpq call find and report the real problem.
      return .ready
    }
  }
}

extension SocketWait {
  /// Waits for `fd` to be readable or `wake` (a pipe's read end) to become readable;
  /// `.timedOut` also when only `wake` fired, so the caller re-checks why.
  static func wait(fd: Int32, orWake wake: Int32, milliseconds: Int) -> Outcome {
    guard wake >= 0 else { return wait(fd: fd, forWrite: false, milliseconds: milliseconds) }
    var descriptors = [
      pollfd(fd: fd, events: Int16(POLLIN), revents: 0), pollfd(fd: wake, events: Int16(POLLIN), revents: 0),
    ]
    while true {
      let count = poll(&descriptors, 2, Int32(clamping: max(0, milliseconds)))
      if count > 0 { return descriptors[0].revents != 0 ? .ready : .timedOut }
      if count == 0 { return .timedOut }
      if errno == EINTR { continue }
      return .ready
    }
  }
}

enum MonotonicClock {
  static func seconds() -> Double {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
  }
}
