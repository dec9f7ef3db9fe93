import Foundation
import LatchkeyCrypto
import LatchkeyPostgres
import LatchkeyTesting
import Testing

/// `POST /login` and the cookie attributes, over real HTTP (docs/api.md#login).
@Suite("POST /login")
struct LoginTests {
  @Test("200 token body, no-store headers and the refresh cookie's attributes")
  func success() throws {
    try withServer { server in
      let client = server.client()
      let email = uniqueEmail()
      try client.register(email)
      let response = try client.login(email)
      #expect(response.status == 200)
      let body = response.json
      #expect(Set(body.keys) == ["access_token", "token_type", "expires_in"])
      #expect(body["token_type"] as? String == "Bearer")
      #expect((body["expires_in"] as? NSNumber)?.intValue == 900)
      #expect((body["access_token"] as? String)?.split(separator: ".").count == 3)
      #expect(response.header("cache-control") == "no-store")
      #expect(response.header("pragma") == "no-cache")
      #expect(response.header("x-content-type-options") == "nosniff")

      // The refresh cookie and the device cookie (docs/api.md#device-cookie).
      #expect(response.headers(named: "set-cookie").count == 2)
      let device = try #require(response.setCookies.first { $0.name == "latchkey_device" })
      #expect(device.has("HttpOnly") && device.attributes["samesite"]?.lowercased() == "strict")
      #expect(device.attributes["path"] == "/" && !device.has("Domain"))
      #expect((365 * 86_400 - 10...365 * 86_400).contains(device.maxAge ?? 0))
      let cookie = try #require(response.refreshCookie)
      #expect(cookie.name == plainCookieName)
      #expect(cookie.value.count >= 43, "at least 256 bits of base64url")
      #expect(cookie.value.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" })
      #expect(cookie.has("HttpOnly"))
      #expect(cookie.attributes["samesite"]?.lowercased() == "strict")
      #expect(cookie.attributes["path"] == "/")
      #expect(!cookie.has("Domain"))
      #expect(!cookie.has("Secure"), "LATCHKEY_COOKIE_SECURE=false")
      let maxAge = try #require(cookie.maxAge)
      #expect((604_790...604_800).contains(maxAge))
    }
  }

  @Test("secure cookies are Secure and named __Host-latchkey_refresh, and work for refresh")
  func secureCookie() throws {
    try withServer(["LATCHKEY_COOKIE_SECURE": "true"]) { server in
      let client = server.client()
      let email = uniqueEmail()
      try client.register(email)
      let response = try client.login(email)
      #expect(response.status == 200)
      let cookie = try #require(response.refreshCookie)
      #expect(cookie.name == hostCookieName)
      #expect(cookie.has("Secure"))
      #expect(cookie.has("HttpOnly"))
      #expect(cookie.attributes["path"] == "/")
      #expect(!cookie.has("Domain"))

      // Only the __Host- name is read back.
      #expect(try client.refresh(cookie: cookie.value, name: plainCookieName).status == 401)
      let refreshed = try client.refresh(cookie: cookie.value, name: hostCookieName)
      #expect(refreshed.status == 200)
      #expect(refreshed.refreshCookie?.name == hostCookieName)
      let cleared = try client.request("POST", "/logout", headers: [("Cookie", "\(hostCookieName)=x")])
      #expect(cleared.status == 204)
      let clearing = try #require(cleared.refreshCookie)
      #expect(clearing.name == hostCookieName)
      #expect(clearing.maxAge == 0)
      #expect(clearing.has("Secure"))
    }
  }

