import Foundation
import Synchronization

@testable import LatchkeyDomain

/// A clock the test moves.
final class ManualClock: WallClock {
  private let time: Mutex<Double>
  init(_ start: Double = 1_800_000_000) { time = Mutex(start) }
  func now() -> Double { time.withLock { $0 } }
  func advance(_ seconds: Double) { time.withLock { $0 += seconds } }
}

/// Reversible "hashing": fast, and a verification still needs the password.
final class FakeHasher: PasswordHashing {
  let dummyHash = "fake$dummy"
  let verifications = Mutex(0)
  func withSlot<T: Sendable>(_ body: @escaping @Sendable () throws -> T) throws -> T { try body() }
  func hashInSlot(_ password: String) throws -> String { "fake$" + password }
  func verifyInSlot(_ password: String, encoded: String) -> Bool {
    verifications.withLock { $0 += 1 }
    return encoded == "fake$" + password || encoded == "weak$" + password
  }
  func needsRehash(_ encoded: String) -> Bool { encoded.hasPrefix("weak$") }
}

/// Tokens as readable text: `sub|sid|jti|iat|exp|role|email`, no signature.
struct FakeCodec: AccessTokenCodec {
  func sign(_ c: AccessTokenClaims) -> String {
    [c.subject, c.sessionID, c.jti, String(c.issuedAt), String(c.expiresAt), c.role, c.email].joined(
      separator: "|")
  }

  func verify(_ token: String, now: Int64) throws(AccessTokenRejection) -> AccessTokenClaims {
    let p = token.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
    guard p.count == 7, let iat = Int64(p[3]), let exp = Int64(p[4]) else {
      throw AccessTokenRejection(reason: "malformed")
    }
    guard now < exp else { throw AccessTokenRejection(reason: "expired") }
    return AccessTokenClaims(
      issuer: "latchkey", subject: p[0], audience: "latchkey-api", expiresAt: exp, issuedAt: iat,
      notBefore: iat,
      jti: p[2], sessionID: p[1], role: p[5], email: p[6])
  }
}

extension FakeCodec {
  func sign(_ c: ClientTokenClaims) -> String {
    [
      "client", c.clientID, c.jti, String(c.issuedAt), String(c.expiresAt), c.scope, c.subject,
      c.sessionID ?? "",
    ]
    .joined(separator: "|")
  }

  func verifyClient(_ token: String, now: Int64) throws(AccessTokenRejection) -> ClientTokenClaims {
    let p = token.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
    guard p.count == 8, p[0] == "client", let iat = Int64(p[3]), let exp = Int64(p[4]) else {
      throw AccessTokenRejection(reason: "malformed")
    }
    guard now < exp else { throw AccessTokenRejection(reason: "expired") }
    return ClientTokenClaims(
      issuer: "latchkey", subject: p[6], audience: "latchkey-api", expiresAt: exp, issuedAt: iat,
      notBefore: iat,
      jti: p[2], clientID: p[1], scope: p[5], sessionID: p[7].isEmpty ? nil : p[7])
  }
}

/// Deterministic secrets: counters instead of randomness.
final class FakeSecrets: TokenSecrets {
  private let counter = Mutex(0)
  private func next() -> Int {
    counter.withLock {
      $0 += 1
      return $0
    }
  }
  func newRefreshToken() -> String { "rt\(next())" }
  func isWellFormedRefreshToken(_ token: String) -> Bool { token.hasPrefix("rt") }
  func refreshHash(_ token: String) -> [UInt8] { Array(("h:" + token).utf8) }
  func successor(of token: String) -> String { token + "+" }
  func newJTI() -> String { "jti\(next())" }
  func newID() -> UUID { UUID() }
  func newNonce() -> String { "n\(next())" }
  func deviceTag(_ message: String) -> String {
    "tag" + String(message.utf8.count) + String(message.hashValue & 0xffff)
  }
  func equal(_ a: String, _ b: String) -> Bool { a == b }
  func newClientSecret() -> String { "cs\(next())" }
  func clientSecretDigest(_ secret: String) -> [UInt8] {
    // 32 bytes, as SHA-256's, so the constant-time compare sees equal lengths.
    let bytes = Array(("d:" + secret).utf8)
    return Array((bytes + [UInt8](repeating: 0, count: 32)).prefix(32))
  }
}

/// A service on the in-memory store, with everything a test inspects.
struct Harness {
  let store = InMemoryStore()
  let clock = ManualClock()
  let hasher = FakeHasher()
  let secrets = FakeSecrets()
  let service: AuthService
  let client = ClientInfo(ip: "192.0.2.1", userAgent: "test")

  init(_ configure: (inout AuthSettings) -> Void = { _ in }) {
    var settings = AuthSettings()
    configure(&settings)
    service = AuthService(
      settings: settings, store: store, hasher: hasher, codec: FakeCodec(), secrets: secrets, clock: clock)
  }

  @discardableResult
  func register(_ email: String = "ann@example.com", password: String = "correct horse") throws -> User {
    try service.register(email: email, password: password, client: client)
  }

  func login(
    _ email: String = "ann@example.com", password: String = "correct horse", device: String? = nil,
    from ip: String = "192.0.2.1"
  ) throws -> LoginResult {
    try service.login(
      email: email, password: password, client: ClientInfo(ip: ip, userAgent: "test"), deviceCookie: device)
  }
}
