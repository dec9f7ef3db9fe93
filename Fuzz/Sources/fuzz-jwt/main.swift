// JWTVerifier.verify on arbitrary bytes as the token, with a fixed key set and clock. The HMAC keeps
// random bytes from reaching the claims; fuzz-jwt-claims signs its inputs to get there.
import FuzzJWTFixture
import FuzzSupport
import LatchkeyCrypto
import LatchkeyJWT

func seeds() -> [[UInt8]] {
  let fixture = JWTFixture.self
  let valid = fixture.signer.sign(fixture.claims())
  let parts = valid.split(separator: ".").map(String.init)
  return [
    valid.seed,
    fixture.previousSigner.sign(fixture.claims()).seed,
    fixture.signer.sign(fixture.claims(exp: fixture.now - 3600)).seed,
    fixture.signer.sign(fixture.claims(email: "\"quoted\"\\\u{1}\u{e9}")).seed,
    // alg none, an unknown kid, a crit header, no signature, one segment.
    (Base64URL.encode(Array("{\"alg\":\"none\",\"typ\":\"JWT\"}".utf8)) + "." + parts[1] + ".").seed,
    fixture.token(
      header: Array(fixture.header(kid: "unknown").utf8), payload: Array("{}".utf8),
      secret: fixture.signingSecret
    ).seed,
    fixture.token(
      header: Array("{\"alg\":\"HS256\",\"crit\":[\"exp\"],\"kid\":\"\(fixture.signingKey.kid)\"}".utf8),
      payload: Array("{}".utf8), secret: fixture.signingSecret
    ).seed,
    (parts[0] + "." + parts[1] + ".").seed,
    parts[0].seed,
  ]
}

Fuzz.main(seeds: seeds) { bytes in
  // Tokens reach the verifier as Swift strings (from a header), so always as valid UTF-8.
  let token = String(decoding: bytes, as: UTF8.self)
  do throws(JWTError) {
    let claims = try JWTFixture.verifier.verify(token, now: JWTFixture.now)
    Fuzz.check(JWTFixture.checkAccepted(claims), "accepted token with claims \(claims)")
  } catch {
    Fuzz.check(error.reason != .tooLarge || token.utf8.count > 4096, "tooLarge for a small token")
  }
}
