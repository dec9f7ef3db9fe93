import FoundationEssentials
import LatchkeyText

/// One HTTP request, fully read. Built on the poll thread and handed to a
/// worker as a value, so handlers never touch the MHD connection.
public struct Request: Sendable {
  public var method: String
  /// The decoded path without its query string.
  public var path: String
  /// The path's segments, split where the client sent a `/` and then
  /// decoded (an encoded slash stays inside its segment): what routing uses.
  public var pathSegments: [String]
  public var query: [String: String]
  /// The query exactly as sent (after `?`, before any `#`), for handlers
  /// that must see repeated parameters or keep the query byte for byte
  /// (`FormBody.pairs` decodes it).
  public var rawQuery: String = ""
  /// Header names are lower-cased; repeated headers keep every value in order.
  public var headers: [(name: String, value: String)]
  public var body: [UInt8]
  /// The socket peer's address (not X-Forwarded-For: see ClientAddressResolver).
  public var peerAddress: String
  public var requestID: String
  /// Path parameters filled in by the router (`{id}` → `parameters["id"]`).
  public var parameters: [String: String] = [:]
  /// The matched route's pattern, for metrics and logs (low cardinality).
  public var routePattern: String = ""

  public init(
    method: String, path: String, query: [String: String] = [:],
    headers: [(name: String, value: String)] = [], body: [UInt8] = [],
    peerAddress: String = "127.0.0.1", requestID: String = ""
  ) {
    self.method = method
    self.path = path
    self.pathSegments = Router.split(path)
    self.query = query
    self.headers = headers.map { (name: $0.name.lowercased(), value: $0.value) }
    self.body = body
    self.peerAddress = peerAddress
    self.requestID = requestID
  }

  /// What the MHD bridge already has: segments from `RequestTarget`, header
  /// names lower-cased as they were collected. No re-splitting, no copies.
  init(
    method: String, path: String, segments: [String], query: [String: String], rawQuery: String,
    lowercasedHeaders: [(name: String, value: String)], body: [UInt8], peerAddress: String, requestID: String
  ) {
    self.method = method
    self.path = path
    self.pathSegments = segments
    self.query = query
    self.rawQuery = rawQuery
    self.headers = lowercasedHeaders
    self.body = body
    self.peerAddress = peerAddress
    self.requestID = requestID
  }

  /// The method as a type (`method` stays the string on the wire).
  public var httpMethod: HTTPMethod { HTTPMethod(method) }

  /// The first value of a header, by case-insensitive name.
  public func header(_ name: String) -> String? {
    // Callers pass lower-case constants: skip the allocating lowercased().
    let key = ASCIICase.isLower(name) ? name : name.lowercased()
    return headers.first { $0.name == key }?.value
  }

  /// Cookies from every `Cookie` header; the first occurrence of a name wins,
  /// as browsers send the most specific cookie first (RFC 6265 §5.4).
  public var cookies: [String: String] {
    var result: [String: String] = [:]
    // Split on Unicode scalars, not Characters: a scalar such as U+0600 joins
    // the `;` or `=` after it into one Character, which would hide the
    // separator (the fuzzer found it).
    for (name, value) in headers where name == "cookie" {
      for pair in value.unicodeScalars.split(separator: ";") {
        guard let eq = pair.firstIndex(of: "=") else { continue }
        let key = Self.trimmed(pair[pair.startIndex..<eq])
        var val = Self.trimmed(pair[pair.index(after: eq)...])
        if val.unicodeScalars.count >= 2, val.unicodeScalars.first == "\"", val.unicodeScalars.last == "\"" {
          val = String(String.UnicodeScalarView(val.unicodeScalars.dropFirst().dropLast()))
        }
        if !key.isEmpty, result[key] == nil { result[key] = val }
      }
    }
    return result
  }

  static func trimmed(_ scalars: Substring.UnicodeScalarView) -> String {
    var slice = scalars[...]
    while let first = slice.first, first.isTrimmableWhitespace { slice = slice.dropFirst() }
    while let last = slice.last, last.isTrimmableWhitespace { slice = slice.dropLast() }
    return String(String.UnicodeScalarView(slice))
  }

  /// The bearer token of an `Authorization: Bearer x` header (scheme is
  /// case-insensitive per RFC 7235); nil when absent or another scheme.
  public var bearerToken: String? {
    guard var value = header("authorization") else { return nil }
    // Byte-level parsing over the header's own UTF-8: Foundation's trimming
    // bridges through NSString, and copying the bytes into arrays first cost
    // more than finding the token in them.
    return value.withUTF8 { bytes -> String? in
      func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 }
      var start = 0
      while start < bytes.count, isSpace(bytes[start]) { start += 1 }
      guard bytes.count - start > 7, isSpace(bytes[start + 6]),
        bytes[start] | 0x20 == UInt8(ascii: "b"), bytes[start + 1] | 0x20 == UInt8(ascii: "e"),
        bytes[start + 2] | 0x20 == UInt8(ascii: "a"), bytes[start + 3] | 0x20 == UInt8(ascii: "r"),
        bytes[start + 4] | 0x20 == UInt8(ascii: "e"), bytes[start + 5] | 0x20 == UInt8(ascii: "r")
      else { return nil }
      var from = start + 7
      while from < bytes.count, isSpace(bytes[from]) { from += 1 }
      var end = bytes.count
      while end > from, isSpace(bytes[end - 1]) { end -= 1 }
      guard end > from else { return nil }
      return String(decoding: UnsafeBufferPointer(rebasing: bytes[from..<end]), as: UTF8.self)
    }
  }

  /// Decodes the JSON body, enforcing docs/api.md#request-bodies: JSON content type (415) and
  /// well-formed JSON with the right field types (400).
  public func decodeJSON<T: Decodable>(_ type: T.Type) throws(HTTPError) -> T {
    let contentType = header("content-type")?.split(separator: ";").first?
      .trimmingWhitespace().lowercased()
    guard contentType == "application/json" else {
      throw HTTPError(
        status: 415, code: "unsupported_media_type",
        description: "request body must be application/json")
    }
    do {
      return try JSONDecoder().decode(T.self, from: Data(body))
    } catch let error as DecodingError {
      throw HTTPError(status: 400, code: "invalid_request", description: Self.describe(error))
    } catch {
      throw HTTPError(status: 400, code: "invalid_request", description: "malformed JSON body")
    }
  }

  /// Names the offending field but never echoes a value (it may be a password).
  private static func describe(_ error: DecodingError) -> String {
    func path(_ context: DecodingError.Context) -> String {
      context.codingPath.map(\.stringValue).joined(separator: ".")
    }
    switch error {
    case .keyNotFound(let key, _): return "missing field '\(key.stringValue)'"
    case .typeMismatch(_, let context):
      return context.codingPath.isEmpty
        ? "request body must be a JSON object" : "wrong type for field '\(path(context))'"
    case .valueNotFound(_, let context): return "field '\(path(context))' must not be null"
    case .dataCorrupted(let context):
      return context.codingPath.isEmpty ? "malformed JSON body" : "invalid field '\(path(context))'"
    @unknown default: return "malformed JSON body"
    }
  }
}
