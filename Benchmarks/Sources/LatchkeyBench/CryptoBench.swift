import CLibArgon2
import Foundation
import LatchkeyCrypto
import LatchkeyJWT

struct CryptoBench {
  let options: BenchOptions
  let parameters = Argon2Parameters.owasp

  func run() {
    let sign = benchSign()
    let verify = benchVerify(distinct: 4096)
    let repeated = benchVerify(distinct: 1)
    print(line("jwt sign (1 thread)", sign))
    print(line("jwt verify (1 thread, claims included, each token new)", verify))
    print(line("jwt verify (1 thread, the same token again)", repeated))

    // The pool is measured end to end instead, as the login rate against the raw rate
    // (`latchkey-bench argon2`, scripts/bench): it lives in the server's own modules now.
    var raw = 0.0
    for _ in 0..<2 { raw = max(raw, benchRawArgon2()) }
    print("argon2id \(parameters) on \(options.threads) threads: raw libargon2 \(format(raw, 1)) hashes/s")

    let summary: [String: Any] = [
      "bench": "crypto",
      "jwt_sign_us": round3(sign.microsecondsPerOp), "jwt_sign_ops": Int(sign.opsPerSecond),
      "jwt_verify_us": round3(verify.microsecondsPerOp), "jwt_verify_ops": Int(verify.opsPerSecond),
      "jwt_verify_repeated_us": round3(repeated.microsecondsPerOp),
      "jwt_iterations": options.iterations,
      "argon2_threads": options.threads, "argon2_params": parameters.description,
      "argon2_raw_hps": round3(raw),
    ]
    let json = try! JSONSerialization.data(withJSONObject: summary, options: [.sortedKeys])
    print(String(decoding: json, as: UTF8.self))
  }

  struct Rate {
    var microsecondsPerOp: Double
    var opsPerSecond: Double
  }

  // MARK: JWT

  private static let secret = SecureRandom.bytes(32)

  private func claims(now: Int64) -> AccessClaims {
    AccessClaims(
      iss: "https://latchkey.example", sub: SecureRandom.uuid().uuidString.lowercased(), aud: "latchkey-api",
      exp: now + 900, iat: now, nbf: now, jti: SecureRandom.uuid().uuidString.lowercased(),
      sid: SecureRandom.uuid().uuidString.lowercased(), role: "user", email: "someone@example.com")
  }

  private func benchSign() -> Rate {
    let signer = JWTSigner(keys: JWTKeySet(signing: try! JWTKey(secret: Self.secret)))
    let claims = claims(now: Int64(Date().timeIntervalSince1970))
    var checksum = 0
    for _ in 0..<min(1000, options.iterations) { checksum &+= signer.sign(claims).utf8.count }
    let elapsed = ContinuousClock().measure {
      for _ in 0..<options.iterations { checksum &+= signer.sign(claims).utf8.count }
    }
    precondition(checksum > 0)
    return rate(elapsed, operations: options.iterations)
  }

  /// `distinct` tokens verified in turn: 1 is a client presenting its token again (the verifier's
  /// per-thread cache answers), 4096 cycles far past the cache, so each verification is the full
  /// base64, HMAC and claims check.
  private func benchVerify(distinct: Int) -> Rate {
    let keys = JWTKeySet(signing: try! JWTKey(secret: Self.secret))
    let now = Int64(Date().timeIntervalSince1970)
    let signer = JWTSigner(keys: keys)
    let tokens = (0..<distinct).map { _ in signer.sign(claims(now: now)) }
    let verifier = JWTVerifier(keys: keys, issuer: "https://latchkey.example", audience: "latchkey-api")
    var checksum: Int64 = 0
    for index in 0..<min(1000, options.iterations) {
      checksum &+= try! verifier.verify(tokens[index % distinct], now: now).exp
    }
    let elapsed = ContinuousClock().measure {
      for index in 0..<options.iterations {
        checksum &+= try! verifier.verify(tokens[index % distinct], now: now).exp
      }
    }
    precondition(checksum != 0)
    return rate(elapsed, operations: options.iterations)
  }

  // MARK: argon2id

  /// Hashes per second with `threads` threads each calling libargon2 directly: the ceiling.
  private func benchRawArgon2() -> Double {
    let parameters = parameters
    let perThread = options.hashesPerThread
    let failures = Counter()
    let elapsed = onThreads(options.threads) {
      let salt = SecureRandom.bytes(16)
      var encoded = [CChar](repeating: 0, count: 128)
      for _ in 0..<perThread {
        let status = "benchmark password".withCString { password in
          argon2id_hash_encoded(
            parameters.iterations, parameters.memoryKiB, parameters.parallelism, password, strlen(password),
            salt, salt.count, 32, &encoded, encoded.count)
        }
        if status != ARGON2_OK.rawValue { failures.add() }
      }
    }
    precondition(failures.value == 0, "argon2id_hash_encoded failed")
    return Double(options.threads * perThread) / seconds(elapsed)
  }

  private func onThreads(_ count: Int, _ body: @escaping @Sendable () -> Void) -> Duration {
    let ready = DispatchGroup()
    let done = DispatchGroup()
    let start = DispatchSemaphore(value: 0)
    for _ in 0..<count {
      ready.enter()
      done.enter()
      Thread {
        ready.leave()
        start.wait()
        body()
        done.leave()
      }.start()
    }
    ready.wait()
    let clock = ContinuousClock()
    let began = clock.now
    for _ in 0..<count { start.signal() }
    done.wait()
    return clock.now - began
  }

  // MARK: formatting

  private func rate(_ elapsed: Duration, operations: Int) -> Rate {
    let total = seconds(elapsed)
    return Rate(microsecondsPerOp: total * 1e6 / Double(operations), opsPerSecond: Double(operations) / total)
  }

  private func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
  }

  private func line(_ name: String, _ rate: Rate) -> String {
    "\(name): \(format(rate.microsecondsPerOp, 3)) µs/op, \(Int(rate.opsPerSecond)) ops/s "
      + "(\(options.iterations) iterations)"
  }

  private func format(_ value: Double, _ decimals: Int) -> String {
    String(format: "%.\(decimals)f", value)
  }

  private func round3(_ value: Double) -> Double {
    (value * 1000).rounded() / 1000
  }
}

/// A locked counter shared by benchmark threads.
final class Counter: @unchecked Sendable {
  private let lock = NSLock()
  private var count = 0

  /// Increments and returns the new value.
  @discardableResult
  func add() -> Int {
    lock.lock()
    defer { lock.unlock() }
    count += 1
    return count
  }

  var value: Int {
    lock.lock()
    defer { lock.unlock() }
    return count
  }
}
