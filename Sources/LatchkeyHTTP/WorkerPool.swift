import Foundation

/// Fixed threads for blocking handlers (SQL, argon2 waits) with a bounded
/// queue: when it is full, `submit` says no at once and the caller answers
/// 503 instead of letting memory grow with the backlog.
public final class WorkerPool: @unchecked Sendable {
  private let condition = NSCondition()
  private var jobs: [@Sendable () -> Void] = []
  private var head = 0
  private var stopping = false
  private var busyWorkers = 0
  private let queueLimit: Int
  private var threads: [Thread] = []

  public init(threads count: Int, queueLimit: Int, name: String = "latchkey-worker") {
    self.queueLimit = queueLimit
    for index in 0..<max(1, count) {
      // Strong on purpose: a thread may first run after the pool's creator
      // has already let go of it (an `unowned` capture crashed there). The
      // threads end, and release the pool, after `shutdown()`.
      let thread = Thread { [self] in self.loop() }
      thread.name = "\(name)-\(index)"
      thread.stackSize = 1 << 20
      threads.append(thread)
      thread.start()
    }
  }

  /// False when the queue is full or the pool is stopping; the job will not run.
  public func submit(_ job: @escaping @Sendable () -> Void) -> Bool {
    condition.lock()
    defer { condition.unlock() }
    guard !stopping, jobs.count - head < queueLimit else { return false }
    jobs.append(job)
    condition.signal()
    return true
  }

  public var queued: Int {
    condition.lock()
    defer { condition.unlock() }
    return jobs.count - head
  }

  public var active: Int {
    condition.lock()
    defer { condition.unlock() }
    return busyWorkers
  }

  /// Lets queued jobs finish, then ends the threads.
  public func shutdown() {
    condition.lock()
    stopping = true
    condition.broadcast()
    condition.unlock()
  }

  private func loop() {
    while true {
      condition.lock()
      while head == jobs.count && !stopping { condition.wait() }
      if head == jobs.count {
        condition.unlock()
        return
      }
      let job = jobs[head]
      head += 1
      if head > 1024 && head * 2 > jobs.count {
        jobs.removeFirst(head)
        head = 0
      }
      busyWorkers += 1
      condition.unlock()
      job()
      condition.lock()
      busyWorkers -= 1
      condition.unlock()
    }
  }
}
