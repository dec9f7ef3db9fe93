/// The claims of a Latchkey access token. Times are Unix seconds.
public struct AccessClaims: Sendable, Equatable, Codable {
  public var iss: String
  public var sub: String
  public var aud: String
  public var exp: Int64
  public var iat: Int64
  public var nbf: Int64
  public var jti: String
  public var sid: String
  public var role: String
  public var email: String

  public init(
    iss: String, sub: String, aud: String, exp: Int64, iat: Int64, nbf: Int64, jti: String, sid: String,
    role: String, email: String
  ) {
    self.iss = iss
    self.sub = sub
    self.aud = aud
    self.exp = exp
    self.iat = iat
    self.nbf = nbf
    self.jti = jti
    self.sid = sid
    self.role = role
    self.email = email
  }
}
