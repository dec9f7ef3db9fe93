import FoundationEssentials

/// A security event, written in the same transaction as the change it
/// describes (docs/api.md#audit).
public struct AuditEvent: Sendable, Equatable {
  public var time: Double
  public var type: AuditType
  public var userID: UUID?
  public var sessionID: UUID?
  public var ip: String

  public init(time: Double, type: AuditType, userID: UUID?, sessionID: UUID?, ip: String) {
    self.time = time
    self.type = type
    self.userID = userID
    self.sessionID = sessionID
    self.ip = ip
  }
}

/// The kinds of audit event; the raw value is what the store and the API use.
public enum AuditType: String, Sendable {
  case loginSuccess = "login_success"
  case loginFailure = "login_failure"
  case refreshReuse = "refresh_reuse_detected"
  case logout = "logout"
  case logoutGlobal = "logout_global"
  case passwordChange = "password_change"
  case sessionRevoked = "session_revoked"
  case adminRevoke = "admin_revoke"
  case register = "register"
}
