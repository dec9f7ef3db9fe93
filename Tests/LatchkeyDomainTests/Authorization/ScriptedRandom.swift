import Synchronization

@testable import LatchkeyDomain

/// Hands out a fixed sequence of bytes, so generated user codes are predictable and the rejection
/// of biased bytes can be observed.
final class ScriptedRandom: RandomByteSource {
  private let remaining: Mutex<[UInt8]>
  private let requests = Mutex<[Int]>([])

  init(_ bytes: [UInt8]) { remaining = Mutex(bytes) }

  /// The counts asked for, in order.
  var requestedCounts: [Int] { requests.withLock { $0 } }

  func randomBytes(count: Int) -> [UInt8] {
    requests.withLock { $0.append(count) }
    return remaining.withLock { bytes in
      precondition(bytes.count >= count, "the script ran out of bytes")
      defer { bytes.removeFirst(count) }
      return Array(bytes.prefix(count))
    }
  }
}
