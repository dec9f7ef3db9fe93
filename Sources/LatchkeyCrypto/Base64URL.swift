/// RFC 4648 §5 base64url without padding, as JWS compact serialization requires.
public enum Base64URL {
  public static func encode<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
    bytes.withContiguousBytes { Base64Codec.url.encode($0) }
  }

  /// Strict decoding: no '=', no whitespace, nothing outside A-Za-z0-9-_, no length % 4 == 1 and no
  /// non-zero trailing bits. Returns nil on any error.
  public static func decode<S: StringProtocol>(_ text: S) -> [UInt8]? {
    decode(utf8: text.utf8)
  }

  /// Same rules as `decode(_:)`, over the encoded text's UTF-8 bytes (avoids building a String).
  public static func decode<C: Collection>(utf8 bytes: C) -> [UInt8]? where C.Element == UInt8 {
    bytes.withContiguousBytes { Base64Codec.url.decode($0) }
  }
}

extension Base64URL {
  /// Appends the encoding of `bytes` to `output`, for callers assembling a token in one buffer.
  public static func append<C: Collection>(_ bytes: C, to output: inout [UInt8]) where C.Element == UInt8 {
    bytes.withContiguousBytes { input in
      let count = Base64Codec.encodedLength(input.count)
      let start = output.count
      output.append(contentsOf: repeatElement(0, count: count))
      output.withUnsafeMutableBufferPointer { buffer in
        Base64Codec.url.encode(input, into: UnsafeMutableBufferPointer(rebasing: buffer[start...]))
      }
    }
  }
}
