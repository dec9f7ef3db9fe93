import LatchkeyText

/// Decodes bytea text output: the hex format (`\x0aff`, the default since 9.0) and, in case a
/// server is configured with `bytea_output = escape`, the escape format.
enum Bytea {
  static func decode(_ text: String) -> [UInt8]? {
    let utf8 = Array(text.utf8)
    if utf8.count >= 2 && utf8[0] == UInt8(ascii: "\\") && utf8[1] == UInt8(ascii: "x") {
      return decodeHex(utf8[2...])
    }
    return decodeEscape(utf8)
  }

  private static func decodeHex(_ digits: ArraySlice<UInt8>) -> [UInt8]? {
    guard digits.count % 2 == 0 else { return nil }
    var out: [UInt8] = []
    out.reserveCapacity(digits.count / 2)
    var index = digits.startIndex
    while index < digits.endIndex {
      guard let high = ASCIIHex.value(digits[index]), let low = ASCIIHex.value(digits[index + 1]) else {
        return nil
      }
      out.append(high << 4 | low)
      index += 2
    }
    return out
  }

  private static func decodeEscape(_ bytes: [UInt8]) -> [UInt8]? {
    var out: [UInt8] = []
    out.reserveCapacity(bytes.count)
    var index = 0
    let backslash = UInt8(ascii: "\\")
    while index < bytes.count {
      let byte = bytes[index]
      if byte != backslash {
        out.append(byte)
        index += 1
      } else if index + 1 < bytes.count && bytes[index + 1] == backslash {
        out.append(backslash)
        index += 2
      } else if index + 3 < bytes.count,
        let value = octal(bytes[index + 1], bytes[index + 2], bytes[index + 3])
      {
        out.append(value)
        index += 4
      } else {
        return nil
      }
    }
    return out
  }

  private static func octal(_ a: UInt8, _ b: UInt8, _ c: UInt8) -> UInt8? {
    let zero = UInt8(ascii: "0")
    guard (zero...zero + 3).contains(a), (zero...zero + 7).contains(b), (zero...zero + 7).contains(c)
    else { return nil }
    return (a - zero) << 6 | (b - zero) << 3 | (c - zero)
  }
}
