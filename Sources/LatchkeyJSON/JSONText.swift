/// Hand-written JSON for the few fixed shapes on hot paths, where
/// JSONEncoder's cost would dominate a microsecond handler.
public enum JSONText {
  public static func object(_ fields: [(String, String)]) -> [UInt8] {
    var out: [UInt8] = []
    out.reserveCapacity(160)
    out.append(UInt8(ascii: "{"))
    for (index, (key, value)) in fields.enumerated() {
      if index > 0 { out.append(UInt8(ascii: ",")) }
      appendString(key, to: &out)
      out.append(UInt8(ascii: ":"))
      appendString(value, to: &out)
    }
    out.append(UInt8(ascii: "}"))
    return out
  }

  /// An object whose keys are fixed: their JSON text is made once, so an
  /// answer only escapes its values. `render(values)` is the same bytes as
  /// `object` over the keys zipped with the values.
  public struct Shape: Sendable {
    /// `{"first":`, `,"second":`, ...: what precedes each value.
    private let prefixes: [[UInt8]]

    public init(_ keys: [String]) {
      prefixes = keys.enumerated().map { index, key in
        var bytes: [UInt8] = [index == 0 ? UInt8(ascii: "{") : UInt8(ascii: ",")]
        JSONText.appendString(key, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
        return bytes
      }
    }

    /// One value per key, in the keys' order.
    public func render(_ values: [String]) -> [UInt8] {
      precondition(values.count == prefixes.count, "one value per key")
      guard !prefixes.isEmpty else { return Array("{}".utf8) }
      var out: [UInt8] = []
      out.reserveCapacity(160)
      for index in 0..<prefixes.count {
        out.append(contentsOf: prefixes[index])
        appendString(values[index], to: &out)
      }
      out.append(UInt8(ascii: "}"))
      return out
    }
  }

  public static func appendString(_ string: String, to out: inout [UInt8]) {
    out.append(UInt8(ascii: "\""))
    // Native strings are contiguous UTF-8: scanning the buffer is several
    // times cheaper than iterating `utf8`, and most values (paths, ids,
    // routes) need no escaping, so they are copied whole.
    let copied = string.utf8.withContiguousStorageIfAvailable { bytes -> Bool in
      if anyNeedsEscape(bytes) { return false }
      out.append(contentsOf: bytes)
      return true
    }
    if copied != true { appendEscaped(string, to: &out) }
    out.append(UInt8(ascii: "\""))
  }

  @inline(__always)
  private static func needsEscape(_ byte: UInt8) -> Bool {
    byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\")
  }

  /// Eight bytes at a time (SWAR): a byte-wise loop cost ~12 instructions a
  /// byte, and an access token, written into every token response and log
  /// line, is a few hundred bytes. Exact, not approximate: `hasZero` and
  /// `hasLess` (bytes below 0x20, a bound under 0x80) have no false positives
  /// for the "any byte" question.
  static func anyNeedsEscape(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
    let ones: UInt64 = 0x0101_0101_0101_0101
    let highs: UInt64 = 0x8080_8080_8080_8080
    @inline(__always) func hasZero(_ word: UInt64) -> Bool { (word &- ones) & ~word & highs != 0 }
    @inline(__always) func hasLess(_ word: UInt64, _ bound: UInt64) -> Bool {
      (word &- ones &* bound) & ~word & highs != 0
    }
    var index = 0
    if let base = bytes.baseAddress, bytes.count >= 8 {
      let raw = UnsafeRawPointer(base)
      while index + 8 <= bytes.count {
        let word = raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)
        if hasLess(word, 0x20) || hasZero(word ^ (ones &* 0x22)) || hasZero(word ^ (ones &* 0x5C)) {
          return true
        }
        index += 8
      }
    }
    while index < bytes.count {
      if needsEscape(bytes[index]) { return true }
      index += 1
    }
    return false
  }

  private static func appendEscaped(_ string: String, to out: inout [UInt8]) {
    for byte in string.utf8 {
      switch byte {
      case UInt8(ascii: "\""): out.append(contentsOf: [92, 34])
      case UInt8(ascii: "\\"): out.append(contentsOf: [92, 92])
      case 0x0A: out.append(contentsOf: [92, UInt8(ascii: "n")])
      case 0x0D: out.append(contentsOf: [92, UInt8(ascii: "r")])
      case 0x09: out.append(contentsOf: [92, UInt8(ascii: "t")])
      case 0..<0x20:
        let hex = Array("0123456789abcdef".utf8)
        out.append(contentsOf: [92, UInt8(ascii: "u"), 48, 48, hex[Int(byte >> 4)], hex[Int(byte & 15)]])
      default: out.append(byte)
      }
    }
  }

  public static func escaped(_ string: String) -> String {
    var out: [UInt8] = []
    appendString(string, to: &out)
    return String(decoding: out, as: UTF8.self)
  }
}
