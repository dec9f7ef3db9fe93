import FoundationEssentials

/// An HTTP response. Headers are an ordered list so several `Set-Cookie`
/// headers survive.
public struct Response: Sendable {
  public var status: Int
  public var headers: [(name: String, value: String)]
  public var body: [UInt8]
  /// Applied by `Responder` after every middleware (see `CachePolicy`).
  public var cache: CachePolicy = .unspecified

  public init(status: Int, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
    self.status = status
    self.headers = headers
    self.body = body
  }

  public init(
    status: HTTPStatus, headers: [(name: String, value: String)] = [], body: [UInt8] = [],
    cache: CachePolicy = .unspecified
  ) {
    self.init(status: status.code, headers: headers, body: body)
    self.cache = cache
  }

  /// The status as a type (`status` stays the wire number).
  public var httpStatus: HTTPStatus {
    get { HTTPStatus(status) }
    set { status = newValue.code }
  }

  public static func noContent(headers: [(name: String, value: String)] = []) -> Response {
    Response(status: 204, headers: headers)
  }

  public static func json(_ status: HTTPStatus, bytes: [UInt8]) -> Response {
    json(status.code, bytes: bytes)
  }

  /// A JSON response from raw bytes already serialised by the caller.
  public static func json(_ status: Int, bytes: [UInt8]) -> Response {
    // Room for what the middleware and cache policy add (request id,
    // nosniff, Cache-Control, Pragma), so the list is allocated once.
    var headers: [(name: String, value: String)] = []
    headers.reserveCapacity(8)
    headers.append(("Content-Type", "application/json"))
    return Response(status: status, headers: headers, body: bytes)
  }

  /// A JSON response from an Encodable value (sorted keys: stable output).
  public static func json<T: Encodable>(_ status: Int, _ value: T) -> Response {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    let data = (try? encoder.encode(value)) ?? Data("{}".utf8)
    return json(status, bytes: [UInt8](data))
  }

  public func header(_ name: String) -> String? {
    headers.first { ASCIICase.equal($0.name, name) }?.value
  }

  public func headers(named name: String) -> [String] {
    headers.filter { ASCIICase.equal($0.name, name) }.map(\.value)
  }

  public mutating func setHeader(_ name: String, _ value: String) {
    // Every middleware sets a header on every answer: compare in place
    // rather than lower-casing (two allocations) each existing name.
    // Usually there is none to remove: a read-only scan then, not
    // removeAll's in-place partition (which first makes the array unique).
    if headers.contains(where: { ASCIICase.equal($0.name, name) }) {
      headers.removeAll { ASCIICase.equal($0.name, name) }
    }
    headers.append((name, value))
  }

  public mutating func addHeader(_ name: String, _ value: String) {
    headers.append((name, value))
  }

  /// Marks a response that carries a token (RFC 6749 §5.1); same as
  /// `cache = .noStore`, whose headers `Responder` writes.
  public mutating func forbidCaching() {
    cache = .noStore
    CachePolicy.noStore.apply(to: &self)
  }
}
