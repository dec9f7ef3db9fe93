import Dispatch
import FoundationEssentials

public enum BoundedThreadPoolError: Error, Sendable, Equatable {
  /// Every thread is busy and the queue is full (or the pool is shut down):
  /// shed load now instead of letting work pile up.
  case queueFull
}

/// Fixed threads with a bounded queue, for work that blocks or burns CPU
/// (SQL, argon2): at most `threadCount` jobs run at once and at most
/// `queueLimit` wait; past that a caller is refused at once (and answers 503)
/// rather than letting memory and latency grow with the backlog.
///
/// The threads hold only the shared state, never the pool, so dropping the
/// last reference to the pool shuts it down.
public final class BoundedThreadPool: Sendable {
  public let threadCount: Int
  public let queueLimit: Int
  private let state: BoundedThreadPoolState

  public init(threads: Int, queueLimit: Int, name: String = "lk-pool") {
    precondition(queueLimit >= 0, "negative queue limit")
    threadCount = max(1, threads)
    self.queueLimit = queueLimit
    state = BoundedThreadPoolState(queueLimit: queueLimit)
    for index in 0..<threadCount {
      // pthread_setname_np takes 15 characters: ps, top and gdb show this.
      NativeThread.start(name: "\(name.prefix(12))-\(index % 100)", stackSize: 1 << 20) { [state] in
        state.workerLoop()
      }
    }
  }

  /// One thread per active core.
  public convenience init(queueLimit: Int, name: String = "lk-pool") {
    self.init(threads: Self.defaultThreadCount, queueLimit: queueLimit, name: name)
  }

  public static var defaultThreadCount: Int { max(1, ProcessInfo.processInfo.activeProcessorCount) }

  deinit { state.shutdown() }

  /// Queues `job` without waiting for it; false (and the job never runs)
  /// when the queue is full or the pool is shut down.
  public func submit(_ job: @escaping @Sendable () -> Void) -> Bool {
    state.submit(job, done: nil)
  }

  /// Runs `work` on a pool thread and blocks the caller until it finishes;
  /// throws `BoundedThreadPoolError.queueFull` at once when refused, and
  /// rethrows whatever `work` throws.
  public func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) throws -> T {
    let box = ResultBox<T>()
    let done = DispatchSemaphore(value: 0)
    guard state.submit({ box.result = Result { try work() } }, done: done) else {
      throw BoundedThreadPoolError.queueFull
    }
    done.wait()
    // The semaphore orders the worker's write of `result` before this read.
    return try box.result!.get()
  }

  /// Jobs waiting for a thread.
  public var queued: Int { state.snapshot().queued }
  /// Jobs running right now.
  public var active: Int { state.snapshot().active }

  /// Refuses new jobs, lets queued ones finish, then ends the threads.
  public func shutdown() { state.shutdown() }
}

/// Written by one worker, then read by the submitting thread after the
/// job's semaphore fires (which orders the two).
private final class ResultBox<T>: @unchecked Sendable {
  var result: Result<T, any Error>?
}

/// Every mutable field is guarded by `condition`'s lock. A condition
/// rather than a `Mutex`: idle workers must sleep until a job arrives, and
/// `Mutex` offers no condition wait.
private final class BoundedThreadPoolState: @unchecked Sendable {
  struct Job {
    var execute: @Sendable () -> Void
    /// Signalled once the job no longer counts as running, so gauges read
    /// after `run` returns are settled.
    var done: DispatchSemaphore?
  }

  private let condition = ThreadCondition()
  private let queueLimit: Int
  private var jobs: [Job] = []
  private var head = 0
  /// Workers waiting for a job: a job queued while one waits is as good as
  /// running, so it does not count against the queue limit.
  private var idle = 0
  private var running = 0
  private var stopping = false

  init(queueLimit: Int) {
    self.queueLimit = queueLimit
  }

  func submit(_ execute: @escaping @Sendable () -> Void, done: DispatchSemaphore?) -> Bool {
    condition.lock()
    defer { condition.unlock() }
    guard !stopping, jobs.count - head - idle < queueLimit else { return false }
    jobs.append(Job(execute: execute, done: done))
    condition.signal()
    return true
  }

  func snapshot() -> (queued: Int, active: Int) {
    condition.lock()
    defer { condition.unlock() }
    return (jobs.count - head, running)
  }

  func shutdown() {
    condition.lock()
    stopping = true
    condition.broadcast()
    condition.unlock()
  }

  func workerLoop() {
    condition.lock()
    while true {
      while head == jobs.count && !stopping {
        idle += 1
        condition.wait()
        idle -= 1
      }
      if head == jobs.count {
        condition.unlock()
        return
      }
      let job = jobs[head]
      head += 1
      if head == jobs.count {
        jobs.removeAll(keepingCapacity: true)
        head = 0
      } else if head > 1024 && head * 2 > jobs.count {
        jobs.removeFirst(head)
        head = 0
      }
      running += 1
      condition.unlock()
      job.execute()
      condition.lock()
      running -= 1
      job.done?.signal()
    }
  }
}
