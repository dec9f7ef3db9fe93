/// Where a handler runs. `inline` handlers run on MHD's poll threads and must
/// never block (no SQL, no argon2); `blocking` ones run on the worker pool
/// while the connection is suspended, so a slow handler never delays a cheap one.
public enum Execution: Sendable {
  case inline
  /// Short blocking work (SQL round trips): the worker pool, sized to the
  /// work it waits on (the database pool), so workers never queue for
  /// connections, and a worker that finishes takes the next request without
  /// going to sleep.
  case blocking
  /// Blocking work that is slow on purpose (password hashing): its own
  /// threads, so a login flood never holds the workers the short work needs.
  case slow
  /// Inline while the condition holds (e.g. the revocation view is in sync
  /// and no I/O is needed), blocking otherwise. Asked per request.
  case inlineWhen(@Sendable () -> Bool)

  public var runsInline: Bool {
    switch self {
    case .inline: return true
    case .blocking, .slow: return false
    case .inlineWhen(let condition): return condition()
    }
  }

  /// Runs on the slow pool rather than the worker pool when not inline.
  public var isSlow: Bool {
    if case .slow = self { return true }
    return false
  }
}

public typealias Handler = @Sendable (Request) throws -> Response

public struct Route: Sendable {
  public let method: String
  public let pattern: String
  public let execution: Execution
  /// Applied to every answer of this route, errors included.
  public let cache: CachePolicy
  public let handler: Handler
  fileprivate let segments: [Segment]

  fileprivate enum Segment: Sendable, Equatable {
    case literal(String)
    case parameter(String)
  }
}

/// Path matching with `{name}` parameters. Built once at start-up, then
/// read-only, so it is shared by every thread without locking.
public struct Router: Sendable {
  public enum Match: Sendable {
    case found(Route, parameters: [String: String])
    case methodNotAllowed(allow: [String])
    case notFound
  }

  private var routes: [Route] = []
  /// Routes without parameters by their segments, then method: one hash
  /// lookup (of the segments as they are, nothing joined) for the common
  /// case. Literal routes take precedence over parameterised ones; the first
  /// route declared for a method and path is the one.
  private var literal: [[String]: [Route]] = [:]

  public init() {}

  /// String methods (kept for existing callers; prefer `HTTPMethod`).
  public mutating func add(
    _ method: String, _ pattern: String, execution: Execution = .blocking, cache: CachePolicy = .unspecified,
    _ handler: @escaping Handler
  ) {
    add(HTTPMethod(method), pattern, execution: execution, cache: cache, handler)
  }

  public mutating func add(
    _ httpMethod: HTTPMethod, _ pattern: String, execution: Execution = .blocking,
    cache: CachePolicy = .unspecified, _ handler: @escaping Handler
  ) {
    let method = httpMethod.rawValue
    let segments = Self.split(pattern).map { part -> Route.Segment in
      if part.hasPrefix("{"), part.hasSuffix("}") { return .parameter(String(part.dropFirst().dropLast())) }
      return .literal(String(part))
    }
    let route = Route(
      method: method, pattern: pattern, execution: execution, cache: cache, handler: handler,
      segments: segments)
    routes.append(route)
    if !pattern.contains("{"), pattern.hasPrefix("/") {
      let key = Self.split(pattern)
      if literal[key]?.contains(where: { $0.method == method }) != true {
        literal[key, default: []].append(route)
      }
    }
  }

  public func match(method: String, path: String) -> Match {
    match(method: method, segments: Self.split(path))
  }

  /// Matches decoded segments (see `RequestTarget`): a segment holding an
  /// encoded `/` never matches a literal, and binds to a parameter as is.
  public func match(method: String, segments parts: [String]) -> Match {
    // The hash lookup only for plain ASCII: String equality is Unicode
    // canonical equivalence, under which e.g. U+212A KELVIN SIGN equals "K";
    // a route must match the bytes it was declared with, nothing else.
    if parts.allSatisfy({ $0.utf8.allSatisfy { $0 < 0x80 && $0 != UInt8(ascii: "/") } }),
      let candidates = literal[parts]
    {
      let wanted = method == "HEAD" ? "GET" : method
      if let route = candidates.first(where: { $0.method == wanted }) {
        return .found(route, parameters: [:])
      }
    }
    var allowed: [String] = []
    for route in routes {
      guard let parameters = Self.bind(route.segments, to: parts) else { continue }
      if route.method == method || (method == "HEAD" && route.method == "GET") {
        return .found(route, parameters: parameters)
      }
      allowed.append(route.method)
    }
    if allowed.isEmpty { return .notFound }
    if allowed.contains("GET") { allowed.append("HEAD") }
    allowed.append("OPTIONS")
    var seen = Set<String>()
    return .methodNotAllowed(allow: allowed.filter { seen.insert($0).inserted })
  }

  /// Exact segments: "/login/" is not "/login" (a trailing slash is another path).
  /// By byte, not by Character: "/" followed by a combining mark is one
  /// Character, but still a separator.
  static func split(_ path: String) -> [String] {
    path.utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false).dropFirst().map {
      String(decoding: $0, as: UTF8.self)
    }
  }

  private static func bind(_ segments: [Route.Segment], to parts: [String]) -> [String: String]? {
    guard segments.count == parts.count else { return nil }
    var parameters: [String: String] = [:]
    for (segment, part) in zip(segments, parts) {
      switch segment {
      case .literal(let text): if !text.utf8.elementsEqual(part.utf8) { return nil }
      case .parameter(let name): parameters[name] = part
      }
    }
    return parameters
  }
}