  @Test("401 invalid_credentials for a wrong password and an unknown email alike")
  func invalidCredentials() throws {
    try withServer { server in
      let client = server.client()
      let email = uniqueEmail()
      try client.register(email)
      let wrong = try client.login(email, "not the password")
      let unknown = try client.login(uniqueEmail("nobody"), "not the password")
      #expect(wrong.status == 401)
      #expect(unknown.status == 401)
      #expect(wrong.errorCode == "invalid_credentials")
      #expect(wrong.text == unknown.text)
      #expect(wrong.refreshCookie == nil)
      #expect(unknown.refreshCookie == nil)
      #expect(!wrong.text.contains("not the password"))
      // Case and spacing of the email do not matter for login.
      #expect(try client.login("  \(email.uppercased()) ").status == 200)
    }
  }

  @Test("each login starts a new session")
  func newSessionPerLogin() throws {
    try withServer { server in
      let client = server.client()
      let email = uniqueEmail()
      let first = try client.signIn(email, register: true)
      let second = try client.signIn(email)
      #expect(first.refresh != second.refresh)
      let a = try #require(DecodedJWT(first.access)?.string("sid"))
      let b = try #require(DecodedJWT(second.access)?.string("sid"))
      #expect(a != b)
    }
  }

  @Test("an account that failed too often gets 429 with Retry-After, even with the right password")
  func accountThrottle() throws {
    let environment = [
      "LATCHKEY_LOGIN_MAX_FAILURES_PER_ACCOUNT": "3", "LATCHKEY_LOGIN_FAILURE_WINDOW": "600",
    ]
    try withServer(environment) { server in
      let client = server.client()
      let victim = uniqueEmail("victim")
      let other = uniqueEmail("other")
      try client.register(victim)
      try client.register(other)
      for _ in 0..<3 {
        #expect(try client.login(victim, "wrong password!").status == 401)
      }
      let throttled = try client.login(victim)
      #expect(throttled.status == 429)
      #expect(throttled.errorCode == "too_many_requests")
      #expect(throttled.refreshCookie == nil)
      let retryAfter = try #require(throttled.header("retry-after").flatMap(Int.init))
      #expect((1...600).contains(retryAfter))
      // The email's case does not dodge the lock.
      #expect(try client.login(victim.uppercased()).status == 429)

      // Another account from the same client is not slowed down.
      #expect(try client.login(other).status == 200)

      // Past the window the account logs in again.
      server.clock.advance(601)
      #expect(try client.login(victim).status == 200)
    }
  }

