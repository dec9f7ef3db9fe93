import LatchkeyText

/// The path of a request target as received (percent-encoded), decoded
/// strictly for routing. Pure, so tests and the fuzzer drive it directly.
///
/// Routing works on segments split at the raw `/` and decoded one by one, so
/// an encoded slash is data inside a segment: `/api%2Fme` is the single
/// segment `api/me` and never routes to `/api/me`, while `/items/a%2Fb`
/// gives the parameter `a/b`. Refused with 400, never routed on a prefix:
/// a NUL (raw or `%00`), any other control character, a malformed escape,
/// and bytes that are not UTF-8 once decoded (which covers overlong forms
/// such as `%C0%AE` for `.` or `%C0%AF` for `/`).
public struct RequestTarget: Sendable, Equatable {
  /// The decoded path, for logs and handlers (ambiguous when a segment
  /// holds an encoded slash; routing uses `segments`).
  public var path: String
  /// Decoded segments after the leading `/` ("/a/b" → ["a", "b"], "/" → [""]).
  public var segments: [String]

  /// Parses the path part of an origin-form target (`/…`), optionally
  /// followed by `?query`, which is ignored here.
  public static func parse(_ raw: some Collection<UInt8>) throws(HTTPError) -> RequestTarget {
    let bytes = Array(raw)
    let pathEnd = bytes.firstIndex(of: UInt8(ascii: "?")) ?? bytes.endIndex
    guard pathEnd > 0, bytes[0] == UInt8(ascii: "/") else {
      throw .badRequest("request target must be an absolute path")
    }
    // The query may hold nothing that could cut a C string either.
    guard !bytes.contains(0), !containsEncodedNUL(bytes[pathEnd...]) else {
      throw .badRequest("request target contains a NUL")
    }
    // The common path: printable ASCII without an escape decodes to itself,
    // so the path is its own text and the segments are its pieces (what
    // the loop below gives, without validating and joining them again).
    if !bytes[..<pathEnd].contains(where: { $0 < 0x20 || $0 >= 0x7F || $0 == UInt8(ascii: "%") }) {
      return plainTarget(bytes, pathEnd: pathEnd)
    }
    var segments: [String] = []
    for rawSegment in bytes[1..<pathEnd].split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
    {
      segments.append(try decodeSegment(rawSegment))
    }
    if segments.isEmpty { segments = [""] }
    return RequestTarget(path: "/" + segments.joined(separator: "/"), segments: segments)
  }

  /// A path of printable ASCII without escapes: split at each `/` (empty
  /// segments kept), one array sized up front.
  private static func plainTarget(_ bytes: [UInt8], pathEnd: Int) -> RequestTarget {
    bytes.withUnsafeBufferPointer { buffer in
      var segments: [String] = []
      segments.reserveCapacity(buffer[1..<pathEnd].count { $0 == UInt8(ascii: "/") } + 1)
      var start = 1
      for index in 1...pathEnd where index == pathEnd || buffer[index] == UInt8(ascii: "/") {
        segments.append(String(decoding: UnsafeBufferPointer(rebasing: buffer[start..<index]), as: UTF8.self))
        start = index + 1
      }
      return RequestTarget(
        path: String(decoding: UnsafeBufferPointer(rebasing: buffer[..<pathEnd]), as: UTF8.self),
        segments: segments)
    }
  }

  private static func decodeSegment(_ raw: ArraySlice<UInt8>) throws(HTTPError) -> String {
    // Most segments hold no escape: validate them in place instead of
    // copying them byte by byte into a buffer first.
    if !raw.contains(UInt8(ascii: "%")) {
      guard !raw.contains(where: { $0 < 0x20 || $0 == 0x7F }) else {
        throw .badRequest("control character in path")
      }
      guard let text = String(validating: raw, as: UTF8.self) else {
        throw .badRequest("path is not valid UTF-8")
      }
      return text
    }
    var decoded: [UInt8] = []
    decoded.reserveCapacity(raw.count)
    var index = raw.startIndex
    while index < raw.endIndex {
      var byte = raw[index]
      if byte == UInt8(ascii: "%") {
        guard raw.endIndex - index >= 3, let high = ASCIIHex.value(raw[index + 1]),
          let low = ASCIIHex.value(raw[index + 2])
        else { throw .badRequest("malformed percent-escape in path") }
        byte = high << 4 | low
        index += 3
      } else {
        index += 1
      }
      guard byte >= 0x20, byte != 0x7F else { throw .badRequest("control character in path") }
      decoded.append(byte)
    }
    guard let text = String(validating: decoded, as: UTF8.self) else {
      throw .badRequest("path is not valid UTF-8")
    }
    return text
  }

  private static func containsEncodedNUL(_ bytes: ArraySlice<UInt8>) -> Bool {
    var index = bytes.startIndex
    while index + 2 < bytes.endIndex {
      if bytes[index] == UInt8(ascii: "%"), bytes[index + 1] == UInt8(ascii: "0"),
        bytes[index + 2] == UInt8(ascii: "0")
      {
        return true
      }
      index += 1
    }
    return false
  }
}
