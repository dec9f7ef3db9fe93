import FoundationEssentials
import LatchkeyText

extension AuthService {
  /// Creates an account (docs/api.md#register). `client` is nil for the
  /// operator's `latchkey user add`, which works while registration is closed.
  public func register(email: String, password: String, role: Role = .user, client: ClientInfo?) throws
    -> User
  {
    if client != nil && !settings.registrationOpen { throw AuthError.registrationClosed }
    try PasswordPolicy.validateEmail(email)
    try policy.validate(password)
    let user = User(
      id: secrets.newID(), email: email.trimmingWhitespaceAndNewlines(), role: role,
      passwordHash: try hasher.hash(password))
    let now = clock.now()
    let inserted = try store.transaction { tx in
      guard try tx.insertUser(user, now: now) else { return false }
      try tx.recordAudit(
        AuditEvent(time: now, type: .register, userID: user.id, sessionID: nil, ip: client?.ip ?? ""))
      return true
    }
    counter.increment("latchkey_registrations_total", [("result", inserted ? "created" : "email_taken")])
    guard inserted else { throw AuthError.emailTaken }
    return user
  }
}
