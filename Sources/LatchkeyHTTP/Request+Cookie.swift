/// One cookie by name without building `cookies`' dictionary: the refresh
/// path reads one cookie per request, and the dictionary plus per-scalar
/// trimming through CharacterSet cost more than verifying the token.
extension Request {
  /// The same answer as `cookies[name]`: the first pair (in header order)
  /// whose trimmed name equals `name`, its value trimmed and unquoted.
  public func cookie(_ name: String) -> String? {
    for (headerName, value) in headers where headerName == "cookie" {
      var value = value
      let found = value.withUTF8 { bytes in Self.cookie(name, in: bytes) }
      if let found { return found }
    }
    return nil
  }

  /// Splits on the bytes of `;` and `=`: in UTF-8 an ASCII byte is never
  /// part of another scalar, so this splits where `cookies` splits scalars.
  private static func cookie(_ name: String, in bytes: UnsafeBufferPointer<UInt8>) -> String? {
    var start = 0
    while start < bytes.count {
      var end = start
      while end < bytes.count, bytes[end] != UInt8(ascii: ";") { end += 1 }
      if let eq = (start..<end).first(where: { bytes[$0] == UInt8(ascii: "=") }) {
        let key = trimmed(bytes, start..<eq)
        if !key.isEmpty, keyMatches(key, bytes, name) {
          var value = trimmed(bytes, (eq + 1)..<end)
          if let slow = value.slow { return unquoted(slow) }
          if value.range.count >= 2, bytes[value.range.lowerBound] == UInt8(ascii: "\""),
            bytes[value.range.upperBound - 1] == UInt8(ascii: "\"")
          {
            value.range = (value.range.lowerBound + 1)..<(value.range.upperBound - 1)
          }
          return String(decoding: UnsafeBufferPointer(rebasing: bytes[value.range]), as: UTF8.self)
        }
      }
      start = end + 1
    }
    return nil
  }

  /// A trimmed part of a pair: a byte range when its ends are ASCII (the
  /// only ASCII whitespace CharacterSet.whitespaces holds is space and tab),
  /// else the string `trimmed(_:)` makes of it.
  private struct Part {
    var range: Range<Int>
    var slow: String?
    var isEmpty: Bool { slow.map(\.isEmpty) ?? range.isEmpty }
  }

  private static func trimmed(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Part {
    var lower = range.lowerBound
    var upper = range.upperBound
    func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 }
    while lower < upper, isSpace(bytes[lower]) { lower += 1 }
    while upper > lower, isSpace(bytes[upper - 1]) { upper -= 1 }
    if lower < upper, bytes[lower] >= 0x80 || bytes[upper - 1] >= 0x80 {
      let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[lower..<upper]), as: UTF8.self)
      return Part(range: lower..<upper, slow: trimmed(text[...].unicodeScalars))
    }
    return Part(range: lower..<upper, slow: nil)
  }

  /// String equality (canonical equivalence) as the dictionary compares
  /// keys; for two ASCII strings that is byte equality.
  private static func keyMatches(_ key: Part, _ bytes: UnsafeBufferPointer<UInt8>, _ name: String) -> Bool {
    if let slow = key.slow { return slow == name }
    let keyBytes = UnsafeBufferPointer(rebasing: bytes[key.range])
    var name = name
    return name.withUTF8 { nameBytes in
      if nameBytes.elementsEqual(keyBytes) { return true }
      guard keyBytes.contains(where: { $0 >= 0x80 }) || nameBytes.contains(where: { $0 >= 0x80 }) else {
        return false
      }
      return String(decoding: keyBytes, as: UTF8.self) == String(decoding: nameBytes, as: UTF8.self)
    }
  }

  private static func unquoted(_ value: String) -> String {
    let scalars = value.unicodeScalars
    if scalars.count >= 2, scalars.first == "\"", scalars.last == "\"" {
      return String(String.UnicodeScalarView(scalars.dropFirst().dropLast()))
    }
    return value
  }
}
