import LatchkeyJWT
import Testing

/// Time checks against an injected clock, at the exact leeway boundaries.
@Suite struct JWTClockTests {
  static let exp: Int64 = 1_000_000
  static let nbf: Int64 = 900_000

  static func token(exp: Int64 = exp, nbf: Int64 = nbf, iat: Int64 = nbf) -> String {
    var claims = Fixtures.claims
    claims.exp = exp
    claims.nbf = nbf
    claims.iat = iat
    return Fixtures.signer().sign(claims)
  }

  static func reason(_ token: String, now: Int64, leeway: Int64 = 30) -> JWTError.Reason? {
    do {
      _ = try Fixtures.verifier(leeway: leeway).verify(token, now: now)
      return nil
    } catch {
      return error.reason
    }
  }

  @Test func expiryWithLeeway() {
    let token = Self.token()
    #expect(Self.reason(token, now: Self.exp - 1) == nil)
    #expect(Self.reason(token, now: Self.exp) == nil)
    #expect(Self.reason(token, now: Self.exp + 29) == nil)
    #expect(Self.reason(token, now: Self.exp + 30) == .expired)
    #expect(Self.reason(token, now: Self.exp + 31) == .expired)
  }

  @Test func expiryWithoutLeeway() {
    let token = Self.token()
    #expect(Self.reason(token, now: Self.exp - 1, leeway: 0) == nil)
    #expect(Self.reason(token, now: Self.exp, leeway: 0) == .expired)
  }

  @Test func notBeforeWithLeeway() {
    let token = Self.token(iat: Self.nbf - 100)
    #expect(Self.reason(token, now: Self.nbf) == nil)
    #expect(Self.reason(token, now: Self.nbf - 30) == nil)
    #expect(Self.reason(token, now: Self.nbf - 31) == .notYetValid)
    #expect(Self.reason(token, now: Self.nbf - 1, leeway: 0) == .notYetValid)
    #expect(Self.reason(token, now: Self.nbf, leeway: 0) == nil)
  }

  @Test func issuedAtInTheFuture() {
    let iat: Int64 = 950_000
    let token = Self.token(iat: iat)
    #expect(Self.reason(token, now: iat - 30) == nil)
    #expect(Self.reason(token, now: iat - 31) == .invalidClaim)
    #expect(Self.reason(token, now: iat, leeway: 0) == nil)
    #expect(Self.reason(token, now: iat - 1, leeway: 0) == .invalidClaim)
  }

  @Test func leewayIsClampedToThirtySeconds() {
    #expect(Fixtures.verifier(leeway: 120).leewaySeconds == 30)
    #expect(Fixtures.verifier(leeway: -5).leewaySeconds == 0)
    #expect(Fixtures.verifier(leeway: 10).leewaySeconds == 10)
    let token = Self.token()
    #expect(Self.reason(token, now: Self.exp + 60, leeway: 120) == .expired)
    #expect(Self.reason(token, now: Self.exp + 30, leeway: 120) == .expired)
    #expect(Self.reason(token, now: Self.exp + 29, leeway: 120) == nil)
    #expect(Self.reason(token, now: Self.exp, leeway: -5) == .expired)
  }

  @Test func extremeTimesDoNotOverflow() {
    #expect(Self.reason(Self.token(exp: .max), now: Self.nbf) == nil)
    #expect(Self.reason(Self.token(exp: .min, nbf: .min, iat: .min), now: 0) == .expired)
    #expect(Self.reason(Self.token(), now: .max) == .expired)
    #expect(Self.reason(Self.token(nbf: .max, iat: 0), now: .max - 10) == .expired)
  }
}
