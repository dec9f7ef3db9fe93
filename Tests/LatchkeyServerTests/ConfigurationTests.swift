import Foundation
import LatchkeyDomain
import LatchkeyStore
import Testing

@testable import LatchkeyServer

@Suite struct ConfigurationTests {
  let base = [
    "LATCHKEY_DATABASE_URL": "postgres://u@127.0.0.1/db",
    "LATCHKEY_JWT_SECRET": String(repeating: "k", count: 32),
  ]

  func load(_ overrides: [String: String], removing: [String] = []) throws(ConfigurationError)
    -> Configuration
  {
    var env = base.merging(overrides) { $1 }
    for key in removing { env.removeValue(forKey: key) }
    return try Configuration.load(from: env)
  }

  func failure(_ overrides: [String: String], removing: [String] = []) -> ConfigurationError? {
    do {
      _ = try load(overrides, removing: removing)
      return nil
    } catch {
      return error
    }
  }

  @Test func defaultsMatchTheSpec() throws {
    let c = try load([:])
    #expect(c.host == "127.0.0.1" && c.port == 8080)
    #expect(c.auth.issuer == "latchkey" && c.auth.audience == "latchkey-api")
    #expect(c.auth.accessTTL == 900 && c.auth.refreshTTL == 604_800 && c.auth.sessionMaxAge == 2_592_000)
    #expect(c.auth.refreshReuseInterval == 10 && c.cookieSecure && c.auth.registrationOpen)
    #expect(c.auth.passwordMinLength == 8 && c.auth.maxSessions == 100)
    #expect(c.argon2MemoryKiB == 19456 && c.argon2Iterations == 2 && c.argon2Parallelism == 1)
    #expect(c.allowedOrigins.isEmpty && c.trustedProxies.isEmpty)
    #expect(c.auth.loginMaxFailuresPerAccount <= 100)
  }

  @Test func requiredSettingsAreNamed() {
    #expect(failure([:], removing: ["LATCHKEY_DATABASE_URL"])?.variable == "LATCHKEY_DATABASE_URL")
    #expect(failure([:], removing: ["LATCHKEY_JWT_SECRET"])?.variable == "LATCHKEY_JWT_SECRET")
  }

