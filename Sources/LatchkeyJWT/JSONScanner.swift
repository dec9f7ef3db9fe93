// Over 300 lines on purpose: one small, allocation-free JSON reader for the
// JWT hot path (header and claims), kept whole so its strictness (duplicate
// keys, escapes, numbers) is reviewed in one place.

struct JSONSyntaxError: Error {}

/// A string token inside the scanned buffer. Escapes are decoded only when the contents are needed,
/// so keys and values without backslashes are compared and copied straight from the input.
struct JSONStringToken {
  var start: Int
  var end: Int
  var hasEscapes: Bool
}

enum JSONNumber {
  case integer(Int64)
  /// Valid JSON, but a fraction, an exponent or outside Int64.
  case nonInteger
}

/// A strict, allocation-light RFC 8259 reader over UTF-8 bytes. JWT verification is on every request's
/// path; JSONDecoder costs ~5 µs for a claims object and JSONSerialization bridges Bool to NSNumber, so
/// this reads exactly the shapes we need and validates the rest without building values.
struct JSONScanner {
  static let maxDepth = 32

  let bytes: UnsafeBufferPointer<UInt8>
  private(set) var index = 0

  init(_ bytes: UnsafeBufferPointer<UInt8>) {
    self.bytes = bytes
  }

  mutating func skipWhitespace() {
    while index < bytes.count {
      switch bytes[index] {
      case 0x20, 0x09, 0x0A, 0x0D: index += 1
      default: return
      }
    }
  }

  mutating func peek() -> UInt8? {
    skipWhitespace()
    return index < bytes.count ? bytes[index] : nil
  }

  mutating func consume(_ byte: UInt8) throws(JSONSyntaxError) {
    guard peek() == byte else { throw JSONSyntaxError() }
    index += 1
  }

  /// After the top-level value only whitespace may follow.
  mutating func finish() throws(JSONSyntaxError) {
    guard peek() == nil else { throw JSONSyntaxError() }
  }

  /// Object iteration: call after consuming `{`; returns the next key (positioned before its value)
  /// or nil after consuming the closing `}`.
  mutating func nextKey(first: inout Bool) throws(JSONSyntaxError) -> JSONStringToken? {
    guard let byte = peek() else { throw JSONSyntaxError() }
    // A `}` straight after a comma never gets here: the comma branch below requires a key next.
    if byte == UInt8(ascii: "}") {
      index += 1
      return nil
    }
    if !first {
      guard byte == UInt8(ascii: ",") else {
        throw JSONSyntaxError()
      }
      index += 1
    }
    first = false
    let key = try readString()
    try consume(UInt8(ascii: ":"))
    return key
  }

  /// Like `nextKey`, for arrays: true when another element follows.
  mutating func nextElement(first: inout Bool) throws(JSONSyntaxError) -> Bool {
    guard let byte = peek() else { throw JSONSyntaxError() }
    if byte == UInt8(ascii: "]") {
      index += 1
      return false
    }
    if !first {
      guard byte == UInt8(ascii: ",") else { throw JSONSyntaxError() }
      index += 1
    }
    first = false
    return true
  }

  mutating func readString() throws(JSONSyntaxError) -> JSONStringToken {
    guard peek() == UInt8(ascii: "\"") else { throw JSONSyntaxError() }
    index += 1
    let start = index
    var hasEscapes = false
    while index < bytes.count {
      let byte = bytes[index]
      switch byte {
      case UInt8(ascii: "\""):
        let token = JSONStringToken(start: start, end: index, hasEscapes: hasEscapes)
        index += 1
        return token
      case UInt8(ascii: "\\"):
        hasEscapes = true
        try skipEscape()
      case 0..<0x20:
        throw JSONSyntaxError()
      case 0x80...:
        try skipUTF8Sequence()
      default:
        index += 1
      }
    }
    throw JSONSyntaxError()
  }

