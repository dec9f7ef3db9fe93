/// Unpadded base64 over raw bytes, shared by base64url (JWT) and standard base64 (PHC strings).
/// Written by hand because Foundation's padded codec plus character replacement costs ~20 µs per token.
struct Base64Codec: Sendable {
  let alphabet: [UInt8]
  /// 0xFF marks bytes outside the alphabet.
  let reverse: [UInt8]

  init(alphabet text: String) {
    let alphabet = Array(text.utf8)
    precondition(alphabet.count == 64)
    var reverse = [UInt8](repeating: 0xFF, count: 256)
    for (index, symbol) in alphabet.enumerated() {
      reverse[Int(symbol)] = UInt8(index)
    }
    self.alphabet = alphabet
    self.reverse = reverse
  }

  static let url = Base64Codec(
    alphabet: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
  static let standard = Base64Codec(
    alphabet: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")

  static func encodedLength(_ count: Int) -> Int {
    (count / 3) * 4 + [0, 2, 3][count % 3]
  }

  func encode(_ input: UnsafeBufferPointer<UInt8>) -> String {
    let outputCount = Self.encodedLength(input.count)
    if outputCount == 0 { return "" }
    return String(unsafeUninitializedCapacity: outputCount) { output in
      encode(input, into: output)
      return outputCount
    }
  }

  /// Writes exactly `encodedLength(input.count)` bytes to the start of `output`.
  func encode(_ input: UnsafeBufferPointer<UInt8>, into output: UnsafeMutableBufferPointer<UInt8>) {
    precondition(output.count >= Self.encodedLength(input.count))
    alphabet.withUnsafeBufferPointer { table in
      var inIndex = 0
      var outIndex = 0
      let fullEnd = input.count - input.count % 3
      while inIndex < fullEnd {
        let group =
          (UInt32(input[inIndex]) << 16) | (UInt32(input[inIndex + 1]) << 8) | UInt32(input[inIndex + 2])
        output[outIndex] = table[Int((group >> 18) & 0x3F)]
        output[outIndex + 1] = table[Int((group >> 12) & 0x3F)]
        output[outIndex + 2] = table[Int((group >> 6) & 0x3F)]
        output[outIndex + 3] = table[Int(group & 0x3F)]
        inIndex += 3
        outIndex += 4
      }
      switch input.count - fullEnd {
      case 1:
        let b0 = UInt32(input[inIndex])
        output[outIndex] = table[Int(b0 >> 2)]
        output[outIndex + 1] = table[Int((b0 << 4) & 0x3F)]
      case 2:
        let b0 = UInt32(input[inIndex])
        let b1 = UInt32(input[inIndex + 1])
        output[outIndex] = table[Int(b0 >> 2)]
        output[outIndex + 1] = table[Int(((b0 << 4) | (b1 >> 4)) & 0x3F)]
        output[outIndex + 2] = table[Int((b1 << 2) & 0x3F)]
      default:
        break
      }
    }
  }

  /// Strict: rejects padding, whitespace, foreign characters, impossible lengths and
  /// non-zero trailing bits, so every byte string has exactly one accepted encoding.
  func decode(_ input: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
    let remainder = input.count % 4
    if remainder == 1 { return nil }
    let outputCount = (input.count / 4) * 3 + [0, 0, 1, 2][remainder]
    if outputCount == 0 { return [] }
    return reverse.withUnsafeBufferPointer { table -> [UInt8]? in
      var valid = true
      let result = [UInt8](unsafeUninitializedCapacity: outputCount) { output, initialized in
        var inIndex = 0
        var outIndex = 0
        let fullEnd = input.count - remainder
        var bad: UInt8 = 0
        while inIndex < fullEnd {
          let c0 = table[Int(input[inIndex])]
          let c1 = table[Int(input[inIndex + 1])]
          let c2 = table[Int(input[inIndex + 2])]
          let c3 = table[Int(input[inIndex + 3])]
          bad |= (c0 | c1 | c2 | c3) & 0x80
          let group = (UInt32(c0) << 18) | (UInt32(c1) << 12) | (UInt32(c2) << 6) | UInt32(c3)
          output[outIndex] = UInt8(truncatingIfNeeded: group >> 16)
          output[outIndex + 1] = UInt8(truncatingIfNeeded: group >> 8)
          output[outIndex + 2] = UInt8(truncatingIfNeeded: group)
          inIndex += 4
          outIndex += 3
        }
        if remainder >= 2 {
          let c0 = table[Int(input[inIndex])]
          let c1 = table[Int(input[inIndex + 1])]
          bad |= (c0 | c1) & 0x80
          output[outIndex] = (c0 << 2) | (c1 >> 4)
          if remainder == 2 {
            bad |= (c1 & 0x0F) == 0 ? 0 : 0x80
          } else {
            let c2 = table[Int(input[inIndex + 2])]
            bad |= c2 & 0x80
            output[outIndex + 1] = (c1 << 4) | (c2 >> 2)
            bad |= (c2 & 0x03) == 0 ? 0 : 0x80
          }
        }
        valid = bad == 0
        initialized = outputCount
      }
      return valid ? result : nil
    }
  }
}

extension Collection where Element == UInt8 {
  /// Runs `body` over contiguous bytes, copying only when the collection is not contiguous.
  func withContiguousBytes<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
    if let result = try withContiguousStorageIfAvailable(body) {
      return result
    }
    return try Array(self).withUnsafeBufferPointer(body)
  }
}