  @Test func shortSecretIsRefusedWithoutEchoingIt() {
    let error = failure(["LATCHKEY_JWT_SECRET": "short-secret-value"])
    #expect(error?.variable == "LATCHKEY_JWT_SECRET")
    #expect(error.map { !$0.description.contains("short-secret-value") } == true)
    #expect(
      failure(["LATCHKEY_JWT_PREVIOUS_SECRETS": String(repeating: "p", count: 32) + ",tooshort"])?.variable
        == "LATCHKEY_JWT_PREVIOUS_SECRETS")
  }

  @Test func secretsFromFiles() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString)
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let secret = dir.appendingPathComponent("secret")
    try Data((String(repeating: "s", count: 40) + "\n").utf8).write(to: secret)
    let previous = dir.appendingPathComponent("previous")
    try Data((String(repeating: "a", count: 32) + "\n" + String(repeating: "b", count: 33) + "\n").utf8)
      .write(to: previous)
    let c = try load(
      ["LATCHKEY_JWT_SECRET_FILE": secret.path, "LATCHKEY_JWT_PREVIOUS_SECRETS_FILE": previous.path],
      removing: ["LATCHKEY_JWT_SECRET"])
    #expect(c.jwtSecret.count == 40)
    #expect(c.jwtPreviousSecrets.map(\.count) == [32, 33])
    #expect(failure(["LATCHKEY_JWT_SECRET_FILE": secret.path])?.variable == "LATCHKEY_JWT_SECRET")
    #expect(
      failure(
        ["LATCHKEY_JWT_SECRET_FILE": dir.appendingPathComponent("missing").path],
        removing: ["LATCHKEY_JWT_SECRET"])?
        .variable == "LATCHKEY_JWT_SECRET_FILE")
  }

  @Test func durationsWithUnits() throws {
    let c = try load([
      "LATCHKEY_ACCESS_TTL": "15m", "LATCHKEY_REFRESH_TTL": "7d", "LATCHKEY_SESSION_MAX_AGE": "2w",
      "LATCHKEY_REFRESH_REUSE_INTERVAL": "0",
    ])
    #expect(c.auth.accessTTL == 900 && c.auth.refreshTTL == 604_800 && c.auth.sessionMaxAge == 1_209_600)
    #expect(c.auth.refreshReuseInterval == 0)
    #expect(try load(["LATCHKEY_ACCESS_TTL": "1h"]).auth.accessTTL == 3600)
    #expect(try load(["LATCHKEY_ACCESS_TTL": "30s"]).auth.accessTTL == 30)
    for bad in ["abc", "15x", "-5", "m", "1.5h", "0", "99999999999999999999d"] {
      #expect(failure(["LATCHKEY_ACCESS_TTL": bad])?.variable == "LATCHKEY_ACCESS_TTL", "\(bad)")
    }
  }

  @Test func otherValuesAreValidated() {
    #expect(failure(["LATCHKEY_PORT": "99999"])?.variable == "LATCHKEY_PORT")
    #expect(failure(["LATCHKEY_COOKIE_SECURE": "maybe"])?.variable == "LATCHKEY_COOKIE_SECURE")
    #expect(failure(["LATCHKEY_REGISTRATION": "sometimes"])?.variable == "LATCHKEY_REGISTRATION")
    #expect(failure(["LATCHKEY_ALLOWED_ORIGINS": "not a url"])?.variable == "LATCHKEY_ALLOWED_ORIGINS")
    #expect(failure(["LATCHKEY_TRUSTED_PROXIES": "10.0.0.0/99"])?.variable == "LATCHKEY_TRUSTED_PROXIES")
    #expect(failure(["LATCHKEY_MAX_SESSIONS": "0"])?.variable == "LATCHKEY_MAX_SESSIONS")
    // Argon2 parameters the verifier would refuse for stored hashes are refused here.
    #expect(failure(["LATCHKEY_ARGON2_MEMORY_KIB": "300000"])?.variable == "LATCHKEY_ARGON2_MEMORY_KIB")
    #expect(failure(["LATCHKEY_ARGON2_ITERATIONS": "17"])?.variable == "LATCHKEY_ARGON2_ITERATIONS")
    #expect(failure(["LATCHKEY_ARGON2_PARALLELISM": "0"])?.variable == "LATCHKEY_ARGON2_PARALLELISM")
    #expect(
      failure(["LATCHKEY_LOGIN_MAX_FAILURES_PER_ACCOUNT": "101"])?.variable
        == "LATCHKEY_LOGIN_MAX_FAILURES_PER_ACCOUNT")
  }

  @Test func listsAreParsed() throws {
    let c = try load([
      "LATCHKEY_ALLOWED_ORIGINS": "https://app.example.com, http://localhost:3000/",
      "LATCHKEY_TRUSTED_PROXIES": "10.0.0.0/8,::1", "LATCHKEY_REGISTRATION": "closed",
      "LATCHKEY_COOKIE_SECURE": "false",
    ])
    #expect(c.allowedOrigins == ["https://app.example.com", "http://localhost:3000"])
    #expect(c.trustedProxies == ["10.0.0.0/8", "::1"])
    #expect(!c.auth.registrationOpen && !c.cookieSecure)
  }

  @Test func signingKeySettings() throws {
    let defaults = try load([:])
    #expect(defaults.signingKeyAlgorithm == nil)
    #expect(defaults.keyPublishDelay == 600 && defaults.keyRotationInterval == 0)
    #expect(try load(["LATCHKEY_JWT_ALG": "HS256"]).signingKeyAlgorithm == nil)
    #expect(try load(["LATCHKEY_JWT_ALG": "ES256"]).signingKeyAlgorithm == .es256)
    #expect(try load(["LATCHKEY_JWT_ALG": "EdDSA"]).signingKeyAlgorithm == .edDSA)
    let timed = try load(["LATCHKEY_KEY_PUBLISH_DELAY": "15m", "LATCHKEY_KEY_ROTATION_INTERVAL": "30d"])
    #expect(timed.keyPublishDelay == 900 && timed.keyRotationInterval == 2_592_000)
    #expect(timed.signingKeyPolicy.retention == 930)
    #expect(try load(["LATCHKEY_KEY_PUBLISH_DELAY": "0"]).keyPublishDelay == 0)
    for bad in ["RS256", "none", "HS512", "ES256K"] {
      #expect(failure(["LATCHKEY_JWT_ALG": bad])?.variable == "LATCHKEY_JWT_ALG", "\(bad)")
    }
    #expect(failure(["LATCHKEY_KEY_PUBLISH_DELAY": "soon"])?.variable == "LATCHKEY_KEY_PUBLISH_DELAY")
    #expect(failure(["LATCHKEY_KEY_ROTATION_INTERVAL": "-1"])?.variable == "LATCHKEY_KEY_ROTATION_INTERVAL")
    // Rotating faster than a key is published would start a rotation before the last one signed.
    #expect(
      failure(["LATCHKEY_KEY_ROTATION_INTERVAL": "5m"])?.variable == "LATCHKEY_KEY_ROTATION_INTERVAL")
  }

  @Test func demoIsOffUnlessAsked() throws {
    #expect(try load([:]).demo == false)
    #expect(try load(["LATCHKEY_DEMO": "true"]).demo)
    #expect(failure(["LATCHKEY_DEMO": "sometimes"])?.variable == "LATCHKEY_DEMO")
  }
}

