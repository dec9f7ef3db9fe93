import FoundationEssentials

/// Where client authentication finds clients and learns whether a failure
/// is on record, so that in the steady state a successful authentication
/// needs no I/O (docs/oauth.md#client-authentication). The server keeps an
/// in-memory registry current across instances; the store registry here is
/// the plain one (the CLI, tests, and the fallback while the memory one is
/// not in sync).
public protocol ClientRegistry: Sendable {
  /// The client, or nil when there is none or it has not heard of it yet
  /// (authentication looks a failure up in the store). Store failures
  /// propagate.
  func client(id: UUID) throws -> OAuthClient?
  /// False only when no failure can be on record under any of `keys`
  /// (throttle keys), so their counters need not be read.
  func mayHaveFailures(_ keys: [String]) -> Bool
  /// Told after this instance recorded a failure under `keys`.
  func failed(_ keys: [String])
}

/// Reads the store every time and assumes a failure may be on record.
public struct StoreClientRegistry: ClientRegistry {
  let store: any Store

  public init(store: any Store) {
    self.store = store
  }

  public func client(id: UUID) throws -> OAuthClient? {
    try store.read { try $0.findClient(id: id) }
  }

  public func mayHaveFailures(_ keys: [String]) -> Bool { true }

  public func failed(_ keys: [String]) {}
}