  mutating func readNumber() throws(JSONSyntaxError) -> JSONNumber {
    _ = peek()
    var negative = false
    if index < bytes.count && bytes[index] == UInt8(ascii: "-") {
      negative = true
      index += 1
    }
    guard index < bytes.count, isDigit(bytes[index]) else { throw JSONSyntaxError() }
    var magnitude: UInt64 = 0
    var overflow = false
    let leadingZero = bytes[index] == UInt8(ascii: "0")
    let digitsStart = index
    while index < bytes.count && isDigit(bytes[index]) {
      let (times10, o1) = magnitude.multipliedReportingOverflow(by: 10)
      let (sum, o2) = times10.addingReportingOverflow(UInt64(bytes[index] - UInt8(ascii: "0")))
      overflow = overflow || o1 || o2
      magnitude = sum
      index += 1
    }
    if leadingZero && index - digitsStart > 1 { throw JSONSyntaxError() }
    var integral = true
    if index < bytes.count && bytes[index] == UInt8(ascii: ".") {
      integral = false
      index += 1
      try skipDigits()
    }
    if index < bytes.count && (bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E")) {
      integral = false
      index += 1
      if index < bytes.count && (bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-")) {
        index += 1
      }
      try skipDigits()
    }
    guard integral, !overflow else { return .nonInteger }
    if negative {
      guard magnitude <= UInt64(Int64.max) + 1 else { return .nonInteger }
      return .integer(magnitude == UInt64(Int64.max) + 1 ? Int64.min : -Int64(magnitude))
    }
    guard magnitude <= UInt64(Int64.max) else { return .nonInteger }
    return .integer(Int64(magnitude))
  }

  /// Validates and skips any value.
  mutating func skipValue(depth: Int = 0) throws(JSONSyntaxError) {
    guard depth < Self.maxDepth, let byte = peek() else { throw JSONSyntaxError() }
    switch byte {
    case UInt8(ascii: "\""):
      _ = try readString()
    case UInt8(ascii: "{"):
      index += 1
      var first = true
      while try nextKey(first: &first) != nil {
        try skipValue(depth: depth + 1)
      }
    case UInt8(ascii: "["):
      index += 1
      var first = true
      while try nextElement(first: &first) {
        try skipValue(depth: depth + 1)
      }
    case UInt8(ascii: "t"):
      try literal("true")
    case UInt8(ascii: "f"):
      try literal("false")
    case UInt8(ascii: "n"):
      try literal("null")
    default:
      _ = try readNumber()
    }
  }

  // MARK: string contents

  func matches(_ token: JSONStringToken, _ expected: [UInt8]) -> Bool {
    if token.hasEscapes {
      return decodedBytes(token) == expected
    }
    guard token.end - token.start == expected.count else { return false }
    var offset = 0
    while offset < expected.count {
      if bytes[token.start + offset] != expected[offset] { return false }
      offset += 1
    }
    return true
  }

  func string(_ token: JSONStringToken) -> String {
    if token.hasEscapes {
      return String(decoding: decodedBytes(token), as: UTF8.self)
    }
    return String(decoding: UnsafeBufferPointer(rebasing: bytes[token.start..<token.end]), as: UTF8.self)
  }

  /// The unescaped UTF-8 contents; escapes were validated by `readString`.
  func decodedBytes(_ token: JSONStringToken) -> [UInt8] {
    var output: [UInt8] = []
    output.reserveCapacity(token.end - token.start)
    var position = token.start
    while position < token.end {
      let byte = bytes[position]
      guard byte == UInt8(ascii: "\\") else {
        output.append(byte)
        position += 1
        continue
      }
      let escape = bytes[position + 1]
      position += 2
      switch escape {
      case UInt8(ascii: "b"): output.append(0x08)
      case UInt8(ascii: "f"): output.append(0x0C)
      case UInt8(ascii: "n"): output.append(0x0A)
      case UInt8(ascii: "r"): output.append(0x0D)
      case UInt8(ascii: "t"): output.append(0x09)
      case UInt8(ascii: "u"):
        var scalar = hexValue(at: position)
        position += 4
        if scalar >= 0xD800 && scalar <= 0xDBFF {
          let low = hexValue(at: position + 2)
          position += 6
          scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
        }
        appendUTF8(scalar, to: &output)
      default: output.append(escape)  // \" \\ \/
      }
    }
    return output
  }

  // MARK: private

  private func isDigit(_ byte: UInt8) -> Bool {
    byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
  }

  private mutating func skipDigits() throws(JSONSyntaxError) {
    guard index < bytes.count, isDigit(bytes[index]) else { throw JSONSyntaxError() }
    while index < bytes.count && isDigit(bytes[index]) { index += 1 }
  }