@Suite struct OAuthConfigurationTests {
  let base = [
    "LATCHKEY_DATABASE_URL": "postgres://u@127.0.0.1/db",
    "LATCHKEY_JWT_SECRET": String(repeating: "k", count: 32),
  ]

  func load(_ overrides: [String: String]) throws(ConfigurationError) -> Configuration {
    try Configuration.load(from: base.merging(overrides) { $1 })
  }

  @Test func publicURLDefaultsToHostAndPort() throws {
    #expect(try load([:]).publicURL == "http://127.0.0.1:8080")
    #expect(
      try load(["LATCHKEY_HOST": "0.0.0.0", "LATCHKEY_PORT": "9000"]).publicURL == "http://localhost:9000")
    #expect(try load(["LATCHKEY_HOST": "::"]).publicURL == "http://localhost:8080")
    #expect(try load(["LATCHKEY_HOST": "::1"]).publicURL == "http://[::1]:8080")
    #expect(try load(["LATCHKEY_HOST": "auth.internal"]).publicURL == "http://auth.internal:8080")
  }

  @Test func publicURLIsValidatedAndLosesItsTrailingSlash() throws {
    #expect(
      try load(["LATCHKEY_PUBLIC_URL": "https://auth.example.com/"]).publicURL == "https://auth.example.com")
    #expect(
      try load(["LATCHKEY_PUBLIC_URL": "https://example.com/auth"]).publicURL == "https://example.com/auth")
    for bad in [
      "auth.example.com", "ftp://x.example", "https://x.example/?a=b", "https://x.example/#f", "https://",
    ] {
      #expect(throws: ConfigurationError.self, "\(bad)") { try load(["LATCHKEY_PUBLIC_URL": bad]) }
    }
    do {
      _ = try load(["LATCHKEY_PUBLIC_URL": "https://user:hunter2@x.example"])
      Issue.record("credentials in the public URL were accepted")
    } catch {
      #expect(error.variable == "LATCHKEY_PUBLIC_URL")
      #expect(!error.description.contains("hunter2"))
    }
  }

  @Test func clientTokenLifetimeDefaultsToTheAccessLifetime() throws {
    #expect(try load([:]).clientTokenTTL == 900)
    #expect(try load(["LATCHKEY_ACCESS_TTL": "5m"]).clientTokenTTL == 300)
    #expect(
      try load(["LATCHKEY_ACCESS_TTL": "5m", "LATCHKEY_CLIENT_TOKEN_TTL": "1h"]).clientTokenTTL == 3600)
    #expect(throws: ConfigurationError.self) { try load(["LATCHKEY_CLIENT_TOKEN_TTL": "0"]) }
    #expect(throws: ConfigurationError.self) { try load(["LATCHKEY_CLIENT_TOKEN_TTL": "soon"]) }
  }
}
