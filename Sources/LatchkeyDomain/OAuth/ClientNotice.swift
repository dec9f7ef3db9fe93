import FoundationEssentials

/// A change to the clients, or a failed client authentication, as
/// instances tell each other about it (over PostgreSQL NOTIFY, published in
/// the transaction that made it), so every instance's client registry stays
/// current (docs/oauth.md#client-authentication). Small text: `a:<client>`,
/// `r:<client>`, `f:<throttle key>`.
public enum ClientNotice: Sendable, Equatable {
  case added(UUID)
  case removed(UUID)
  /// A failure was recorded against this throttle key: until its window
  /// ends, authentication under it reads the counters from the store.
  case failure(key: String)

  public var payload: String {
    switch self {
    case .added(let id): return "a:" + id.uuidString.lowercased()
    case .removed(let id): return "r:" + id.uuidString.lowercased()
    case .failure(let key): return "f:" + key
    }
  }

  /// Parses a payload; nil for anything malformed. A throttle key may hold
  /// ':' (an IPv6 address), so only the first one separates.
  public init?(payload: String) {
    guard let colon = payload.firstIndex(of: ":") else { return nil }
    let kind = payload[..<colon]
    let rest = String(payload[payload.index(after: colon)...])
    guard !rest.isEmpty else { return nil }
    switch kind {
    case "a":
      guard let id = UUID.parse(rest) else { return nil }
      self = .added(id)
    case "r":
      guard let id = UUID.parse(rest) else { return nil }
      self = .removed(id)
    case "f": self = .failure(key: rest)
    default: return nil
    }
  }
}