  @Test("a successful login resets the account's failure count")
  func successResetsAccountCount() throws {
    try withServer(["LATCHKEY_LOGIN_MAX_FAILURES_PER_ACCOUNT": "3"]) { server in
      let client = server.client()
      let email = uniqueEmail()
      try client.register(email)
      for _ in 0..<2 { #expect(try client.login(email, "wrong password!").status == 401) }
      #expect(try client.login(email).status == 200)
      for _ in 0..<2 { #expect(try client.login(email, "wrong password!").status == 401) }
      #expect(try client.login(email).status == 200)
    }
  }

  @Test("a client address that failed too often is throttled on every account until the window ends")
  func addressThrottle() throws {
    let environment = [
      "LATCHKEY_LOGIN_MAX_FAILURES_PER_ACCOUNT": "100", "LATCHKEY_LOGIN_MAX_FAILURES_PER_ADDRESS": "4",
      "LATCHKEY_LOGIN_FAILURE_WINDOW": "5m",
    ]
    try withServer(environment) { server in
      let client = server.client()
      let email = uniqueEmail()
      try client.register(email)
      for index in 0..<4 {
        #expect(try client.login(uniqueEmail("probe\(index)"), "guess guess").status == 401)
      }
      let throttled = try client.login(email)
      #expect(throttled.status == 429)
      #expect(throttled.errorCode == "too_many_requests")
      #expect(throttled.header("retry-after").flatMap(Int.init).map { (1...300).contains($0) } == true)
      // X-Forwarded-For from an untrusted peer is ignored: no dodging.
      let spoofed = try client.login(email, headers: [("X-Forwarded-For", "203.0.113.9")])
      #expect(spoofed.status == 429)

      server.clock.advance(301)
      #expect(try client.login(email).status == 200)
    }
  }

  @Test("behind a trusted proxy the X-Forwarded-For client is the throttled and recorded address")
  func trustedProxy() throws {
    let environment = [
      "LATCHKEY_TRUSTED_PROXIES": "127.0.0.1/32", "LATCHKEY_LOGIN_MAX_FAILURES_PER_ADDRESS": "2",
      "LATCHKEY_LOGIN_MAX_FAILURES_PER_ACCOUNT": "100",
    ]
    try withServer(environment) { server in
      let client = server.client()
      let email = uniqueEmail()
      try client.register(email)
      let attacker = [("X-Forwarded-For", "198.51.100.7")]
      let user = [("X-Forwarded-For", "203.0.113.5")]
      for _ in 0..<2 { #expect(try client.login(email, "wrong password!", headers: attacker).status == 401) }
      #expect(try client.login(email, headers: attacker).status == 429)
      // Another client behind the same proxy is not affected.
      let login = try client.login(email, headers: user)
      #expect(login.status == 200)
      let sessions =
        try client.get("/api/sessions", bearer: login.accessToken).json["sessions"] as? [[String: Any]]
      #expect(sessions?.first?["ip"] as? String == "203.0.113.5")
      // A spoofed left-most entry is ignored: the proxy appended the real client.
      let spoofed = [("X-Forwarded-For", "203.0.113.5, 198.51.100.7")]
      #expect(try client.login(email, headers: spoofed).status == 429)
    }
  }

  @Test("the database holds only a hash of each refresh token")
  func refreshTokenStoredHashed() throws {
    try withServer { server in
      let client = server.client()
      let tokens = try client.signIn(uniqueEmail(), register: true)
      let rotated = try client.rotate(tokens.refresh)
      let dump = try withDatabase(server.databaseURL) { db in
        try db.query(
          "select coalesce(string_agg(t::text, ' '), '') from (select * from refresh_tokens) t"
        ).rows.first?.string(0) ?? ""
      }
      #expect(!dump.isEmpty)
      for value in [tokens.refresh, rotated.refresh] {
        let raw = try #require(Base64URL.decode(value))
        #expect(raw.count >= 32, "at least 256 bits")
        #expect(!dump.contains(value))
        #expect(!dump.contains(raw.map { String(format: "%02x", $0) }.joined()))
      }
    }
  }

  @Test("a weaker stored hash is re-hashed with the configured argon2 parameters on login")
  func rehash() throws {
    let url = try TestDatabase.create()
    defer { TestDatabase.drop(url) }
    let email = uniqueEmail("rehash")
    func storedHash() throws -> String {
      try withDatabase(url) { db in
        let rows = try db.query("select password_hash from users where email_key = $1", [.text(email)]).rows
        return try #require(rows.first?.string(0))
      }
    }

    let weak = try TestServer(environment: ["LATCHKEY_ARGON2_MEMORY_KIB": "1024"], databaseURL: url)
    #expect(try weak.client().register(email).status == 201)
    weak.stop()
    let before = try storedHash()
    #expect(before.hasPrefix("$argon2id$"))
    #expect(before.contains("m=1024,"))

    let strong = try TestServer(environment: ["LATCHKEY_ARGON2_MEMORY_KIB": "2048"], databaseURL: url)
    defer { strong.stop() }
    let client = strong.client()
    // A failed login does not touch the hash.
    #expect(try client.login(email, "wrong password!").status == 401)
    #expect(try storedHash() == before)
    #expect(try client.login(email).status == 200)
    let after = try storedHash()
    #expect(after.hasPrefix("$argon2id$"))
    #expect(after.contains("m=2048,"))
    #expect(after != before)
    // The new hash verifies the same password.
    #expect(try client.login(email).status == 200)
    #expect(try client.login(email, "wrong password!").status == 401)
  }
}
