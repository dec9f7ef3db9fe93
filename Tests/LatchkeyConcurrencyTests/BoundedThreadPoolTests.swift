import Dispatch
import Foundation
import LatchkeyConcurrency
import Testing

@Suite struct BoundedThreadPoolTests {
  struct Boom: Error, Equatable {}

  // MARK: - run (submit and wait)

  @Test func runsWorkAndReturnsItsResult() throws {
    let pool = BoundedThreadPool(threads: 2, queueLimit: 4)
    #expect(try pool.run { 6 * 7 } == 42)
    let caller = pthread_self()
    // The work runs on a pool thread, never on the caller's.
    let worker = try pool.run { pthread_self() }
    #expect(pthread_equal(worker, caller) == 0)
  }

  @Test func rethrowsWorkErrors() {
    let pool = BoundedThreadPool(threads: 1, queueLimit: 1)
    #expect(throws: Boom()) { try pool.run { () throws -> Int in throw Boom() } }
    #expect((try? pool.run { 1 }) == 1)
  }

  @Test func fullQueueFailsFastThenRecovers() throws {
    let pool = BoundedThreadPool(threads: 1, queueLimit: 1)
    let gate = Gate()
    let results = Results()
    let finished = DispatchGroup()

    finished.enter()
    Thread {
      results.record(
        try? pool.run { () -> Int in
          gate.hold()
          return 1
        })
      finished.leave()
    }.start()
    #expect(gate.waitEntered())
    #expect(pool.active == 1)
    #expect(pool.queued == 0)

    finished.enter()
    Thread {
      results.record(try? pool.run { 2 })
      finished.leave()
    }.start()
    // State polling, not timing: the job is admitted before `run` blocks, so this ends promptly.
    let deadline = ContinuousClock.now + .seconds(10)
    while pool.queued < 1 && ContinuousClock.now < deadline { sched_yield() }
    #expect(pool.queued == 1)

    #expect(throws: BoundedThreadPoolError.queueFull) { try pool.run { 3 } }
    #expect(!pool.submit {}, "submit is refused by the same limit")

    gate.release()
    finished.wait()
    #expect(results.values.sorted() == [1, 2])
    #expect(try pool.run { 5 } == 5)
    #expect(pool.queued == 0)
    #expect(pool.active == 0)
  }

  @Test func neverRunsMoreThanItsThreads() throws {
    let pool = BoundedThreadPool(threads: 2, queueLimit: 64)
    let tracker = ConcurrencyTracker()
    let group = DispatchGroup()
    let failures = Results()
    for _ in 0..<12 {
      group.enter()
      Thread {
        do {
          _ = try pool.run {
            tracker.enter()
            defer { tracker.leave() }
            // Real work, so jobs overlap.
            var value: UInt64 = 1
            for index in 0..<200_000 { value = value &* 6_364_136_223_846_793_005 &+ UInt64(index) }
            return value
          }
        } catch {
          failures.record(nil)
        }
        group.leave()
      }.start()
    }
    group.wait()
    #expect(failures.values.isEmpty)
    #expect(tracker.maximum <= 2)
    #expect(tracker.maximum >= 1)
  }

  @Test func defaultsToActiveCores() {
    let pool = BoundedThreadPool(queueLimit: 8)
    #expect(pool.threadCount == ProcessInfo.processInfo.activeProcessorCount)
    #expect(pool.queueLimit == 8)
  }

  // MARK: - submit (fire and forget)

  @Test func poolDroppedBeforeItsThreadsStartDoesNotCrash() {
    // Threads may first run after their creator let go of the pool.
    for _ in 0..<50 {
      let pool = BoundedThreadPool(threads: 4, queueLimit: 1)
      pool.shutdown()
    }
    for _ in 0..<50 { _ = BoundedThreadPool(threads: 2, queueLimit: 1) }
  }

  @Test func submitRunsJobsAndRefusesBeyondTheQueue() {
    let pool = BoundedThreadPool(threads: 1, queueLimit: 1)
    defer { pool.shutdown() }
    let gate = Gate()
    let done = DispatchSemaphore(value: 0)
    #expect(pool.submit { gate.hold() })
    #expect(gate.waitEntered())
    #expect(pool.active == 1)
    #expect(pool.submit { done.signal() })
    #expect(pool.queued == 1)
    #expect(!pool.submit {}, "the queue is full")
    #expect(throws: BoundedThreadPoolError.queueFull) { try pool.run { 1 } }
    gate.release()
    #expect(done.wait(timeout: .now() + 10) == .success)
  }

  @Test func shutdownLetsQueuedJobsFinishThenRefuses() {
    let pool = BoundedThreadPool(threads: 1, queueLimit: 8)
    let gate = Gate()
    let finished = DispatchSemaphore(value: 0)
    #expect(pool.submit { gate.hold() })
    #expect(gate.waitEntered())
    for _ in 0..<3 { #expect(pool.submit { finished.signal() }) }
    pool.shutdown()
    #expect(!pool.submit {})
    #expect(throws: BoundedThreadPoolError.queueFull) { try pool.run { 1 } }
    gate.release()
    for _ in 0..<3 { #expect(finished.wait(timeout: .now() + 10) == .success) }
  }
}

/// Lets a test hold a job inside its body, know that it got there, and let
/// it go: semaphores, never sleeps.
private final class Gate: Sendable {
  private let entered = DispatchSemaphore(value: 0)
  private let released = DispatchSemaphore(value: 0)

  func hold() {
    entered.signal()
    released.wait()
  }

  func waitEntered(seconds: Double = 10) -> Bool {
    entered.wait(timeout: .now() + seconds) == .success
  }

  func release() { released.signal() }
}

private final class Results: @unchecked Sendable {
  private let lock = NSLock()
  private var stored: [Int] = []

  func record(_ value: Int?) {
    lock.lock()
    stored.append(value ?? -1)
    lock.unlock()
  }

  var values: [Int] {
    lock.lock()
    defer { lock.unlock() }
    return stored
  }
}

private final class ConcurrencyTracker: @unchecked Sendable {
  private let lock = NSLock()
  private var current = 0
  private var peak = 0

  func enter() {
    lock.lock()
    current += 1
    peak = max(peak, current)
    lock.unlock()
  }

  func leave() {
    lock.lock()
    current -= 1
    lock.unlock()
  }

  var maximum: Int {
    lock.lock()
    defer { lock.unlock() }
    return peak
  }
}