  private mutating func literal(_ word: StaticString) throws(JSONSyntaxError) {
    let count = word.utf8CodeUnitCount
    guard bytes.count - index >= count else { throw JSONSyntaxError() }
    let expected = word.utf8Start
    for offset in 0..<count where bytes[index + offset] != expected[offset] {
      throw JSONSyntaxError()
    }
    index += count
  }

  private func hexDigit(_ byte: UInt8) -> UInt32? {
    switch byte {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(byte - UInt8(ascii: "0"))
    case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt32(byte - UInt8(ascii: "a") + 10)
    case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt32(byte - UInt8(ascii: "A") + 10)
    default: nil
    }
  }

  private func hexValue(at position: Int) -> UInt32 {
    var value: UInt32 = 0
    for offset in 0..<4 {
      value = value << 4 | (hexDigit(bytes[position + offset]) ?? 0)
    }
    return value
  }

  private func checkedHex(at position: Int) throws(JSONSyntaxError) -> UInt32 {
    guard bytes.count - position >= 4 else { throw JSONSyntaxError() }
    var value: UInt32 = 0
    for offset in 0..<4 {
      guard let digit = hexDigit(bytes[position + offset]) else { throw JSONSyntaxError() }
      value = value << 4 | digit
    }
    return value
  }

  /// At a backslash: validates one escape, pairing UTF-16 surrogates so the decoded text is valid UTF-8.
  private mutating func skipEscape() throws(JSONSyntaxError) {
    guard index + 1 < bytes.count else { throw JSONSyntaxError() }
    switch bytes[index + 1] {
    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
      UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
      index += 2
    case UInt8(ascii: "u"):
      let scalar = try checkedHex(at: index + 2)
      index += 6
      if scalar >= 0xDC00 && scalar <= 0xDFFF { throw JSONSyntaxError() }
      if scalar >= 0xD800 && scalar <= 0xDBFF {
        guard bytes.count - index >= 6, bytes[index] == UInt8(ascii: "\\"),
          bytes[index + 1] == UInt8(ascii: "u")
        else { throw JSONSyntaxError() }
        let low = try checkedHex(at: index + 2)
        guard low >= 0xDC00 && low <= 0xDFFF else { throw JSONSyntaxError() }
        index += 6
      }
    default:
      throw JSONSyntaxError()
    }
  }

  /// Validates one multi-byte UTF-8 sequence (no overlongs, no surrogates, nothing above U+10FFFF).
  private mutating func skipUTF8Sequence() throws(JSONSyntaxError) {
    let lead = bytes[index]
    let length: Int
    var lower: UInt8 = 0x80
    var upper: UInt8 = 0xBF
    switch lead {
    case 0xC2...0xDF: length = 2
    case 0xE0:
      length = 3
      lower = 0xA0
    case 0xE1...0xEC, 0xEE...0xEF: length = 3
    case 0xED:
      length = 3
      upper = 0x9F
    case 0xF0:
      length = 4
      lower = 0x90
    case 0xF1...0xF3: length = 4
    case 0xF4:
      length = 4
      upper = 0x8F
    default: throw JSONSyntaxError()
    }
    guard bytes.count - index >= length else { throw JSONSyntaxError() }
    let second = bytes[index + 1]
    guard second >= lower && second <= upper else { throw JSONSyntaxError() }
    for offset in 2..<max(2, length) where bytes[index + offset] & 0xC0 != 0x80 {
      throw JSONSyntaxError()
    }
    index += length
  }

  private func appendUTF8(_ scalar: UInt32, to output: inout [UInt8]) {
    switch scalar {
    case 0..<0x80:
      output.append(UInt8(scalar))
    case 0x80..<0x800:
      output.append(UInt8(0xC0 | (scalar >> 6)))
      output.append(UInt8(0x80 | (scalar & 0x3F)))
    case 0x800..<0x10000:
      output.append(UInt8(0xE0 | (scalar >> 12)))
      output.append(UInt8(0x80 | ((scalar >> 6) & 0x3F)))
      output.append(UInt8(0x80 | (scalar & 0x3F)))
    default:
      output.append(UInt8(0xF0 | (scalar >> 18)))
      output.append(UInt8(0x80 | ((scalar >> 12) & 0x3F)))
      output.append(UInt8(0x80 | ((scalar >> 6) & 0x3F)))
      output.append(UInt8(0x80 | (scalar & 0x3F)))
    }
  }
}
