import Foundation
import LatchkeyTesting
import Testing

/// docs/api.md#conventions: nothing a client sends gives a 5xx or breaks the process;
/// 404/405 rules and `X-Content-Type-Options: nosniff` everywhere.
@Suite("hostile input")
struct HostileInputTests {
  static func expectSane(_ response: TestResponse, _ what: String) {
    #expect(response.status < 500, "\(what): \(response.status) \(response.text)")
    #expect(response.header("x-content-type-options") == "nosniff", "\(what)")
    if response.status >= 400 {
      #expect(response.errorCode != nil, "\(what): error body \(response.text)")
    }
  }

  static var malformedBodies: [String] {
    let deepArray = String(repeating: "[", count: 5000) + String(repeating: "]", count: 5000)
    let deepObject = String(repeating: #"{"a":"#, count: 2500) + "1" + String(repeating: "}", count: 2500)
    let unclosed = String(repeating: "[", count: 16000)
    let huge = String(repeating: "x", count: 15000)
    return [
      "", " ", "{", "}", "{\"email\":", #"{"email":"a@b.c","password":"12345678""#, "[", "[]", "[{}]",
      "null", "true", "0", "-1e999999", "1e400", #""string""#, "{}",
      #"{"email":null,"password":null}"#, #"{"email":123,"password":456}"#,
      #"{"email":["a@b.c"],"password":{"x":1}}"#, #"{"email":true,"password":false}"#,
      #"{"email":1e308,"password":-0}"#, #"{"email":"a@b.c","password":"12345678","extra":{"deep":[1,2,3]}}"#,
      #"{"email":"\u0000@example.com","password":"\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000"}"#,
      #"{"email":"\ud800@example.com","password":"\udfff\udfff\udfff\udfff\udfff\udfff\udfff\udfff"}"#,
      #"{"email":"a@b.c","email":"c@d.e","password":"12345678"}"#,
      "{\"email\":\"\(huge)@example.com\",\"password\":\"12345678\"}",
      "{\"email\":\"a@example.com\",\"password\":\"\(huge)\"}",
      deepArray, deepObject, unclosed,
      "\u{FEFF}{\"email\":\"a@b.c\",\"password\":\"12345678\"}",
      "{\"email\":\"\u{202E}@example.com\",\"password\":\"12345678\"}",
      String(decoding: [0xFF, 0xFE, 0x00, 0x7B, 0xC3, 0x28], as: UTF8.self),
    ]
  }

  @Test("malformed bodies on every JSON endpoint: 4xx, never 5xx")
  func malformedBodies() throws {
    try withServer { server in
      let client = server.client()
      let tokens = try client.signIn(uniqueEmail(), register: true)
      let auth = ("Authorization", "Bearer \(tokens.access)")
      var bodies = Self.malformedBodies.map { Array($0.utf8) }
      bodies.append([0xFF, 0xFE, 0xFD, 0x00, 0x01])  // not UTF-8 at all
      for body in bodies {
        for path in ["/register", "/login", "/api/password"] {
          let response = try client.request(
            "POST", path, headers: [("Content-Type", "application/json"), auth], body: body)
          Self.expectSane(response, "\(path) \(String(decoding: body.prefix(40), as: UTF8.self))")
        }
      }
      // Still serving, and the session is untouched.
      #expect(try client.me(tokens.access).status == 200)
    }
  }

  @Test("forged and malformed bearer tokens: 401 invalid_token, never 5xx")
  func forgedTokens() throws {
    try withServer { server in
      let client = server.client()
      let tokens = try client.signIn(uniqueEmail(), register: true)
      let jwt = try #require(DecodedJWT(tokens.access))
      let secret = TestServer.secret
      let claims = jwt.claims
      let header = jwt.header
      let parts = tokens.access.split(separator: ".").map(String.init)
      var forged: [String] = [
        forgeJWT(header: ["alg": "none", "typ": "JWT"], claims: claims, secret: secret, signature: ""),
        forgeJWT(header: ["alg": "None", "typ": "JWT"], claims: claims, secret: secret, signature: ""),
        forgeJWT(header: ["alg": "none"], claims: claims, secret: secret, signature: parts[2]),
        forgeJWT(
          header: ["alg": "HS384", "typ": "JWT", "kid": header["kid"]!], claims: claims, secret: secret),
        forgeJWT(header: ["alg": "RS256", "typ": "JWT"], claims: claims, secret: secret),
        forgeJWT(header: ["typ": "JWT"], claims: claims, secret: secret),
        forgeJWT(header: ["alg": "HS256", "kid": "unknown-kid"], claims: claims, secret: "x"),
        forgeJWT(header: header, claims: claims.merging(["sub": "not-a-uuid"]) { $1 }, secret: secret),
        forgeJWT(header: header, claims: claims.merging(["sid": 42]) { $1 }, secret: secret),
        forgeJWT(header: header, claims: claims.merging(["exp": "tomorrow"]) { $1 }, secret: secret),
        forgeJWT(header: header, claims: claims.merging(["exp": 1e300]) { $1 }, secret: secret),
        forgeJWT(
          header: header, claims: claims.merging(["jti": String(repeating: "j", count: 5000)]) { $1 },
          secret: "x"),
        forgeJWT(header: header, claims: claims.filter { $0.key != "jti" }, secret: secret),
        forgeJWT(header: header, claims: claims.filter { $0.key != "exp" }, secret: secret),
        forgeJWT(header: header, claims: ["sub": NSNull()], secret: secret),
        forgeJWT(
          header: header, claims: claims.merging(["aud": ["latchkey-api", "x"]]) { $1 }, secret: "nope"),
        "\(parts[0]).\(parts[1])",
        "\(parts[0]).\(parts[1]).\(parts[2]).extra",
        "\(parts[0])..\(parts[2])",
        "..",
        ".",
        "eyJhbGciOiJub25lIn0.e30.",
        "eyJ!!!.eyJ!!!.abc",
        String(repeating: "a", count: 8000),
        // A changed last signature character (never the one it already had).
        "\(parts[0]).\(parts[1]).\(parts[2].dropLast())\(parts[2].last == "A" ? "E" : "A")",
        "\(parts[0].lowercased()).\(parts[1]).\(parts[2])",
        "\u{00e9}\u{00e9}.\u{00e9}.\u{00e9}",
      ]
      // Base64 of non-JSON and of JSON non-objects.
      for junk in ["[]", "null", "\"s\"", "{\"alg\":", "\u{0}"] {
        let encoded = Data(junk.utf8).base64EncodedString().replacingOccurrences(of: "=", with: "")
        forged.append("\(encoded).\(parts[1]).\(parts[2])")
        forged.append("\(parts[0]).\(encoded).\(parts[2])")
      }
      for token in forged {
        for path in ["/api/me", "/api/sessions"] {
          let response = try client.get(path, bearer: token)
          Self.expectSane(response, "\(path) \(token.prefix(60))")
          #expect(response.status == 401, "\(token.prefix(60))")
          #expect(response.errorCode == "invalid_token", "\(token.prefix(60))")
        }
      }
      #expect(try client.me(tokens.access).status == 200)
    }
  }

  @Test("bad cookie values and odd headers: 4xx, never 5xx")
  func badCookiesAndHeaders() throws {
    try withServer { server in
      let client = server.client()
      let tokens = try client.signIn(uniqueEmail(), register: true)
      let cookies = [
        "\(plainCookieName)", "\(plainCookieName)=", "\(plainCookieName)=\"\"", "=\(tokens.refresh)",
        "\(plainCookieName)=\(String(repeating: "A", count: 8000))",
        "\(plainCookieName)=\(tokens.refresh)x", "\(plainCookieName)=\(tokens.refresh.dropLast())",
        "\(plainCookieName)=\(tokens.refresh.dropLast())=",
        "\(plainCookieName)=%00%01%02", "\(plainCookieName)=\u{1}\u{2}", "\(plainCookieName)=é",
        "\(plainCookieName)=a;b;c;;;==;=",
        ";;;;", "\(plainCookieName)=\(String(repeating: "+/", count: 21))A",
      ]
      for cookie in cookies {
        for path in ["/refresh", "/logout", "/logout?scope=global"] {
          let response = try client.request("POST", path, headers: [("Cookie", cookie)])
          Self.expectSane(response, "\(path) \(cookie.prefix(60))")
        }
      }
      // Odd but bounded headers.
      let odd: [[(String, String)]] = [
        [("Authorization", "Bearer " + String(repeating: "x", count: 20000))],
        [("Authorization", "Bearer a b c")],
        [("Authorization", "Bearer\t\(tokens.access)")],
        [("X-Forwarded-For", String(repeating: "1.2.3.4, ", count: 1000))],
        [("Origin", String(repeating: "o", count: 10000))],
        (0..<200).map { ("X-Junk-\($0)", "v") },
        [("Content-Type", String(repeating: "a/", count: 5000))],
        [("User-Agent", String(repeating: "u", count: 20000))],
      ]
      for headers in odd {
        for (method, path) in [("GET", "/api/me"), ("POST", "/refresh"), ("POST", "/login")] {
          let response = try client.request(method, path, headers: headers, body: method == "POST" ? [] : nil)
          Self.expectSane(response, "\(path) \(headers.first!.0)")
        }
      }
      // The session survived it all (no cookie above was the real one).
      #expect(try client.me(tokens.access).status == 200)
      #expect(try client.rotate(tokens.refresh).access.isEmpty == false)
    }
  }

  @Test("raw bytes in headers (NUL, invalid UTF-8, bare LF) never give a 5xx")
  func rawHeaderBytes() throws {
    try withServer { server in
      let email = uniqueEmail()
      try server.client().register(email)
      let body = Array(#"{"email":"\#(email)","password":"\#(defaultPassword)"}"#.utf8)
      let userAgents: [[UInt8]] = [
        [0x61, 0x00, 0x62], [0xFF, 0xFE, 0xC3, 0x28], [0xE2, 0x82], Array("ok".utf8),
      ]
      for agent in userAgents {
        let client = server.client()
        var request = Array(
          "POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n".utf8)
        request += Array("User-Agent: ".utf8) + agent + Array("\r\nCookie: \(plainCookieName)=".utf8) + agent
        request += Array("\r\nContent-Length: \(body.count)\r\nConnection: close\r\n\r\n".utf8) + body
        do {
          try client.sendRaw(request)
          let response = try client.readResponse(method: "POST")
          #expect(response.status < 500, "\(agent): \(response.status) \(response.text)")
        } catch {
          // Closing the connection on a malformed request is acceptable; crashing is not.
        }
      }
      #expect(try server.client().request("GET", "/healthz").status == 200)
      #expect(try server.client().login(email).status == 200)
    }
  }

  @Test("a long User-Agent is stored truncated, not refused")
  func longUserAgent() throws {
    try withServer { server in
      let client = server.client()
      let email = uniqueEmail()
      try client.register(email)
      let login = try client.login(email, headers: [("User-Agent", String(repeating: "ü", count: 5000))])
      #expect(login.status == 200)
      let sessions = try client.get("/api/sessions", bearer: login.accessToken)
      #expect(sessions.status == 200)
    }
  }

  @Test("headers beyond the server's limit: a 4xx answer and the server lives on")
  func hugeHeaders() throws {
    try withServer { server in
      let client = server.client()
      let response = try client.request(
        "GET", "/api/me", headers: [("X-Huge", String(repeating: "h", count: 64 * 1024))])
      #expect((400..<500).contains(response.status), "\(response.status)")
      // libmicrohttpd answers an oversized header block itself (before any
      // handler), with its own canned response: no nosniff, no JSON body.
      withKnownIssue("libmicrohttpd's built-in \(response.status) answer lacks X-Content-Type-Options") {
        #expect(response.header("x-content-type-options") == "nosniff")
        #expect(response.errorCode != nil)
      }
      #expect(try server.client().request("GET", "/healthz").status == 200)
    }
  }

  @Test("protocol-level garbage gets a 4xx/5xx answer or a closed connection, and the server lives on")
  func protocolErrors() throws {
    try withServer { server in
      // (raw request, answered by libmicrohttpd itself rather than by Latchkey)
      let cases: [(String, Bool)] = [
        ("GET /healthz HTTP/9.9\r\nHost: x\r\n\r\n", true),
        ("POST /login HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n", true),
        ("GET /healthz?\(String(repeating: "q", count: 40000)) HTTP/1.1\r\nHost: x\r\n\r\n", true),
        ("GET  HTTP/1.1\r\nHost: x\r\n\r\n", true),
        ("POST /login HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!", false),
        ("BREW /login HTTP/1.1\r\nHost: x\r\n\r\n", false),
        ("GET healthz HTTP/1.1\r\nHost: x\r\n\r\n", false),
        (
          "POST /login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "5\r\n{\"a\":\r\n0\r\n\r\n", false
        ),
      ]
      for (raw, answeredByMHD) in cases {
        let client = server.client()
        try client.sendRaw(Array(raw.utf8))
        guard let response = try? client.readResponse() else { continue }
        let what = String(raw.prefix(40))
        #expect(response.status >= 400, "\(what)")
        #expect(response.status != 500, "\(what)")
        if answeredByMHD {
          // libmicrohttpd's canned HTML answers (400, 414, 431, 505) carry
          // neither nosniff nor the JSON error shape.
          withKnownIssue("libmicrohttpd's built-in \(response.status) answer is not Latchkey's JSON error") {
            #expect(response.header("x-content-type-options") == "nosniff", "\(what)")
            #expect(response.errorCode != nil, "\(what)")
          }
        } else {
          Self.expectSane(response, what)
        }
      }
      #expect(try server.client().request("GET", "/healthz").status == 200)
    }
  }

  @Test("unknown paths are 404, wrong methods 405 with Allow; all with nosniff")
  func routing() throws {
    try withServer { server in
      let client = server.client()
      for path in [
        "/", "/nope", "/api", "/api/me/extra", "/login/", "/%2e%2e/etc/passwd", "/api/admin/users",
      ] {
        let response = try client.request("GET", path)
        #expect(response.status == 404, "\(path)")
        Self.expectSane(response, path)
      }
      let cases: [(String, String, String)] = [
        ("GET", "/login", "POST"), ("GET", "/refresh", "POST"), ("PUT", "/logout", "POST"),
        ("DELETE", "/register", "POST"), ("POST", "/api/me", "GET"), ("POST", "/healthz", "GET"),
        ("GET", "/api/password", "POST"), ("POST", "/api/sessions", "GET"),
        ("GET", "/api/sessions/\(UUID().uuidString)", "DELETE"),
      ]
      for (method, path, allowed) in cases {
        let response = try client.request(method, path)
        #expect(response.status == 405, "\(method) \(path)")
        let allow = response.header("allow") ?? ""
        #expect(
          allow.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.contains(allowed),
          "\(method) \(path): Allow \(allow)")
        Self.expectSane(response, "\(method) \(path)")
      }
    }
  }

  @Test("every kind of response carries X-Content-Type-Options: nosniff")
  func nosniffEverywhere() throws {
    try withServer(["LATCHKEY_ALLOWED_ORIGINS": "https://app.example.com"]) { server in
      let client = server.client()
      let email = uniqueEmail()
      var responses: [(String, TestResponse)] = []
      responses.append(("register", try client.register(email)))
      responses.append(("login", try client.login(email)))
      let tokens = try client.signIn(email)
      responses.append(("bad login", try client.login(email, "wrong password!")))
      responses.append(("refresh", try client.refresh(cookie: tokens.refresh)))
      responses.append(("bad refresh", try client.refresh(cookie: nil)))
      responses.append(("me", try client.me(tokens.access)))
      responses.append(("me 401", try client.me(nil)))
      responses.append(("sessions", try client.get("/api/sessions", bearer: tokens.access)))
      responses.append(("healthz", try client.request("GET", "/healthz")))
      responses.append(("readyz", try client.request("GET", "/readyz")))
      responses.append(("metrics", try client.request("GET", "/metrics")))
      responses.append(("HEAD healthz", try client.request("HEAD", "/healthz")))
      responses.append(
        (
          "preflight",
          try client.request(
            "OPTIONS", "/login",
            headers: [("Origin", "https://app.example.com"), ("Access-Control-Request-Method", "POST")])
        ))
      responses.append(("415", try client.request("POST", "/login", body: Array("{}".utf8))))
      responses.append(("logout", try client.logout(cookie: tokens.refresh)))
      for (what, response) in responses {
        #expect(response.header("x-content-type-options") == "nosniff", "\(what)")
        #expect(response.status < 500, "\(what)")
      }
    }
  }

  @Test("error texts never echo passwords or tokens")
  func noSecretsInErrors() throws {
    try withServer { server in
      let client = server.client()
      let email = uniqueEmail()
      let secretPassword = "Sup3r-Secret-Passphrase"
      try client.register(email, secretPassword)
      let tokens = try client.signIn(email, secretPassword)
      let responses = [
        try client.login(email, "Wrong-\(secretPassword)"),
        try client.json("POST", "/register", ["email": email, "password": secretPassword]),
        try client.json("POST", "/register", ["email": uniqueEmail(), "password": 12_345_678]),
        try client.refresh(cookie: tokens.refresh + "x"),
        try client.me(tokens.access + "x"),
        try client.json(
          "POST", "/api/password", ["current_password": "Wrong-\(secretPassword)", "new_password": "x"],
          headers: [("Authorization", "Bearer \(tokens.access)")]),
      ]
      for response in responses {
        #expect(!response.text.contains(secretPassword))
        #expect(!response.text.contains(tokens.refresh))
        #expect(!response.text.contains(tokens.access))
        #expect(!response.text.contains(TestServer.secret))
        #expect(!response.text.contains("$argon2"))
      }
    }
  }
}
