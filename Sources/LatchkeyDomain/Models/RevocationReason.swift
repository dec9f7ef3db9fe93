/// Why a session ended; stored with the session and counted in metrics.
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
