import FoundationEssentials

/// A live session (token family) as `GET /api/sessions` lists it.
public struct SessionInfo: Sendable, Equatable {
  public var id: UUID
  public var createdAt: Double
  public var lastUsedAt: Double
  public var userAgent: String
  public var ip: String
  /// The OAuth client of a grant; nil for the browser's own sessions.
  public var clientID: UUID?

  public init(
    id: UUID, createdAt: Double, lastUsedAt: Double, userAgent: String, ip: String, clientID: UUID? = nil
  ) {
    self.clientID = clientID
    self.id = id
    self.createdAt = createdAt
    self.lastUsedAt = lastUsedAt
    self.userAgent = userAgent
    self.ip = ip
  }
}
