import FoundationEssentials

/// The identity an access token proved, as the handlers need it.
public struct AuthenticatedUser: Sendable {
  public var userID: UUID
  public var sessionID: UUID
  public var email: String
  public var role: Role
  public var jti: String
  public var issuedAt: Int64
  public var expiresAt: Int64
  /// `sub` and `sid` as the token spelled them (canonical lower case, as
  /// issued), so answers need not format the UUIDs again.
  public var userIDText: String
  public var sessionIDText: String

  public init(
    userID: UUID, sessionID: UUID, email: String, role: Role, jti: String, issuedAt: Int64, expiresAt: Int64,
    userIDText: String, sessionIDText: String
  ) {
    self.userID = userID
    self.sessionID = sessionID
    self.email = email
    self.role = role
    self.jti = jti
    self.issuedAt = issuedAt
    self.expiresAt = expiresAt
    self.userIDText = userIDText
    self.sessionIDText = sessionIDText
  }
}

/// Proof that a request was made by an administrator: only
/// `AuthService.authenticateAdmin` makes one, so an admin operation cannot
/// be reached without the role check.
public struct Administrator: Sendable {
  public let user: AuthenticatedUser

  init(user: AuthenticatedUser) {
    self.user = user
  }
}
