import LatchkeyDomain
import LatchkeyJWT

/// The domain's token codec on our JWS code, through the `KeyRing`: the ring's current key signs user
/// tokens (`typ` JWT) and client tokens (`typ` at+jwt) alike, and verification pins the algorithm to
/// the key the `kid` names.
public struct JWTAccessTokenCodec: AccessTokenCodec {
  public let ring: KeyRing

  public init(ring: KeyRing) {
    self.ring = ring
  }

  /// HS256 with the given secrets (for tools that never meet a stored key).
  public init(secret: [UInt8], previousSecrets: [[UInt8]], issuer: String, audience: String) throws {
    ring = try KeyRing(
      algorithm: nil, secret: secret, previousSecrets: previousSecrets, issuer: issuer, audience: audience,
      lifecycle: SigningKeyLifecycle(
        policy: SigningKeyPolicy(publishDelay: 0, rotationInterval: 0, longestTokenLifetime: 0)))
  }

  public func sign(_ claims: AccessTokenClaims) -> String {
    ring.signer.sign(
      AccessClaims(
        iss: claims.issuer, sub: claims.subject, aud: claims.audience, exp: claims.expiresAt,
        iat: claims.issuedAt, nbf: claims.notBefore, jti: claims.jti, sid: claims.sessionID,
        role: claims.role,
        email: claims.email))
  }

  public func verify(_ token: String, now: Int64) throws(AccessTokenRejection) -> AccessTokenClaims {
    let claims: AccessClaims
    do {
      claims = try ring.current.verify(token, now: now)
    } catch {
      throw AccessTokenRejection(reason: error.reason.rawValue)
    }
    return AccessTokenClaims(
      issuer: claims.iss, subject: claims.sub, audience: claims.aud, expiresAt: claims.exp,
      issuedAt: claims.iat, notBefore: claims.nbf, jti: claims.jti, sessionID: claims.sid, role: claims.role,
      email: claims.email)
  }

  public func sign(_ claims: ClientTokenClaims) -> String {
    ring.signer.sign(
      ClientAccessClaims(
        iss: claims.issuer, sub: claims.subject, aud: claims.audience, exp: claims.expiresAt,
        iat: claims.issuedAt, nbf: claims.notBefore, jti: claims.jti, clientID: claims.clientID,
        scope: claims.scope, sid: claims.sessionID))
  }

  public func verifyClient(_ token: String, now: Int64) throws(AccessTokenRejection) -> ClientTokenClaims {
    let claims: ClientAccessClaims
    do {
      claims = try ring.current.verifier.verifyClient(token, now: now)
    } catch {
      throw AccessTokenRejection(reason: error.reason.rawValue)
    }
    return ClientTokenClaims(
      issuer: claims.iss, subject: claims.sub, audience: claims.aud, expiresAt: claims.exp,
      issuedAt: claims.iat, notBefore: claims.nbf, jti: claims.jti, clientID: claims.clientID,
      scope: claims.scope, sessionID: claims.sid)
  }
}
