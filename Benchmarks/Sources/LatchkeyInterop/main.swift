import Foundation
import LatchkeyCrypto
import LatchkeyJWT

// Driven by scripts/interop.py to check our JWT and argon2 output against PyJWT and argon2-cffi.
// Exit status: 0 accepted/done, 1 rejected, 2 usage error. Secrets and passwords are never printed.
let arguments = Array(CommandLine.arguments.dropFirst())

func usage() -> Never {
  FileHandle.standardError.write(
    Data(
      """
      usage: latchkey-interop kid SECRET_HEX
             latchkey-interop sign SECRET_HEX CLAIMS_JSON
             latchkey-interop verify SECRET_HEX TOKEN ISSUER AUDIENCE [NOW]
             latchkey-interop hash PASSWORD M T P
             latchkey-interop verify-password PASSWORD PHC

      """.utf8))
  exit(2)
}

func fail(_ message: String) -> Never {
  FileHandle.standardError.write(Data("latchkey-interop: \(message)\n".utf8))
  exit(2)
}

func key(hex: String) -> JWTKey {
  let digits = Array(hex.utf8)
  guard digits.count % 2 == 0 else { fail("secret must be hex") }
  var secret: [UInt8] = []
  var index = 0
  while index < digits.count {
    guard let byte = UInt8(String(decoding: digits[index..<index + 2], as: UTF8.self), radix: 16) else {
      fail("secret must be hex")
    }
    secret.append(byte)
    index += 2
  }
  do {
    return try JWTKey(secret: secret)
  } catch {
    fail("secret too short")
  }
}

switch arguments.first {
case "kid" where arguments.count == 2:
  print(key(hex: arguments[1]).kid)

case "sign" where arguments.count == 3:
  guard let claims = try? JSONDecoder().decode(AccessClaims.self, from: Data(arguments[2].utf8)) else {
    fail("claims must be a JSON object with all ten AccessClaims members")
  }
  print(JWTSigner(keys: JWTKeySet(signing: key(hex: arguments[1]))).sign(claims))

case "verify" where arguments.count == 5 || arguments.count == 6:
  let now: Int64
  if arguments.count == 6 {
    guard let given = Int64(arguments[5]) else { fail("NOW must be Unix seconds") }
    now = given
  } else {
    now = Int64(Date().timeIntervalSince1970)
  }
  let verifier = JWTVerifier(
    keys: JWTKeySet(signing: key(hex: arguments[1])), issuer: arguments[3], audience: arguments[4])
  do {
    let claims = try verifier.verify(arguments[2], now: now)
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    print(String(decoding: try! encoder.encode(claims), as: UTF8.self))
  } catch {
    print("rejected: \(error.reason.rawValue)")
    exit(1)
  }

case "hash" where arguments.count == 5:
  guard let memory = UInt32(arguments[2]), let iterations = UInt32(arguments[3]),
    let parallelism = UInt32(arguments[4])
  else { fail("M, T and P must be unsigned integers") }
  let hasher = PasswordHasher(
    parameters: Argon2Parameters(memoryKiB: memory, iterations: iterations, parallelism: parallelism))
  do {
    print(try hasher.hash(arguments[1]))
  } catch {
    fail("hashing failed: \(error)")
  }

case "verify-password" where arguments.count == 3:
  if PasswordHasher(parameters: .owasp).verify(arguments[1], encoded: arguments[2]) {
    print("ok")
  } else {
    print("mismatch")
    exit(1)
  }

default:
  usage()
}
