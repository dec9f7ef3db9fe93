import CFuzzerDriver

#if canImport(Glibc)
  import Glibc
#endif

/// The harness body libFuzzer calls through `trampoline`; set once, before the driver starts.
nonisolated(unsafe) private var harness: ((UnsafeBufferPointer<UInt8>) -> Void)?

private let trampoline: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32 = { data, count in
  harness?(UnsafeBufferPointer(start: count == 0 ? nil : data, count: count))
  return 0
}

public enum Fuzz {
  /// The shared main of every harness. `harness --write-seeds DIR` writes `seeds()` into DIR (one
  /// file each) and exits; anything else is handed to libFuzzer, which calls `body` per input.
  public static func main(
    seeds: () -> [[UInt8]], _ body: @escaping (UnsafeBufferPointer<UInt8>) -> Void
  ) -> Never {
    let arguments = CommandLine.arguments
    if arguments.count == 3 && arguments[1] == "--write-seeds" {
      for (index, seed) in seeds().enumerated() {
        let name = arguments[2] + "/seed-" + String(index)
        guard write(seed, to: name) else {
          print("cannot write \(name)")
          exit(1)
        }
      }
      exit(0)
    }
    harness = body
    var argc = CommandLine.argc
    var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
    exit(LLVMFuzzerRunDriver(&argc, &argv, trampoline))
  }

  /// A violated invariant: crashes, so libFuzzer saves the input and the run fails.
  public static func check(
    _ condition: Bool, _ message: @autoclosure () -> String, file: StaticString = #fileID,
    line: UInt = #line
  ) {
    if !condition { fatalError("invariant: \(message())", file: file, line: line) }
  }

  /// Splits `bytes` at each `separator`, at most `maxSplits` times (empty pieces kept).
  public static func split(
    _ bytes: UnsafeBufferPointer<UInt8>, separator: UInt8, maxSplits: Int
  ) -> [ArraySlice<UInt8>] {
    Array(bytes).split(separator: separator, maxSplits: maxSplits, omittingEmptySubsequences: false)
  }

  private static func write(_ bytes: [UInt8], to path: String) -> Bool {
    guard let file = fopen(path, "wb") else { return false }
    defer { fclose(file) }
    return bytes.withUnsafeBufferPointer { fwrite($0.baseAddress, 1, $0.count, file) == $0.count }
  }
}

extension String {
  /// The text as the seed bytes libFuzzer mutates.
  public var seed: [UInt8] { Array(utf8) }
}
