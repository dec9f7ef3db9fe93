import FoundationEssentials

extension UUID {
  /// Parses the canonical 36-character form (either case) without
  /// Foundation's sscanf-based parser, which costs more than verifying the
  /// token it came from (and ~9,000 instructions a value in a result row).
  /// Nil for anything else.
  public static func parse(_ text: String) -> UUID? {
    // Over the contiguous UTF-8 into a tuple: iterating `utf8` and filling
    // an array cost ~3,000 instructions a UUID, twice on every /api request.
    var text = text
    return text.withUTF8 { bytes -> UUID? in
      guard bytes.count == 36 else { return nil }
      var uuid: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
      let parsed = withUnsafeMutableBytes(of: &uuid) { out -> Bool in
        var position = 0
        for index in 0..<16 {
          if position == 8 || position == 13 || position == 18 || position == 23 {
            guard bytes[position] == UInt8(ascii: "-") else { return false }
            position += 1
          }
          guard let high = ASCIIHex.value(bytes[position]), let low = ASCIIHex.value(bytes[position + 1])
          else {
            return false
          }
          out[index] = high << 4 | low
          position += 2
        }
        return true
      }
      return parsed ? UUID(uuid: uuid) : nil
    }
  }
}
