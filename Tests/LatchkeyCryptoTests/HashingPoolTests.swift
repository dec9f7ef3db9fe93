import Dispatch
import Foundation
import LatchkeyCrypto
import Testing

@Suite struct HashingPoolTests {
  struct Boom: Error, Equatable {}

  @Test func runsWorkAndReturnsItsResult() throws {
    let pool = HashingPool(threads: 2, queueLimit: 4)
    #expect(try pool.run { 6 * 7 } == 42)
    let caller = pthread_self()
    // The work runs on a pool thread, never on the caller's.
    let worker = try pool.run { pthread_self() }
    #expect(pthread_equal(worker, caller) == 0)
  }

  @Test func rethrowsWorkErrors() {
    let pool = HashingPool(threads: 1, queueLimit: 1)
    #expect(throws: Boom()) { try pool.run { () throws -> Int in throw Boom() } }
    #expect((try? pool.run { 1 }) == 1)
  }

  @Test func fullQueueFailsFastThenRecovers() throws {
    let pool = HashingPool(threads: 1, queueLimit: 1)
    let started = DispatchSemaphore(value: 0)
    let release = DispatchSemaphore(value: 0)
    let results = Results()
    let finished = DispatchGroup()

    finished.enter()
    Thread {
      results.record(
        try? pool.run { () -> Int in
          started.signal()
          release.wait()
          return 1
        })
      finished.leave()
    }.start()
    started.wait()
    #expect(pool.active == 1)
    #expect(pool.queued == 0)

    finished.enter()
    Thread {
      results.record(try? pool.run { 2 })
      finished.leave()
    }.start()
    // State polling, not timing: the job is admitted before `run` blocks, so this ends promptly.
    let deadline = ContinuousClock.now + .seconds(10)
    while pool.queued < 1 && ContinuousClock.now < deadline {
      sched_yield()
    }
    #expect(pool.queued == 1)

    #expect(throws: HashingPoolError.busy) { try pool.run { 3 } }
    #expect(throws: HashingPoolError.busy) { try pool.run { 4 } }

    release.signal()
    finished.wait()
    #expect(results.values.sorted() == [1, 2])
    #expect(try pool.run { 5 } == 5)
    #expect(pool.queued == 0)
    #expect(pool.active == 0)
  }

  @Test func neverRunsMoreThanItsThreads() throws {
    let pool = HashingPool(threads: 2, queueLimit: 64)
    let tracker = ConcurrencyTracker()
    let group = DispatchGroup()
    let failures = Counter()
    for _ in 0..<12 {
      group.enter()
      Thread {
        do {
          _ = try pool.run {
            tracker.enter()
            defer { tracker.leave() }
            // Real work (a cheap argon2 hash) so jobs overlap.
            return try PasswordHasher(parameters: Argon2Parameters(memoryKiB: 1024, iterations: 1))
              .hash("pw")
          }
        } catch {
          failures.increment()
        }
        group.leave()
      }.start()
    }
    group.wait()
    #expect(failures.value == 0)
    #expect(tracker.maximum <= 2)
    #expect(tracker.maximum >= 1)
  }

  @Test func defaultsToActiveCores() {
    let pool = HashingPool(queueLimit: 8)
    #expect(pool.threadCount == ProcessInfo.processInfo.activeProcessorCount)
    #expect(pool.queueLimit == 8)
  }
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
