/// Text for the browser pages (docs/oauth.md). The one way a value reaches
/// markup: every page puts text and attribute values (always double-quoted)
/// through `escape`, so a client name or an email cannot open a tag or leave
/// an attribute.
enum HTMLText {
  /// Escapes `& < > " '`. Works on UTF-8 bytes rather than Characters: a
  /// combining scalar after `<` (U+0338 makes "≮") would hide it from a
  /// Character comparison, while the HTML tokenizer still sees the `<`.
  static func escape(_ s: String) -> String {
    let bytes = s.utf8
    guard bytes.contains(where: { replacement(for: $0) != nil }) else { return s }
    var out: [UInt8] = []
    out.reserveCapacity(bytes.count + 16)
    for byte in bytes {
      if let entity = replacement(for: byte) {
        out.append(contentsOf: entity.utf8)
      } else {
        out.append(byte)
      }
    }
    return String(decoding: out, as: UTF8.self)
  }

  /// Numeric for the apostrophe: `&apos;` is not an HTML 4 entity.
  private static func replacement(for byte: UInt8) -> String? {
    switch byte {
    case UInt8(ascii: "&"): return "&amp;"
    case UInt8(ascii: "<"): return "&lt;"
    case UInt8(ascii: ">"): return "&gt;"
    case UInt8(ascii: "\""): return "&quot;"
    case UInt8(ascii: "'"): return "&#39;"
    default: return nil
    }
  }
}
