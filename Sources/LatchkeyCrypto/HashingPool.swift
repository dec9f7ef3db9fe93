import Dispatch
import Foundation

public enum HashingPoolError: Error, Sendable {
  /// Every worker is busy and the queue is full: shed load now instead of letting logins pile up.
  case busy
}

/// A bounded set of dedicated threads for argon2 work. Hashing costs ~20 ms of CPU and ~19 MiB each, so
/// running it on request threads or an unbounded queue lets a login flood take the whole server down;
/// here at most `threads` hashes run at once and at most `queueLimit` wait, the rest fail fast.
public final class HashingPool: Sendable {
  public let threadCount: Int
  public let queueLimit: Int
  private let state: HashingPoolState

  public init(threads: Int, queueLimit: Int) {
    precondition(threads >= 1, "HashingPool needs at least one thread")
    precondition(queueLimit >= 0, "negative queue limit")
    threadCount = threads
    self.queueLimit = queueLimit
    state = HashingPoolState(queueLimit: queueLimit)
    for index in 0..<threads {
      Thread { [state] in
        // Foundation passes this to pthread_setname_np (15 characters max), so ps/top/gdb show it.
        Thread.current.name = "latchkey-hash-\(index % 10)"
        state.workerLoop()
      }.start()
    }
  }

  /// One worker per active core.
  public convenience init(queueLimit: Int) {
    self.init(threads: Self.defaultThreadCount, queueLimit: queueLimit)
  }

  public static var defaultThreadCount: Int { max(1, ProcessInfo.processInfo.activeProcessorCount) }

  deinit {
    state.stop()
  }

  /// Runs `work` on a pool thread and blocks the caller until it finishes. Throws
  /// `HashingPoolError.busy` at once when the queue is full; rethrows whatever `work` throws.
  public func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) throws -> T {
    let box = ResultBox<T>()
    let done = DispatchSemaphore(value: 0)
    let accepted = state.submit(done: done) {
      box.result = Result { try work() }
    }
    guard accepted else { throw HashingPoolError.busy }
    done.wait()
    // The semaphore orders the worker's write of `result` before this read.
    return try box.result!.get()
  }

  /// Jobs waiting for a worker.
  public var queued: Int { state.snapshot().queued }
  /// Jobs running right now.
  public var active: Int { state.snapshot().active }
}

/// Written by one worker, then read by the submitting thread after the job's semaphore fires.
private final class ResultBox<T>: @unchecked Sendable {
  var result: Result<T, any Error>?
}

/// All mutable fields are guarded by `condition`'s lock.
private final class HashingPoolState: @unchecked Sendable {
  struct Job {
    var execute: @Sendable () -> Void
    /// Signalled after the job is no longer counted as running, so metrics read by the caller after
    /// `run` returns are settled.
    var done: DispatchSemaphore
  }

  private let condition = NSCondition()
  private let queueLimit: Int
  private var jobs: [Job] = []
  private var head = 0
  /// Workers blocked waiting for a job. A job queued while one of them is waiting is as good as
  /// running, so it does not count against the queue limit.
  private var idle = 0
  private var running = 0
  private var stopping = false

  init(queueLimit: Int) {
    self.queueLimit = queueLimit
  }

  func submit(done: DispatchSemaphore, _ execute: @escaping @Sendable () -> Void) -> Bool {
    condition.lock()
    defer { condition.unlock() }
    let pending = jobs.count - head
    guard !stopping, pending - idle < queueLimit else { return false }
    jobs.append(Job(execute: execute, done: done))
    condition.signal()
    return true
  }

  func snapshot() -> (queued: Int, active: Int) {
    condition.lock()
    defer { condition.unlock() }
    return (jobs.count - head, running)
  }

  func stop() {
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
      }
      running += 1
      condition.unlock()
      job.execute()
      condition.lock()
      running -= 1
      job.done.signal()
    }
  }
}
