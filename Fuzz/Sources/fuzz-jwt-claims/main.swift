// JWTVerifier.verify on tokens whose header and payload JSON come from the input and whose signature
// is always right, so the fuzzer reaches the header's JSON and ClaimsReader past the HMAC.
//
// Input: one mode byte, then JSON. Mode bit 0 clear: the payload is the rest, under the standard
// header. Bit 0 set: the rest is header JSON, a NUL byte, then payload JSON. Bit 1 picks the secret
// (and, with the standard header, the kid): the signing key or the previous one.
import FuzzJWTFixture
import FuzzSupport
import LatchkeyCrypto
import LatchkeyJWT

func seeds() -> [[UInt8]] {
  let fixture = JWTFixture.self
  let now = fixture.now
  let kid = fixture.signingKey.kid
  let claims =
    "{\"iss\":\"latchkey\",\"sub\":\"u1\",\"aud\":\"latchkey-api\",\"exp\":\(now + 900),\"iat\":\(now),"
    + "\"nbf\":\(now),\"jti\":\"j\",\"sid\":\"s\",\"role\":\"user\",\"email\":\"a@b.c\"}"
  let escaped =
    "{\"iss\":\"latch\\u006bey\",\"sub\":\"\\ud83d\\ude00 \\\"x\\\" \\/\\b\\f\\n\\r\\t\","
    + "\"aud\":[\"other\",\"latchkey-api\"],\"exp\":\(now + 60) ,\"iat\":-0,\"nbf\":0,"
    + "\"jti\":\"\u{e9}\u{4e2d}\u{1F600}\",\"sid\":\"s\",\"role\":\"admin\",\"email\":\"\","
    + "\"extra\":{\"a\":[true,false,null,1.5e-3,{\"b\":[]}]}}"
  let wrongTypes =
    "{\"iss\":\"latchkey\",\"sub\":1,\"aud\":\"latchkey-api\",\"exp\":true,\"iat\":1.0,"
    + "\"nbf\":9223372036854775808,\"jti\":null,\"sid\":\"s\",\"role\":\"user\",\"email\":\"a\"}"
  let duplicate = "{\"iss\":\"latchkey\",\"iss\":\"latchkey\"}"
  let header = "{\"typ\":\"JWT\",\"kid\":\"\(kid)\",\"alg\":\"HS256\",\"x\":[{\"y\":null}]}"
  return [
    [0] + claims.seed,
    [2] + claims.seed,
    [0] + escaped.seed,
    [0] + wrongTypes.seed,
    [0] + duplicate.seed,
    [1] + header.seed + [0] + claims.seed,
    [1] + "{\"alg\":\"HS256\",\"kid\":\"\\u0041\"}".seed + [0] + "{}".seed,
    [0] + "{\"exp\":-9223372036854775808,\"nbf\":9223372036854775807}".seed,
  ]
}

Fuzz.main(seeds: seeds) { bytes in
  guard let mode = bytes.first else { return }
  let rest = bytes.dropFirst()
  let previous = mode & 2 != 0
  let secret = previous ? JWTFixture.previousSecret : JWTFixture.signingSecret
  let token: String
  if mode & 1 == 0 {
    let kid = previous ? JWTFixture.previousKey.kid : JWTFixture.signingKey.kid
    token = JWTFixture.token(header: Array(JWTFixture.header(kid: kid).utf8), payload: rest, secret: secret)
  } else {
    let header = rest.prefix { $0 != 0 }
    let payload = rest.dropFirst(header.count + 1)
    token = JWTFixture.token(header: header, payload: payload, secret: secret)
  }
  let claims: AccessClaims
  do throws(JWTError) {
    claims = try JWTFixture.verifier.verify(token, now: JWTFixture.now)
  } catch {
    return
  }
  Fuzz.check(JWTFixture.checkAccepted(claims), "accepted token with claims \(claims)")
  // What we accepted, re-issued by our own signer, must verify to the same claims.
  let reissued = JWTFixture.signer.sign(claims)
  do throws(JWTError) {
    let again = try JWTFixture.verifier.verify(reissued, now: JWTFixture.now)
    Fuzz.check(again == claims, "re-signed claims changed: \(claims) became \(again)")
  } catch {
    // Too large is fine: escapes the signer adds (\u00XX) can push it over maxTokenBytes.
    Fuzz.check(error.reason == .tooLarge, "re-signed claims rejected (\(error)): \(claims)")
  }
}
