import FoundationEssentials

/// A new session with its first refresh token, as `SessionStore.openSession`
/// inserts it, and the bookkeeping of the login that opens it.
public struct SessionOpening: Sendable, Equatable {
  public var id: UUID
  public var user: UUID
  public var kind: SessionKind
  public var client: ClientInfo
  public var now: Double
  public var absoluteExpiry: Double
  public var refreshHash: [UInt8]
  public var refreshExpiry: Double
  /// An audit event of this type for the new session (user, session, the
  /// client's address, at `now`).
  public var audit: AuditType?
  /// A throttle counter to delete: the budget a verified password clears.
  public var clearing: String?

  public init(
    id: UUID, user: UUID, kind: SessionKind, client: ClientInfo, now: Double, absoluteExpiry: Double,
    refreshHash: [UInt8], refreshExpiry: Double, audit: AuditType? = nil, clearing: String? = nil
  ) {
    self.id = id
    self.user = user
    self.kind = kind
    self.client = client
    self.now = now
    self.absoluteExpiry = absoluteExpiry
    self.refreshHash = refreshHash
    self.refreshExpiry = refreshExpiry
    self.audit = audit
    self.clearing = clearing
  }

  /// The audit event as recorded, when there is one.
  public var auditEvent: AuditEvent? {
    audit.map { AuditEvent(time: now, type: $0, userID: user, sessionID: id, ip: client.ip) }
  }
}
