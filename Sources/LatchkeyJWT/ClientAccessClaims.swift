/// The claims of an access token issued to an OAuth client (RFC 9068 §2.2). `sub` is the client id
/// for the client-credentials grant; `scope` is space-delimited. Times are Unix seconds.
public struct ClientAccessClaims: Sendable, Equatable {
  public var iss: String
  public var sub: String
  public var aud: String
  public var exp: Int64
  public var iat: Int64
  public var nbf: Int64
  public var jti: String
  public var clientID: String
  public var scope: String
  /// The grant (a session of the user `sub`) for tokens of the authorization code and device grants;
  /// nil for client credentials.
  public var sid: String?

  public init(
    iss: String, sub: String, aud: String, exp: Int64, iat: Int64, nbf: Int64, jti: String, clientID: String,
    scope: String, sid: String? = nil
  ) {
    self.sid = sid
    self.iss = iss
    self.sub = sub
    self.aud = aud
    self.exp = exp
    self.iat = iat
    self.nbf = nbf
    self.jti = jti
    self.clientID = clientID
    self.scope = scope
  }
}
