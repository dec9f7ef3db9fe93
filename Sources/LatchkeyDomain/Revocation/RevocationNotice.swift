import FoundationEssentials
import LatchkeyText

/// One committed revocation as instances tell each other about it (over
/// PostgreSQL NOTIFY; docs/architecture.md#where-things-live). The wire format is
/// small text: `s:<session>`, `j:<jti>:<expires>`, `u:<user>:<cutoff>`,
/// `c:<client>`.
public enum RevocationNotice: Sendable, Equatable {
  case session(UUID)
  /// An access token's `jti`, until it expires (unix seconds).
  case token(jti: String, expiresAt: Double)
  /// Every token of the user issued before `cutoff` (unix seconds).
  case userCutoff(UUID, Double)
  /// An OAuth client was removed: every token issued to it is revoked.
  /// No time: client ids are never reused, so the cut-off is "all of them".
  case clientRemoved(UUID)

  public var payload: String {
    switch self {
    case .session(let id): return "s:" + id.uuidString.lowercased()
    case .token(let jti, let expiresAt): return "j:\(jti):\(expiresAt)"
    case .userCutoff(let id, let cutoff): return "u:\(id.uuidString.lowercased()):\(cutoff)"
    case .clientRemoved(let id): return "c:" + id.uuidString.lowercased()
    }
  }

  /// The key instances acknowledge: what was revoked, without the times.
  public var key: String {
    switch self {
    case .session(let id): return "s:" + id.uuidString.lowercased()
    case .token(let jti, _): return "j:" + jti
    case .userCutoff(let id, _): return "u:" + id.uuidString.lowercased()
    case .clientRemoved(let id): return "c:" + id.uuidString.lowercased()
    }
  }

  /// Parses a payload; nil for anything malformed. A `jti` never contains
  /// ':' (it is base64url), so the last field is unambiguous.
  public init?(payload: String) {
    let parts = payload.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
    guard parts.count >= 2, !parts[1].isEmpty else { return nil }
    switch parts[0] {
    case "s":
      guard parts.count == 2, let id = UUID.parse(String(parts[1])) else { return nil }
      self = .session(id)
    case "j":
      guard parts.count == 3, let expiresAt = Double(parts[2]), expiresAt.isFinite else { return nil }
      self = .token(jti: String(parts[1]), expiresAt: expiresAt)
    case "u":
      guard parts.count == 3, let id = UUID.parse(String(parts[1])), let cutoff = Double(parts[2]),
        cutoff.isFinite
      else { return nil }
      self = .userCutoff(id, cutoff)
    case "c":
      guard parts.count == 2, let id = UUID.parse(String(parts[1])) else { return nil }
      self = .clientRemoved(id)
    default:
      return nil
    }
  }
}

/// "Instance `instance` has applied the revocation `key`": `<instance>|<key>`.
public struct RevocationAck: Sendable, Equatable {
  public var instance: String
  public var key: String

  public init(instance: String, key: String) {
    self.instance = instance
    self.key = key
  }

  public var payload: String { instance + "|" + key }

  public init?(payload: String) {
    guard let bar = payload.firstIndex(of: "|") else { return nil }
    instance = String(payload[..<bar])
    key = String(payload[payload.index(after: bar)...])
    guard !instance.isEmpty, !key.isEmpty else { return nil }
  }
}
