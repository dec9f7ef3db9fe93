import FoundationEssentials

extension UUID {
  /// `uuidString.lowercased()` without its two allocations and snprintf:
  /// every access token carries two of these.
  public var lowercasedString: String {
    let hex = Array("0123456789abcdef".utf8)
    return withUnsafeBytes(of: uuid) { raw in
      String(unsafeUninitializedCapacity: 36) { out in
        var position = 0
        for (index, byte) in raw.enumerated() {
          if index == 4 || index == 6 || index == 8 || index == 10 {
            out[position] = UInt8(ascii: "-")
            position += 1
          }
          out[position] = hex[Int(byte >> 4)]
          out[position + 1] = hex[Int(byte & 0x0F)]
          position += 2
        }
        return position
      }
    }
  }
}
