import Foundation
import LatchkeyCrypto
import LatchkeyJWT

// Driven by scripts/interop-jwks.py to check ES256 and EdDSA tokens and the JWKS document against PyJWT,
// in both directions. Exit status: 0 accepted/done, 1 rejected, 2 usage error. Private keys are never
// printed.
let arguments = Array(CommandLine.arguments.dropFirst())
let issuer = "https://latchkey.interop"
let audience = "latchkey-api"

func fail(_ message: String) -> Never {
  FileHandle.standardError.write(Data("latchkey-interop-jwks: \(message)\n".utf8))
  exit(2)
}

func usage() -> Never {
  fail(
    """
    usage: latchkey-interop-jwks issue ES256|EdDSA
           latchkey-interop-jwks verify PUBLIC_JWK TOKEN user|client [NOW]
    """)
}

func json(_ object: Any) -> String {
  guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else {
    fail("cannot encode JSON")
  }
  return String(decoding: data, as: UTF8.self)
}

/// A new key of `alg`, its JWKS, and one user and one client token it signed.
func issue(_ alg: String) {
  guard let algorithm = JWTAlgorithm(rawValue: alg), let type = algorithm.keyType else { usage() }
  do {
    let privateKey = try SigningPrivateKey.generate(type)
    let key = try JWTKey(kid: JWTKey.thumbprint(of: privateKey.publicKey), privateKey: privateKey)
    let signer = JWTSigner(keys: JWTKeySet(signing: key))
    let now = Int64(Date().timeIntervalSince1970)
    let user = AccessClaims(
      iss: issuer, sub: "user-1", aud: audience, exp: now + 900, iat: now, nbf: now, jti: UUID().uuidString,
      sid: "session-1", role: "user", email: "ada@example.com")
    let client = ClientAccessClaims(
      iss: issuer, sub: "client-1", aud: audience, exp: now + 900, iat: now, nbf: now, jti: UUID().uuidString,
      clientID: "client-1", scope: "read write")
    let jwks = try JSONSerialization.jsonObject(with: Data(JWKS.render([key]).utf8))
    print(
      json([
        "jwks": jwks, "kid": key.kid, "user_token": signer.sign(user), "client_token": signer.sign(client),
        "issuer": issuer, "audience": audience,
      ]))
  } catch {
    fail("\(error)")
  }
}

/// Verifies a token with a key built from a public JWK alone, as a third party would.
func verify(jwk text: String, token: String, kind: String, now: Int64) -> Int32 {
  guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
    let kid = object["kid"] as? String, let xText = object["x"] as? String, let x = Base64URL.decode(xText)
  else { fail("bad JWK") }
  let key: JWTKey
  do {
    switch (object["kty"] as? String, object["crv"] as? String) {
    case ("EC", "P-256"):
      guard let yText = object["y"] as? String, let y = Base64URL.decode(yText) else { fail("bad JWK") }
      key = try JWTKey(kid: kid, publicKey: SigningPublicKey(p256X: x, y: y))
    case ("OKP", "Ed25519"):
      key = try JWTKey(kid: kid, publicKey: SigningPublicKey(ed25519: x))
    default:
      fail("unsupported JWK")
    }
  } catch {
    fail("bad JWK: \(error)")
  }
  let verifier = JWTVerifier(keys: JWTKeySet(signing: key), issuer: issuer, audience: audience)
  do {
    if kind == "client" {
      let claims = try verifier.verifyClient(token, now: now)
      print(
        json(["sub": claims.sub, "client_id": claims.clientID, "scope": claims.scope, "jti": claims.jti]))
    } else {
      let claims = try verifier.verify(token, now: now)
      print(json(["sub": claims.sub, "sid": claims.sid, "email": claims.email, "jti": claims.jti]))
    }
    return 0
  } catch {
    print("rejected: \(error.reason.rawValue)")
    return 1
  }
}

switch arguments.first {
case "issue" where arguments.count == 2:
  issue(arguments[1])
case "verify" where arguments.count == 4 || arguments.count == 5:
  let now = arguments.count == 5 ? Int64(arguments[4]) ?? 0 : Int64(Date().timeIntervalSince1970)
  exit(verify(jwk: arguments[1], token: arguments[2], kind: arguments[3], now: now))
default:
  usage()
}
