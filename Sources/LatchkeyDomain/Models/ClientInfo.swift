/// The client facts recorded with a session and audit events.
public struct ClientInfo: Sendable, Equatable {
  public var ip: String
  public var userAgent: String

  public init(ip: String, userAgent: String) {
    self.ip = ip
    // Bounded: the user agent is stored per session and shown back.
    self.userAgent = String(userAgent.prefix(512))
  }
}
