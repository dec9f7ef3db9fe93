import FoundationEssentials

/// Where registered OAuth clients live (docs/oauth.md#clients).
public protocol ClientStore {
  /// Inserts a client; its id is random, so a clash is a bug, not a race.
  func insertClient(_ client: OAuthClient) throws
  func findClient(id: UUID) throws -> OAuthClient?
  /// Every client, oldest first.
  func listClients() throws -> [OAuthClient]
  /// Deletes a client; false when there was none.
  func deleteClient(id: UUID) throws -> Bool
  /// The revocation facts of one client token: whether its client still
  /// exists (removal revokes every token issued to it) and whether its
  /// `jti` is denylisted. One round trip.
  func clientTokenStatus(client: UUID, jti: String) throws -> ClientTokenStatus
  /// Tells every instance's client registry: delivered when the
  /// transaction commits, never when it rolls back.
  func publishClientNotices(_ notices: [ClientNotice]) throws
}

public struct ClientTokenStatus: Sendable, Equatable {
  public var clientExists: Bool
  public var denylisted: Bool

  public init(clientExists: Bool, denylisted: Bool) {
    self.clientExists = clientExists
    self.denylisted = denylisted
  }
}
