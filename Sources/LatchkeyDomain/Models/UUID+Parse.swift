import FoundationEssentials

extension UUID {
  /// Parses the canonical 36-character form (either case) without
  /// Foundation's sscanf-based parser, which costs more than verifying the
  /// token it came from. Nil for anything else.
  public static func parse(_ text: String) -> UUID? {
    var bytes = [UInt8](repeating: 0, count: 16)
    var index = 0
    var high: UInt8? = nil
    var position = 0
    for byte in text.utf8 {
      defer { position += 1 }
      if position == 8 || position == 13 || position == 18 || position == 23 {
        guard byte == UInt8(ascii: "-") else { return nil }
        continue
      }
      let value: UInt8
      switch byte {
      case UInt8(ascii: "0")...UInt8(ascii: "9"): value = byte - UInt8(ascii: "0")
      case UInt8(ascii: "a")...UInt8(ascii: "f"): value = byte - UInt8(ascii: "a") + 10
      case UInt8(ascii: "A")...UInt8(ascii: "F"): value = byte - UInt8(ascii: "A") + 10
      default: return nil
      }
      guard index < 16 else { return nil }
      if let first = high {
        bytes[index] = first << 4 | value
        index += 1
        high = nil
      } else {
        high = value
      }
    }
    guard position == 36, index == 16 else { return nil }
    return bytes.withUnsafeBytes { raw in UUID(uuid: raw.load(as: uuid_t.self)) }
  }
}
