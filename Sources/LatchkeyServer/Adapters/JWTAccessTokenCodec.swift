import LatchkeyDomain
import LatchkeyJWT

/// The domain's token codec on our JWS code (HS256, the algorithm pinned to
/// the configured keys).
public struct JWTAccessTokenCodec: AccessTokenCodec {
  let signer: JWTSigner
  let verifier: JWTVerifier

  public init(secret: [UInt8], previousSecrets: [[UInt8]], issuer: String, audience: String) throws {
    let keys = try JWTKeySet(
      signing: JWTKey(secret: secret), previous: previousSecrets.map { try JWTKey(secret: $0) })
    signer = JWTSigner(keys: keys)
    verifier = JWTVerifier(keys: keys, issuer: issuer, audience: audience)
  }

  public func sign(_ claims: AccessTokenClaims) -> String {
    signer.sign(
      AccessClaims(
        iss: claims.issuer, sub: claims.subject, aud: claims.audience, exp: claims.expiresAt,
        iat: claims.issuedAt, nbf: claims.notBefore, jti: claims.jti, sid: claims.sessionID,
        role: claims.role,
        email: claims.email))
  }

  public func verify(_ token: String, now: Int64) throws(AccessTokenRejection) -> AccessTokenClaims {
    let claims: AccessClaims
    do {
      claims = try verifier.verify(token, now: now)
    } catch {
      throw AccessTokenRejection(reason: error.reason.rawValue)
    }
    return AccessTokenClaims(
      issuer: claims.iss, subject: claims.sub, audience: claims.aud, expiresAt: claims.exp,
      issuedAt: claims.iat, notBefore: claims.nbf, jti: claims.jti, sessionID: claims.sid, role: claims.role,
      email: claims.email)
  }

  public func sign(_ claims: ClientTokenClaims) -> String {
    signer.sign(
      ClientAccessClaims(
        iss: claims.issuer, sub: claims.subject, aud: claims.audience, exp: claims.expiresAt,
        iat: claims.issuedAt, nbf: claims.notBefore, jti: claims.jti, clientID: claims.clientID,
        scope: claims.scope))
  }

  public func verifyClient(_ token: String, now: Int64) throws(AccessTokenRejection) -> ClientTokenClaims {
    let claims: ClientAccessClaims
    do {
      claims = try verifier.verifyClient(token, now: now)
    } catch {
      throw AccessTokenRejection(reason: error.reason.rawValue)
    }
    return ClientTokenClaims(
      issuer: claims.iss, subject: claims.sub, audience: claims.aud, expiresAt: claims.exp,
      issuedAt: claims.iat, notBefore: claims.nbf, jti: claims.jti, clientID: claims.clientID,
      scope: claims.scope)
  }
}
