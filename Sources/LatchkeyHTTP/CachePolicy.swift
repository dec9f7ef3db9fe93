/// Whether a response may be stored by caches: the one place the rule
/// lives. A route declares it (`cache: .noStore`) or a handler marks its
/// response; `Responder` writes the headers last, so no handler sets them.
public enum CachePolicy: Sendable, Equatable {
  /// No Cache-Control from us (a handler's own header stays).
  case unspecified
  /// Token-bearing or per-user answers (RFC 6749 §5.1, RFC 9111 §5.2.2.5):
  /// `Cache-Control: no-store` and, for HTTP/1.0 caches, `Pragma: no-cache`.
  case noStore

  func apply(to response: inout Response) {
    switch self {
    case .unspecified: return
    case .noStore:
      response.setHeader("Cache-Control", "no-store")
      response.setHeader("Pragma", "no-cache")
    }
  }
}
