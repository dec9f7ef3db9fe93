/// Case-insensitive comparison of header names, which are ASCII tokens
/// (RFC 9110 §5.1), without allocating lower-cased copies. Bytes outside
/// ASCII compare exactly, as `lowercased()` would leave them.
enum ASCIICase {
  @inline(__always)
  static func equal(_ a: String, _ b: String) -> Bool {
    // Most names differ in length: settled here, inlined, without touching
    // (or retaining) either string's bytes.
    a.utf8.count == b.utf8.count && sameBytesIgnoringCase(a, b)
  }

  private static func sameBytesIgnoringCase(_ a: String, _ b: String) -> Bool {
    var a = a
    var b = b
    return a.withUTF8 { x in
      b.withUTF8 { y in
        guard x.count == y.count else { return false }
        for index in 0..<x.count where lower(x[index]) != lower(y[index]) { return false }
        return true
      }
    }
  }

  /// True when `name` is already lower-case ASCII-wise (no `A`–`Z`).
  static func isLower(_ name: String) -> Bool {
    var name = name
    return name.withUTF8 { bytes in !bytes.contains { $0 >= 0x41 && $0 <= 0x5A } }
  }

  @inline(__always)
  static func lower(_ byte: UInt8) -> UInt8 {
    byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte
  }
}
