import Foundation
import LatchkeyTesting
import Testing

/// The Origin rule on the cookie endpoints and CORS for allowed origins (docs/api.md#origin-rule).
@Suite("Origin checks and CORS")
struct OriginTests {
  static let app = "https://app.example.com"

  @Test("a foreign Origin on /login, /refresh, /logout: 403 invalid_origin and no Set-Cookie")
  func foreignOrigin() throws {
    try withServer(["LATCHKEY_ALLOWED_ORIGINS": Self.app]) { server in
      let client = server.client()
      let email = uniqueEmail()
      let tokens = try client.signIn(email, register: true)
      let cookie = ("Cookie", "\(plainCookieName)=\(tokens.refresh)")
      let json = ("Content-Type", "application/json")
      let credentials = Array(#"{"email":"\#(email)","password":"\#(defaultPassword)"}"#.utf8)
      for origin in [
        "https://evil.example", "null", "http://127.0.0.1:1", "https://app.example.com.evil.example",
        "http://127.0.0.1:\(server.port).evil.example",
      ] {
        let responses = [
          try client.request("POST", "/login", headers: [json, ("Origin", origin)], body: credentials),
          try client.request("POST", "/refresh", headers: [cookie, ("Origin", origin)]),
          try client.request("POST", "/logout", headers: [cookie, ("Origin", origin)]),
          try client.request("POST", "/logout?scope=global", headers: [cookie, ("Origin", origin)]),
          // Decided before anything else: even a malformed body.
          try client.request("POST", "/login", headers: [("Origin", origin)], body: Array("x".utf8)),
        ]
        for response in responses {
          #expect(response.status == 403, "\(origin)")
          #expect(response.errorCode == "invalid_origin", "\(origin)")
          #expect(response.headers(named: "set-cookie").isEmpty, "\(origin)")
          #expect(response.header("access-control-allow-origin") == nil)
        }
      }
      // None of that logged the user out.
      #expect(try client.me(tokens.access).status == 200)
      #expect(try client.rotate(tokens.refresh).access.isEmpty == false)
    }
  }

  @Test("the service's own origin is accepted")
  func sameOrigin() throws {
    try withServer { server in
      let client = server.client()
      let origin = ("Origin", "http://127.0.0.1:\(server.port)")
      let email = uniqueEmail()
      try client.register(email)
      let login = try client.login(email, headers: [origin])
      #expect(login.status == 200)
      let cookie = try #require(login.refreshCookie?.value)
      let refreshed = try client.refresh(cookie: cookie, headers: [origin])
      #expect(refreshed.status == 200)
      let next = try #require(refreshed.refreshCookie?.value)
      #expect(try client.logout(cookie: next, headers: [origin]).status == 204)
      RefreshTests.expectRefused(try client.refresh(cookie: next))
    }
  }

  @Test("an allowed origin is accepted and gets credentialed CORS headers")
  func allowedOrigin() throws {
    let environment = ["LATCHKEY_ALLOWED_ORIGINS": "https://other.example, \(Self.app)"]
    try withServer(environment) { server in
      let client = server.client()
      let origin = ("Origin", Self.app)
      let email = uniqueEmail()
      try client.register(email)

      func expectCORS(_ response: TestResponse, _ what: String) {
        #expect(response.header("access-control-allow-origin") == Self.app, "\(what)")
        #expect(response.header("access-control-allow-credentials") == "true", "\(what)")
        #expect(response.header("access-control-allow-origin") != "*")
      }

      let login = try client.login(email, headers: [origin])
      #expect(login.status == 200)
      expectCORS(login, "login")
      let cookie = try #require(login.refreshCookie?.value)
      let refreshed = try client.refresh(cookie: cookie, headers: [origin])
      #expect(refreshed.status == 200)
      expectCORS(refreshed, "refresh")
      let access = try #require(refreshed.accessToken)
      let me = try client.request("GET", "/api/me", headers: [origin, ("Authorization", "Bearer \(access)")])
      #expect(me.status == 200)
      expectCORS(me, "me")
      let failed = try client.refresh(cookie: "garbage", headers: [origin])
      #expect(failed.status == 401)
      expectCORS(failed, "refresh failure")
      let logout = try client.logout(cookie: refreshed.refreshCookie?.value, headers: [origin])
      #expect(logout.status == 204)
      expectCORS(logout, "logout")

      // A foreign origin gets no CORS headers.
      let foreign = try client.request("GET", "/healthz", headers: [("Origin", "https://evil.example")])
      #expect(foreign.header("access-control-allow-origin") == nil)
      #expect(foreign.header("access-control-allow-credentials") == nil)
    }
  }

  @Test("a preflight from an allowed origin: 2xx with Allow-Methods, Allow-Headers and credentials")
  func preflight() throws {
    try withServer(["LATCHKEY_ALLOWED_ORIGINS": Self.app]) { server in
      let client = server.client()
      for (path, method) in [
        ("/login", "POST"), ("/refresh", "POST"), ("/logout", "POST"), ("/api/me", "GET"),
        ("/api/sessions/00000000-0000-0000-0000-000000000000", "DELETE"),
      ] {
        let response = try client.request(
          "OPTIONS", path,
          headers: [
            ("Origin", Self.app), ("Access-Control-Request-Method", method),
            ("Access-Control-Request-Headers", "authorization, content-type"),
          ])
        #expect((200..<300).contains(response.status), "\(path)")
        #expect(response.header("access-control-allow-origin") == Self.app, "\(path)")
        #expect(response.header("access-control-allow-credentials") == "true", "\(path)")
        let methods = response.header("access-control-allow-methods") ?? ""
        #expect(methods.contains(method), "\(path): \(methods)")
        let headers = (response.header("access-control-allow-headers") ?? "").lowercased()
        #expect(headers.contains("authorization") && headers.contains("content-type"), "\(path): \(headers)")
      }
      // A preflight from a foreign origin gets no CORS grant.
      let foreign = try client.request(
        "OPTIONS", "/login",
        headers: [("Origin", "https://evil.example"), ("Access-Control-Request-Method", "POST")])
      #expect(foreign.header("access-control-allow-origin") == nil)
      #expect(foreign.header("access-control-allow-methods") == nil)
    }
  }
}
