import Dispatch
import Foundation
import LatchkeyConcurrency
import Testing

@Suite struct NativeThreadTests {
  /// What the kernel shows for the calling thread (ps, top, gdb).
  static func currentThreadName() -> String {
    let text = (try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8)) ?? ""
    return text.trimmingCharacters(in: .newlines)
  }

  final class Box: @unchecked Sendable {
    var name = ""
    var thread: pthread_t?
  }

  @Test func runsTheBodyOnANewNamedThread() {
    let box = Box()
    let done = DispatchSemaphore(value: 0)
    NativeThread.start(name: "latchkey-test") {
      box.name = Self.currentThreadName()
      box.thread = pthread_self()
      done.signal()
    }
    #expect(done.wait(timeout: .now() + 10) == .success)
    #expect(box.name == "latchkey-test")
    #expect(box.thread.map { pthread_equal($0, pthread_self()) } == 0)
  }

  @Test func cutsLongNamesToTheKernelLimit() {
    let box = Box()
    let done = DispatchSemaphore(value: 0)
    // 15 bytes are kept; the cut never splits a UTF-8 sequence.
    NativeThread.start(name: "latchkey-revocation-resync") {
      box.name = Self.currentThreadName()
      done.signal()
    }
    #expect(done.wait(timeout: .now() + 10) == .success)
    #expect(box.name == "latchkey-revoca")
    NativeThread.start(name: "latchkey-abcdeé-x") {
      box.name = Self.currentThreadName()
      done.signal()
    }
    #expect(done.wait(timeout: .now() + 10) == .success)
    #expect(box.name == "latchkey-abcde")
  }
}

@Suite struct ThreadConditionTests {
  @Test func aPastDeadlineTimesOutAtOnce() {
    let condition = ThreadCondition()
    condition.lock()
    let began = Date()
    #expect(!condition.wait(until: Date().addingTimeInterval(-1)))
    #expect(Date().timeIntervalSince(began) < 1)
    condition.unlock()
  }

  @Test func aShortDeadlineTimesOut() {
    let condition = ThreadCondition()
    condition.lock()
    let deadline = Date().addingTimeInterval(0.05)
    while condition.wait(until: deadline) {}
    #expect(Date() >= deadline)
    condition.unlock()
  }

  final class Flag: @unchecked Sendable {
    var set = false
  }

  @Test func aBroadcastWakesTheWaiter() {
    let condition = ThreadCondition()
    let flag = Flag()
    NativeThread.start(name: "latchkey-test") {
      condition.lock()
      flag.set = true
      condition.broadcast()
      condition.unlock()
    }
    condition.lock()
    let deadline = Date().addingTimeInterval(10)
    while !flag.set && condition.wait(until: deadline) {}
    #expect(flag.set)
    condition.unlock()
  }
}
