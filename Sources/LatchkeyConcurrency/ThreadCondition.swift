import FoundationEssentials

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A mutex with a condition variable, for threads that must sleep until another changes shared
/// state (`Mutex` has no wait). The same contract as Foundation's `NSCondition`, which only full
/// Foundation offers: lock around every wait, broadcast or signal; waits can wake spuriously, so
/// callers re-check their predicate in a loop.
public final class ThreadCondition: @unchecked Sendable {
  // Heap-allocated so the pthread objects never move.
  private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
  private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

  public init() {
    mutex.initialize(to: pthread_mutex_t())
    condition.initialize(to: pthread_cond_t())
    pthread_mutex_init(mutex, nil)
    pthread_cond_init(condition, nil)
  }

  deinit {
    pthread_cond_destroy(condition)
    pthread_mutex_destroy(mutex)
    condition.deallocate()
    mutex.deallocate()
  }

  public func lock() { pthread_mutex_lock(mutex) }
  public func unlock() { pthread_mutex_unlock(mutex) }
  public func signal() { pthread_cond_signal(condition) }
  public func broadcast() { pthread_cond_broadcast(condition) }

  /// Waits (the lock held) until signalled.
  public func wait() { pthread_cond_wait(condition, mutex) }

  /// Waits (the lock held) until signalled or `deadline`, on the wall clock as NSCondition did;
  /// false on timeout, and at once when the deadline has already passed.
  public func wait(until deadline: Date) -> Bool {
    let seconds = deadline.timeIntervalSince1970
    guard seconds > Date().timeIntervalSince1970 else { return false }
    let whole = seconds.rounded(.down)
    var limit = timespec(tv_sec: Int(whole), tv_nsec: min(Int((seconds - whole) * 1e9), 999_999_999))
    return pthread_cond_timedwait(condition, mutex, &limit) == 0
  }
}
