import LatchkeyDomain

/// An introspection answer (RFC 7662 §2.2). Absent members are left out,
/// so an inactive token is exactly `{"active":false}`.
struct IntrospectionBody: Encodable {
  let active: Bool
  var token_type: String?
  var sub: String?
  var client_id: String?
  var scope: String?
  var username: String?
  var sid: String?
  var iss: String?
  var aud: String?
  var exp: Int64?
  var iat: Int64?
  var nbf: Int64?
  var jti: String?

  init(_ found: TokenIntrospection) {
    switch found {
    case .inactive:
      active = false
    case .user(let c):
      active = true
      token_type = "Bearer"
      (sub, username, sid) = (c.subject, c.email, c.sessionID)
      (iss, aud, exp, iat, nbf, jti) = (c.issuer, c.audience, c.expiresAt, c.issuedAt, c.notBefore, c.jti)
    case .client(let c):
      active = true
      token_type = "Bearer"
      (sub, client_id, scope) = (c.subject, c.clientID, c.scope)
      (iss, aud, exp, iat, nbf, jti) = (c.issuer, c.audience, c.expiresAt, c.issuedAt, c.notBefore, c.jti)
    case .grant(let c, let email):
      active = true
      token_type = "Bearer"
      (sub, client_id, scope, sid, username) = (c.subject, c.clientID, c.scope, c.sessionID, email)
      (iss, aud, exp, iat, nbf, jti) = (c.issuer, c.audience, c.expiresAt, c.issuedAt, c.notBefore, c.jti)
    case .refreshToken(let clientID, let subject, let expiresAt):
      active = true
      token_type = "refresh_token"
      (client_id, sub, exp) = (clientID, subject, expiresAt)
    }
  }
}
