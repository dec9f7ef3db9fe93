import Foundation

struct BenchOptions {
  var iterations = 200_000
  var hashesPerThread = 12
  var threads = ProcessInfo.processInfo.activeProcessorCount

  init<S: Sequence>(_ arguments: S) where S.Element == String {
    var iterator = arguments.makeIterator()
    while let flag = iterator.next() {
      guard let text = iterator.next(), let value = Int(text), value > 0 else {
        Self.fail("\(flag) needs a positive integer")
      }
      switch flag {
      case "--iterations": iterations = value
      case "--hashes-per-thread": hashesPerThread = value
      case "--threads": threads = value
      default: Self.fail("unknown option \(flag)")
      }
    }
  }

  private static func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("latchkey-bench: \(message)\n".utf8))
    exit(2)
  }
}
