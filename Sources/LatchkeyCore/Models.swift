import Foundation

public struct User: Sendable, Equatable {
  public var id: UUID
  public var email: String
  public var role: String
  public var passwordHash: String
}

public struct SessionInfo: Sendable, Equatable {
  public var id: UUID
  public var createdAt: Double
  public var lastUsedAt: Double
  public var userAgent: String
  public var ip: String
}

public struct AuditEvent: Sendable, Equatable {
  public var time: Double
  public var type: String
  public var userID: UUID?
  public var sessionID: UUID?
  public var ip: String
}

/// Audit event types (SPEC §7).
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

/// Why a session ended; stored in `sessions.revoked_reason` and counted in metrics.
public enum RevocationReason: String, Sendable {
  case logout
  case logoutGlobal = "logout_global"
  case reuse
  case passwordChange = "password_change"
  case adminRevoke = "admin_revoke"
  case userRevoke = "user_revoke"
  case sessionLimit = "session_limit"
  case expired
}

/// The client facts recorded with a session and audit events.
public struct ClientInfo: Sendable, Equatable {
  public var ip: String
  public var userAgent: String
  public init(ip: String, userAgent: String) {
    self.ip = ip
    self.userAgent = String(userAgent.prefix(512))
  }
}

/// A refresh token issued to the client: the value goes into the cookie
/// and is never stored; `expiresAt` drives the cookie's Max-Age.
public struct IssuedRefreshToken: Sendable, Equatable {
  public var value: String
  public var expiresAt: Double
}

/// A login or refresh result: what the HTTP layer turns into body + cookie.
public struct TokenGrant: Sendable {
  public var accessToken: String
  public var expiresIn: Int64
  public var refreshToken: IssuedRefreshToken
  public var sessionID: UUID
}
