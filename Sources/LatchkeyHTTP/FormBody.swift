import LatchkeyText

/// A strict `application/x-www-form-urlencoded` parser (the body of OAuth
/// token and revocation requests). Pure, so tests and the fuzzer drive it.
///
/// Pairs are split at `&` (empty pieces skipped), names from values at the
/// first `=` (a pair without one has the empty value); `+` is a space and
/// `%XX` a byte. Refused with 400, naming no name or value (either may be a
/// secret): a repeated name (RFC 6749 §3.2: parameters must not be sent
/// more than once), an empty name, a malformed escape, bytes that are not
/// UTF-8 once decoded, a NUL (PostgreSQL text cannot hold one), and more
/// than `maximumBytes` or `maximumPairs`. `allowNUL` lets a NUL through for
/// callers that never store a value as text (OAuth: ids are parsed, secrets
/// and tokens digested or verified). With `recognized`, names outside
/// it are dropped, repeated or not (RFC 6749 §3.1: unrecognized parameters
/// are ignored); only the recognized ones must not repeat.
public enum FormBody {
  public static let defaultMaximumBytes = 16 * 1024
  public static let defaultMaximumPairs = 64

  public static func parse(
    _ bytes: some Collection<UInt8>, maximumBytes: Int = defaultMaximumBytes,
    maximumPairs: Int = defaultMaximumPairs, recognized: Set<String>? = nil, allowNUL: Bool = false
  ) throws(HTTPError) -> [String: String] {
    guard bytes.count <= maximumBytes else { throw .badRequest("form body is too large") }
    var result: [String: String] = [:]
    for pair in Array(bytes).split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
      guard result.count < maximumPairs else { throw .badRequest("form body has too many parameters") }
      let equals = pair.firstIndex(of: UInt8(ascii: "=")) ?? pair.endIndex
      let rawName = pair[pair.startIndex..<equals]
      // An unrecognized parameter is skipped unread, whatever it holds.
      if let recognized, !recognized.contains(decodedForMatching(rawName) ?? "") { continue }
      let name = try decode(rawName, allowNUL: allowNUL)
      let value = equals < pair.endIndex ? try decode(pair[(equals + 1)...], allowNUL: allowNUL) : ""
      guard !name.isEmpty else { throw .badRequest("form parameter without a name") }
      guard result.updateValue(value, forKey: name) == nil else {
        throw .badRequest("form parameter repeated")
      }
    }
    return result
  }

  /// The pairs of a query or form in order, repeats kept (`parse` refuses
  /// them): for rules that must tell a repeated parameter from a single one
  /// (RFC 6749 §3.1). The same limits and decoding as `parse`.
  public static func pairs(
    _ bytes: some Collection<UInt8>, maximumBytes: Int = defaultMaximumBytes,
    maximumPairs: Int = defaultMaximumPairs
  ) throws(HTTPError) -> [(String, String)] {
    guard bytes.count <= maximumBytes else { throw .badRequest("query is too large") }
    var result: [(String, String)] = []
    for pair in Array(bytes).split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
      guard result.count < maximumPairs else { throw .badRequest("query has too many parameters") }
      let equals = pair.firstIndex(of: UInt8(ascii: "=")) ?? pair.endIndex
      let name = try decode(pair[pair.startIndex..<equals])
      let value = equals < pair.endIndex ? try decode(pair[(equals + 1)...]) : ""
      result.append((name, value))
    }
    return result
  }

  /// Percent-encodes for a form body (everything but unreserved characters),
  /// so that `parse(encode(x)) == x`.
  public static func encode(_ fields: [(name: String, value: String)]) -> [UInt8] {
    var out: [UInt8] = []
    for (index, field) in fields.enumerated() {
      if index > 0 { out.append(UInt8(ascii: "&")) }
      out += escape(field.name) + [UInt8(ascii: "=")] + escape(field.value)
    }
    return out
  }

  private static func escape(_ text: String) -> [UInt8] {
    let hex = Array("0123456789ABCDEF".utf8)
    var out: [UInt8] = []
    for byte in text.utf8 {
      switch byte {
      case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
        UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
        UInt8(ascii: "~"):
        out.append(byte)
      default:
        out += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]]
      }
    }
    return out
  }

  /// A name decoded only to compare it with the recognized ones (nil when
  /// it cannot be one of them).
  private static func decodedForMatching(_ raw: ArraySlice<UInt8>) -> String? {
    try? decode(raw, allowNUL: true)
  }

  private static func decode(_ raw: ArraySlice<UInt8>, allowNUL: Bool = false) throws(HTTPError) -> String {
    var decoded: [UInt8] = []
    decoded.reserveCapacity(raw.count)
    var index = raw.startIndex
    while index < raw.endIndex {
      let byte = raw[index]
      switch byte {
      case UInt8(ascii: "+"):
        decoded.append(UInt8(ascii: " "))
        index += 1
      case UInt8(ascii: "%"):
        guard raw.endIndex - index >= 3, let high = ASCIIHex.value(raw[index + 1]),
          let low = ASCIIHex.value(raw[index + 2])
        else { throw .badRequest("malformed percent-escape in form body") }
        decoded.append(high << 4 | low)
        index += 3
      default:
        decoded.append(byte)
        index += 1
      }
    }
    guard allowNUL || !decoded.contains(0) else { throw .badRequest("form body contains a NUL") }
    guard let text = String(validating: decoded, as: UTF8.self) else {
      throw .badRequest("form body is not valid UTF-8")
    }
    return text
  }
}

extension Request {
  /// The body as form fields (see `FormBody`): 415 unless the content type
  /// is `application/x-www-form-urlencoded`, 400 when malformed.
  public func decodeForm(recognized: Set<String>? = nil, allowNUL: Bool = false) throws(HTTPError)
    -> [String: String]
  {
    let contentType = header("content-type")?.split(separator: ";").first?
      .trimmingWhitespace().lowercased()
    guard contentType == "application/x-www-form-urlencoded" else {
      throw HTTPError(
        status: 415, code: "unsupported_media_type",
        description: "request body must be application/x-www-form-urlencoded")
    }
    return try FormBody.parse(body, recognized: recognized, allowNUL: allowNUL)
  }
}
