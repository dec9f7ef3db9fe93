import Foundation
import LatchkeyDomain
import LatchkeyServer
import LatchkeyTesting
import Testing

/// The authorization code flow over HTTP (docs/oauth.md#authorization-code-flow):
/// `/oauth/authorize`'s error pages and error redirects, the sign-in and
/// consent pages, anti-forgery, `prompt`, the sign-in session, and the code
/// grant at `/oauth/token`.
@Suite struct AuthorizeTests {
  func expectPageHeaders(_ page: TestResponse, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(page.header("Content-Type") == "text/html; charset=utf-8", sourceLocation: sourceLocation)
    #expect(page.header("X-Frame-Options") == "DENY", sourceLocation: sourceLocation)
    #expect(page.header("Content-Security-Policy") == pageCSP, sourceLocation: sourceLocation)
    #expect(page.header("Cache-Control") == "no-store", sourceLocation: sourceLocation)
    #expect(page.header("Referrer-Policy") == "same-origin", sourceLocation: sourceLocation)
    #expect(!page.text.lowercased().contains("<script"), sourceLocation: sourceLocation)
  }

  func expectErrorPage(_ page: TestResponse, _ status: Int, sourceLocation: SourceLocation = #_sourceLocation)
  {
    #expect(page.status == status, "\(page.text)", sourceLocation: sourceLocation)
    #expect(page.isErrorPage, "\(page.text)", sourceLocation: sourceLocation)
    #expect(page.header("Location") == nil, sourceLocation: sourceLocation)
    expectPageHeaders(page, sourceLocation: sourceLocation)
  }

  /// A 302 back to `redirect` with `error`, a description, the state and `iss`.
  func expectErrorRedirect(
    _ response: TestResponse, to redirect: String = FlowServer.redirect, _ error: String,
    state: String? = "st-123", sourceLocation: SourceLocation = #_sourceLocation
  ) {
    #expect(response.status == 302, "\(response.text)", sourceLocation: sourceLocation)
    let location = response.header("Location") ?? ""
    #expect(location.hasPrefix(redirect + "?"), "\(location)", sourceLocation: sourceLocation)
    let parameters = response.redirectParameters
    #expect(parameters["error"] == error, "\(location)", sourceLocation: sourceLocation)
    #expect(parameters["error_description"]?.isEmpty == false, sourceLocation: sourceLocation)
    #expect(parameters["state"] == state, sourceLocation: sourceLocation)
    #expect(parameters["iss"] == FlowServer.issuer, sourceLocation: sourceLocation)
    #expect(parameters["code"] == nil, sourceLocation: sourceLocation)
    #expect(response.header("Cache-Control") == "no-store", sourceLocation: sourceLocation)
  }

  func codeCount(_ flow: FlowServer) throws -> Int {
    try withDatabase(flow.server.databaseURL) { db in
      Int(try db.query("select count(*) as n from authorization_codes").rows.first?.int("n") ?? -1)
    }
  }

  // MARK: - Requests that cannot be trusted: a page, never a redirect

  @Test func unknownClientAndBadRedirectURIsAreErrorPages() throws {
    try FlowServer.run { flow in
      let browser = PageBrowser(flow.server)
      let pkce = PKCEPair()
      let client = try flow.client()
      let none = try flow.client(redirectURIs: [])
      let two = try flow.client(redirectURIs: [FlowServer.redirect, "https://app.example.test/other"])
      let unknown = FlowClient(id: UUID().uuidString.lowercased(), redirectURIs: [FlowServer.redirect])
      let evil = "https://evil.example/steal"
      for query in [
        FlowServer.query(unknown, challenge: pkce.challenge),
        FlowServer.query(FlowClient(id: "not-a-client", redirectURIs: [evil]), challenge: pkce.challenge),
        FlowServer.query(client, redirect: evil, challenge: pkce.challenge),
        FlowServer.query(client, redirect: FlowServer.redirect + "/", challenge: pkce.challenge),
        FlowServer.query(none, redirect: .some(nil), challenge: pkce.challenge),
        FlowServer.query(two, redirect: .some(nil), challenge: pkce.challenge),
        // Even with every other parameter wrong: the client and the URI come first.
        FlowServer.query(client, redirect: evil, challenge: nil, responseType: "token"),
      ] {
        let page = try browser.get("/oauth/authorize?" + query)
        expectErrorPage(page, 400)
        #expect(!page.text.contains("evil.example"), "the page echoes a request value")
      }
    }
  }

  @Test func theOneRegisteredRedirectURIIsTheDefault() throws {
    try FlowServer.run { flow in
      let client = try flow.client()
      let user = try flow.user()
      let browser = PageBrowser(flow.server)
      let pkce = PKCEPair()
      let signIn = try browser.get(
        "/oauth/authorize?" + FlowServer.query(client, redirect: .some(nil), challenge: pkce.challenge))
      #expect(signIn.status == 200 && signIn.isSignInPage, "\(signIn.text)")
      let consent = try flow.signIn(browser, signIn, user)
      let approved = try flow.submit(browser, consent, [("action", "approve")])
      #expect(approved.header("Location")?.hasPrefix(FlowServer.redirect + "?") == true)
      let code = try #require(approved.redirectParameters["code"])
      // Not sent at authorization, so the exchange may leave it out too.
      let tokens = try flow.exchange(client, code: code, verifier: pkce.verifier, redirect: .some(nil))
      #expect(tokens.status == 200, "\(tokens.text)")
      // Errors go to that URI as well.
      expectErrorRedirect(
        try browser.get(
          "/oauth/authorize?"
            + FlowServer.query(client, redirect: .some(nil), challenge: pkce.challenge, scope: "admin")),
        "invalid_scope")
    }
  }

  // MARK: - Error redirects

  @Test func everyRedirectedError() throws {
    try FlowServer.run { flow in
      let client = try flow.client()
      let deviceOnly = try flow.client(grants: [.deviceCode])
      let browser = PageBrowser(flow.server)
      let challenge = PKCEPair().challenge
      let cases: [(String, String)] = [
        (FlowServer.query(client, challenge: challenge, responseType: "token"), "unsupported_response_type"),
        (
          FlowServer.query(client, challenge: challenge, responseType: "code token"),
          "unsupported_response_type"
        ),
        (FlowServer.query(client, challenge: challenge, responseType: nil), "invalid_request"),
        (FlowServer.query(client, challenge: nil), "invalid_request"),
        (FlowServer.query(client, challenge: challenge, method: "plain"), "invalid_request"),
        (FlowServer.query(client, challenge: challenge, method: nil), "invalid_request"),
        (FlowServer.query(client, challenge: "too-short"), "invalid_request"),
        (FlowServer.query(client, challenge: String(challenge.dropLast()) + "="), "invalid_request"),
        (FlowServer.query(client, challenge: challenge, prompt: "consent"), "invalid_request"),
        (FlowServer.query(deviceOnly, challenge: challenge), "unauthorized_client"),
        (FlowServer.query(client, challenge: challenge, scope: "profile admin"), "invalid_scope"),
      ]
      for (query, error) in cases {
        expectErrorRedirect(try browser.get("/oauth/authorize?" + query), error)
      }
      // Without a state, none comes back.
      expectErrorRedirect(
        try browser.get("/oauth/authorize?" + FlowServer.query(client, state: nil, challenge: nil)),
        "invalid_request", state: nil)
      #expect(try codeCount(flow) == 0)
    }
  }

  @Test func aRedirectURIWithAQueryKeepsIt() throws {
    try FlowServer.run { flow in
      let redirect = "https://app.example.test/cb?tenant=a%20b"
      let client = try flow.client(redirectURIs: [redirect])
      let answer = try PageBrowser(flow.server).get(
        "/oauth/authorize?" + FlowServer.query(client, challenge: PKCEPair().challenge, scope: "nope"))
      expectErrorRedirect(
        answer, to: redirect.replacingOccurrences(of: "?tenant=a%20b", with: ""), "invalid_scope")
      #expect(answer.redirectParameters["tenant"] == "a b", "\(answer.header("Location") ?? "")")
    }
  }

  // MARK: - Pages

  @Test func theSignInPageAndItsHeaders() throws {
    try FlowServer.run { flow in
      let client = try flow.client(name: "Photo <Printer>")
      let browser = PageBrowser(flow.server)
      let query = FlowServer.query(client, challenge: PKCEPair().challenge, scope: "profile")
      let page = try browser.get("/oauth/authorize?" + query)
      #expect(page.status == 200 && page.isSignInPage, "\(page.text)")
      expectPageHeaders(page)
      #expect(page.text.contains("Photo &lt;Printer&gt;"))
      #expect(page.hidden("request") == query)
      #expect(page.hidden("csrf")?.count == 43)
      #expect(page.text.contains("action=\"/oauth/authorize\"") && page.text.contains("method=\"post\""))
      let csrf = try #require(page.setCookies.first { $0.name == antiForgeryCookieName })
      #expect(
        csrf.has("HttpOnly") && csrf.attributes["samesite"] == "Strict" && csrf.attributes["path"] == "/")
      #expect(csrf.maxAge == nil && csrf.value.count == 43)
      #expect(!page.setCookies.contains { $0.name == signInCookieName })
      // A second visit keeps the browser's value.
      let again = try browser.get("/oauth/authorize?" + query)
      #expect(!again.setCookies.contains { $0.name == antiForgeryCookieName })
      #expect(again.hidden("csrf") == page.hidden("csrf"))
      let css = try browser.get("/oauth/pages.css")
      #expect(css.status == 200 && css.header("Content-Type")?.hasPrefix("text/css") == true)
    }
  }

  @Test func aWrongPasswordIs401AndSignsNobodyIn() throws {
    try FlowServer.run { flow in
      let client = try flow.client()
      let user = try flow.user()
      let browser = PageBrowser(flow.server)
      let page = try browser.get(
        "/oauth/authorize?" + FlowServer.query(client, challenge: PKCEPair().challenge))
      let wrong = try flow.signIn(browser, page, user, password: "not the password")
      #expect(wrong.status == 401 && wrong.isSignInPage, "\(wrong.text)")
      #expect(wrong.text.contains("role=\"alert\""))
      #expect(!wrong.text.contains("not the password"))
      expectPageHeaders(wrong)
      #expect(browser.cookies[signInCookieName] == nil)
      let unknown = try flow.signIn(browser, wrong, FlowUser(email: uniqueEmail(), id: ""))
      #expect(unknown.status == 401 && unknown.isSignInPage)
      let right = try flow.signIn(browser, unknown, user)
      #expect(right.status == 200 && right.isConsentPage, "\(right.text)")
    }
  }

  @Test func signingInSetsTheLaxCookieAndShowsConsent() throws {
    try FlowServer.run { flow in
      let client = try flow.client(name: "Calendar")
      let user = try flow.user()
      let browser = PageBrowser(flow.server)
      let page = try browser.get(
        "/oauth/authorize?"
          + FlowServer.query(client, challenge: PKCEPair().challenge, scope: "profile email"))
      let consent = try flow.signIn(browser, page, user)
      #expect(consent.status == 200 && consent.isConsentPage, "\(consent.text)")
      expectPageHeaders(consent)
      #expect(consent.text.contains("Allow Calendar?") && consent.text.contains(user.email))
      #expect(consent.text.contains("<li>profile</li>") && consent.text.contains("<li>email</li>"))
      #expect(consent.hidden("request") == page.hidden("request"))
      let cookie = try #require(consent.setCookies.first { $0.name == signInCookieName })
      #expect(
        cookie.has("HttpOnly") && cookie.attributes["samesite"] == "Lax" && cookie.attributes["path"] == "/")
      #expect(!cookie.has("Secure") && cookie.attributes["domain"] == nil)
      #expect((cookie.maxAge ?? 0) > 0 && cookie.value.count >= 43)
      #expect(consent.setCookies.contains { $0.name == "latchkey_device" })
      #expect(try codeCount(flow) == 0)
    }
  }

  @Test func secureCookiesCarryTheHostPrefix() throws {
    try FlowServer.run(["LATCHKEY_COOKIE_SECURE": "true"]) { flow in
      let client = try flow.client()
      let user = try flow.user()
      let browser = PageBrowser(flow.server)
      let page = try browser.get(
        "/oauth/authorize?" + FlowServer.query(client, challenge: PKCEPair().challenge))
      let csrf = try #require(page.setCookies.first { $0.name == "__Host-" + antiForgeryCookieName })
      #expect(csrf.has("Secure") && csrf.attributes["path"] == "/" && csrf.attributes["domain"] == nil)
      let consent = try flow.signIn(browser, page, user)
      #expect(consent.isConsentPage, "\(consent.text)")
      let cookie = try #require(consent.setCookies.first { $0.name == "__Host-" + signInCookieName })
      #expect(cookie.has("Secure") && cookie.has("HttpOnly") && cookie.attributes["samesite"] == "Lax")
      #expect(!consent.setCookies.contains { $0.name == signInCookieName })
      let approved = try flow.submit(browser, consent, [("action", "approve")])
      #expect(approved.status == 302 && approved.redirectParameters["code"] != nil)
    }
  }

  @Test func pageSignInsShareTheLoginThrottleAndItsDeviceCookies() throws {
    try FlowServer.run(["LATCHKEY_LOGIN_MAX_FAILURES_PER_ACCOUNT": "2"]) { flow in
      let client = try flow.client()
      let user = try flow.user()
      let query = "/oauth/authorize?" + FlowServer.query(client, challenge: PKCEPair().challenge)
      // The owner signed in here once: this browser holds a device cookie.
      let owner = PageBrowser(flow.server)
      #expect(try flow.signIn(owner, try owner.get(query), user).isConsentPage)
      #expect(owner.cookies["latchkey_device"] != nil)
      owner.cookies[signInCookieName] = nil

      let attacker = PageBrowser(flow.server)
      var page = try attacker.get(query)
      for _ in 0..<2 {
        page = try flow.signIn(attacker, page, user, password: "a wrong password")
        #expect(page.status == 401)
      }
      let throttled = try flow.signIn(attacker, page, user)
      #expect(throttled.status == 429 && throttled.isSignInPage, "\(throttled.status)")
      #expect(throttled.header("Retry-After").flatMap(Int.init).map { $0 > 0 } == true)
      #expect(throttled.text.contains("role=\"alert\""))
      #expect(attacker.cookies[signInCookieName] == nil)
      // The same budget as POST /login.
      #expect(try flow.server.client().login(user.email).status == 429)
      // The owner's known browser is not locked out.
      let consent = try flow.signIn(owner, try owner.get(query), user)
      #expect(consent.status == 200 && consent.isConsentPage, "\(consent.status)")
    }
  }

  @Test func approvingRedirectsWithACodeTheClientExchanges() throws {
    try FlowServer.run { flow in
      let client = try flow.client()
      let user = try flow.user()
      let browser = PageBrowser(flow.server)
      let pkce = PKCEPair()
      let page = try browser.get(
        "/oauth/authorize?"
          + FlowServer.query(client, state: "s t&x", challenge: pkce.challenge, scope: "profile"))
      let consent = try flow.signIn(browser, page, user)
      let approved = try flow.submit(browser, consent, [("action", "approve")])
      #expect(approved.status == 302 && approved.header("Cache-Control") == "no-store")
      #expect(approved.header("Location")?.hasPrefix(FlowServer.redirect + "?") == true)
      let parameters = approved.redirectParameters
      #expect(Set(parameters.keys) == ["code", "state", "iss"], "\(parameters)")
      #expect(parameters["state"] == "s t&x" && parameters["iss"] == FlowServer.issuer)
      let code = try #require(parameters["code"])
      #expect(code.count >= 43)
      #expect(try codeCount(flow) == 1)
      try withDatabase(flow.server.databaseURL) { db in
        let stored = try db.query("select row_to_json(c)::text as j from authorization_codes c").rows
        #expect(stored.count == 1 && stored.allSatisfy { $0.string("j")?.contains(code) == false })
      }

      let answer = try flow.exchange(client, code: code, verifier: pkce.verifier)
      #expect(answer.status == 200, "\(answer.text)")
      #expect(
        Set(answer.json.keys) == ["access_token", "token_type", "expires_in", "refresh_token", "scope"])
      #expect(answer.header("Cache-Control") == "no-store" && answer.header("Pragma") == "no-cache")
      #expect(
        answer.json["token_type"] as? String == "Bearer" && answer.json["scope"] as? String == "profile")
      #expect((answer.json["expires_in"] as? NSNumber)?.intValue == 900)
      #expect(answer.setCookies.isEmpty, "a grant's refresh token never rides a cookie")
      let accessToken = try #require(answer.json["access_token"] as? String)
      let jwt = try #require(DecodedJWT(accessToken))
      #expect(jwt.header["typ"] as? String == "at+jwt" && jwt.header["kid"] != nil)
      #expect(jwt.string("sub") == user.id && jwt.string("client_id") == client.id)
      #expect(jwt.string("scope") == "profile" && jwt.string("iss") == FlowServer.issuer)
      #expect(jwt.string("jti") != nil && jwt.int("exp")! - jwt.int("iat")! == 900)
      let sid = try #require(jwt.string("sid"))
      let listed = try flow.sessions(try flow.login(user).access)
      #expect(listed.contains { $0["id"] as? String == sid && $0["client_id"] as? String == client.id })
      // A grant's token is not a user's: the user routes refuse it.
      #expect(try flow.http.me(answer.json["access_token"] as? String).status == 401)
    }
  }

  @Test func denyingRedirectsWithAccessDenied() throws {
    try FlowServer.run { flow in
      let client = try flow.client()
      let user = try flow.user()
      let browser = PageBrowser(flow.server)
      let page = try browser.get(
        "/oauth/authorize?" + FlowServer.query(client, challenge: PKCEPair().challenge))
      let consent = try flow.signIn(browser, page, user)
      expectErrorRedirect(try flow.submit(browser, consent, [("action", "deny")]), "access_denied")
      #expect(try codeCount(flow) == 0)
      // Nothing was remembered: the next request asks again.
      #expect(
        try browser.get("/oauth/authorize?" + FlowServer.query(client, challenge: PKCEPair().challenge))
          .isConsentPage)
    }
  }

  @Test func aRememberedConsentRedirectsStraightAway() throws {
    try FlowServer.run { flow in
      let client = try flow.client()
      let user = try flow.user()
      let browser = PageBrowser(flow.server)
      _ = try flow.authorize(browser, client, user, pkce: PKCEPair(), scope: "profile")
      let again = try browser.get(
        "/oauth/authorize?" + FlowServer.query(client, challenge: PKCEPair().challenge, scope: "profile"))
      #expect(again.status == 302 && again.redirectParameters["code"] != nil, "\(again.text)")
      // More than was granted: asked again.
      let wider = try browser.get(
        "/oauth/authorize?"
          + FlowServer.query(client, challenge: PKCEPair().challenge, scope: "profile email"))
      #expect(wider.status == 200 && wider.isConsentPage, "\(wider.text)")
      // Another client: asked too.
      let other = try flow.client(name: "Other")
      #expect(
        try browser.get(
          "/oauth/authorize?" + FlowServer.query(other, challenge: PKCEPair().challenge, scope: "profile")
        )
        .isConsentPage)
    }
  }

  @Test func promptNone() throws {
    try FlowServer.run { flow in
      let client = try flow.client()
      let user = try flow.user()
      let browser = PageBrowser(flow.server)
      let query = { FlowServer.query(client, challenge: PKCEPair().challenge, prompt: "none") }
      expectErrorRedirect(try browser.get("/oauth/authorize?" + query()), "login_required")
      let page = try browser.get(
        "/oauth/authorize?" + FlowServer.query(client, challenge: PKCEPair().challenge))
      #expect(try flow.signIn(browser, page, user).isConsentPage)
      expectErrorRedirect(try browser.get("/oauth/authorize?" + query()), "consent_required")
      _ = try flow.authorize(browser, client, user, pkce: PKCEPair())
      let silent = try browser.get("/oauth/authorize?" + query())
      #expect(silent.status == 302 && silent.redirectParameters["code"] != nil, "\(silent.text)")
    }
  }

  @Test func promptLoginAsksForThePasswordAgain() throws {
    try FlowServer.run { flow in
      let client = try flow.client()
      let user = try flow.user()
      let browser = PageBrowser(flow.server)
      _ = try flow.authorize(browser, client, user, pkce: PKCEPair())
      let first = try #require(browser.cookies[signInCookieName])
      let pkce = PKCEPair()
      let page = try browser.get(
        "/oauth/authorize?" + FlowServer.query(client, challenge: pkce.challenge, prompt: "login"))
      #expect(page.status == 200 && page.isSignInPage, "\(page.text)")
      // Signed in afresh, with consent remembered: straight back with a code.
      let signedIn = try flow.signIn(browser, page, user)
      #expect(signedIn.status == 302 && signedIn.redirectParameters["code"] != nil, "\(signedIn.text)")
      #expect(browser.cookies[signInCookieName] != first)
      let code = try #require(signedIn.redirectParameters["code"])
      #expect(try flow.exchange(client, code: code, verifier: pkce.verifier).status == 200)
    }
  }

  // MARK: - Anti-forgery

  @Test func forgedPostsAreRefused() throws {
    try FlowServer.run { flow in
      let client = try flow.client()
      let user = try flow.user()
      let browser = PageBrowser(flow.server)
      let query = FlowServer.query(client, challenge: PKCEPair().challenge)
      let page = try browser.get("/oauth/authorize?" + query)
      let csrf = try #require(page.hidden("csrf"))
      let otherQuery = FlowServer.query(client, state: "other", challenge: PKCEPair().challenge)
      let signin = [("action", "signin"), ("email", user.email), ("password", defaultPassword)]
      let origin = "http://127.0.0.1:\(flow.server.port)"
      let refusals: [(String, TestResponse)] = [
        (
          "wrong token",
          try browser.post(
            "/oauth/authorize",
            [("request", query), ("csrf", (csrf.first == "x" ? "y" : "x") + csrf.dropFirst())] + signin)
        ),
        ("no token", try browser.post("/oauth/authorize", [("request", query)] + signin)),
        (
          "another request's token",
          try browser.post("/oauth/authorize", [("request", otherQuery), ("csrf", csrf)] + signin)
        ),
        (
          "no cookie",
          try browser.post(
            "/oauth/authorize", [("request", query), ("csrf", csrf)] + signin, withCookies: false)
        ),
        (
          "foreign origin",
          try browser.post(
            "/oauth/authorize", [("request", query), ("csrf", csrf)] + signin,
            headers: [("Origin", "https://evil.example")])
        ),
      ]
      for (what, refused) in refusals {
        #expect(refused.status == 403, "\(what): \(refused.status)")
        #expect(refused.isErrorPage, "\(what)")
        #expect(refused.header("Location") == nil, "\(what)")
        #expect(!refused.setCookies.contains { $0.name == signInCookieName }, "\(what)")
        expectPageHeaders(refused)
      }
      #expect(browser.cookies[signInCookieName] == nil)
      // The page's own post, from its own origin, works.
      let consent = try browser.post(
        "/oauth/authorize", [("request", query), ("csrf", csrf)] + signin, headers: [("Origin", origin)])
      #expect(consent.status == 200 && consent.isConsentPage, "\(consent.text)")
      // Signed in now: a forged approval still issues nothing.
      for forged in [
        try browser.post("/oauth/authorize", [("request", query), ("csrf", "nope"), ("action", "approve")]),
        try browser.post("/oauth/authorize", [("request", query), ("action", "approve")]),
        try browser.post(
          "/oauth/authorize", [("request", query), ("csrf", csrf), ("action", "approve")],
          headers: [("Origin", "null")]),
      ] {
        #expect(forged.status == 403 && forged.header("Location") == nil, "\(forged.text)")
      }
      #expect(try codeCount(flow) == 0)
      #expect(try flow.submit(browser, consent, [("action", "approve")]).status == 302)
      #expect(try codeCount(flow) == 1)
    }
  }

  // MARK: - The sign-in session

  @Test func theSignInIsASessionThatLogoutEnds() throws {
    try FlowServer.run { flow in
      let client = try flow.client()
      let user = try flow.user()
      let browser = PageBrowser(flow.server)
      let page = try browser.get(
        "/oauth/authorize?" + FlowServer.query(client, challenge: PKCEPair().challenge))
      #expect(try flow.signIn(browser, page, user).isConsentPage)
      let cookieLogin = try flow.login(user)
      let listed = try flow.sessions(cookieLogin.access)
      #expect(listed.count == 2, "\(listed)")
      let signInSession = try #require(listed.first { $0["current"] as? Bool == false })
      #expect(signInSession["client_id"] == nil)

      let signInCookie = try #require(browser.cookies[signInCookieName])
      let out = try browser.post("/logout", [])
      #expect(out.status == 204)
      let cleared = try #require(out.setCookies.first { $0.name == signInCookieName })
      #expect(cleared.maxAge == 0)
      #expect(try flow.sessions(cookieLogin.access).count == 1)
      // The old cookie value no longer signs in.
      browser.cookies[signInCookieName] = signInCookie
      expectErrorRedirect(
        try browser.get(
          "/oauth/authorize?" + FlowServer.query(client, challenge: PKCEPair().challenge, prompt: "none")),
        "login_required")
    }
  }

  @Test(arguments: RevokeAll.allCases)
  func everyRevokeAllEndsTheSignInSession(_ how: RevokeAll) throws {
    try FlowServer.run { flow in
      let client = try flow.client()
      let user = try flow.user()
      let browser = PageBrowser(flow.server)
      _ = try flow.authorize(browser, client, user, pkce: PKCEPair())
      let silent = { FlowServer.query(client, challenge: PKCEPair().challenge, prompt: "none") }
      #expect(try browser.get("/oauth/authorize?" + silent()).redirectParameters["code"] != nil)
      try how.perform(on: flow, user)
      expectErrorRedirect(try browser.get("/oauth/authorize?" + silent()), "login_required")
    }
  }

  @Test func deletingTheSignInSessionEndsIt() throws {
    try FlowServer.run { flow in
      let client = try flow.client()
      let user = try flow.user()
      let browser = PageBrowser(flow.server)
      let page = try browser.get(
        "/oauth/authorize?" + FlowServer.query(client, challenge: PKCEPair().challenge))
      #expect(try flow.signIn(browser, page, user).isConsentPage)
      let cookieLogin = try flow.login(user)
      let signInSession = try #require(
        try flow.sessions(cookieLogin.access).first { $0["current"] as? Bool == false }?["id"] as? String)
      #expect(
        try flow.http.request(
          "DELETE", "/api/sessions/\(signInSession)",
          headers: [("Authorization", "Bearer \(cookieLogin.access)")]
        ).status == 204)
      let again = try browser.get(
        "/oauth/authorize?" + FlowServer.query(client, challenge: PKCEPair().challenge))
      #expect(again.status == 200 && again.isSignInPage, "\(again.text)")
    }
  }

  // MARK: - The code grant

  @Test func aReplayedCodeRevokesWhatItIssued() throws {
    try FlowServer.run { flow in
      let client = try flow.client()
      let user = try flow.user()
      let rs = try flow.resourceServer()
      let pkce = PKCEPair()
      let code = try flow.authorize(PageBrowser(flow.server), client, user, pkce: pkce)
      let first = try flow.tokens(try flow.exchange(client, code: code, verifier: pkce.verifier))
      #expect(try flow.isActive(first.access, as: rs))
      let replay = try flow.exchange(client, code: code, verifier: pkce.verifier)
      OAuthTests().expectError(replay, 400, "invalid_grant")
      OAuthTests().expectError(try flow.refresh(client, first.refresh), 400, "invalid_grant")
      #expect(try flow.introspect(first.access, as: rs).text == "{\"active\":false}")
      #expect(try flow.introspect(first.refresh, as: rs).text == "{\"active\":false}")
      let listed = try flow.sessions(try flow.login(user).access)
      #expect(!listed.contains { $0["client_id"] as? String == client.id })
    }
  }

  @Test func oneCodeExchangedConcurrentlyIssuesOnceAndIsThenRevoked() throws {
    try FlowServer.run { flow in
      let client = try flow.client()
      let rs = try flow.resourceServer()
      let pkce = PKCEPair()
      let code = try flow.authorize(PageBrowser(flow.server), client, try flow.user(), pkce: pkce)
      let fields = [
        ("grant_type", "authorization_code"), ("code", code), ("code_verifier", pkce.verifier),
        ("redirect_uri", client.redirect),
      ]
      let answers = try concurrently(8, port: flow.server.port) { _, http in
        try FlowServer.token(http, client, fields)
      }.map { try $0.get() }
      let issued = answers.filter { $0.status == 200 }
      #expect(issued.count == 1, "\(answers.map(\.status))")
      #expect(answers.filter { $0.status == 400 && $0.errorCode == "invalid_grant" }.count == 7)
      // The others were second uses: what the first one got is revoked.
      let access = try #require(issued.first?.json["access_token"] as? String)
      #expect(try flow.isActive(access, as: rs) == false)
    }
  }

  @Test func exchangesThatAreRefused() throws {
    let clock = TestClock()
    try withServer(clock: clock) { server in
      let flow = FlowServer(server)
      let second = "https://app.example.test/second"
      let client = try flow.client(redirectURIs: [FlowServer.redirect, second])
      let other = try flow.client(name: "Other")
      let user = try flow.user()
      let browser = PageBrowser(server)
      let pkce = PKCEPair()
      let code = try flow.authorize(browser, client, user, pkce: pkce)
      let o = OAuthTests()
      o.expectError(
        try flow.exchange(client, code: code, verifier: PKCEPair().verifier), 400, "invalid_grant")
      o.expectError(try flow.exchange(other, code: code, verifier: pkce.verifier), 400, "invalid_grant")
      o.expectError(
        try flow.exchange(client, code: code, verifier: pkce.verifier, redirect: second), 400, "invalid_grant"
      )
      o.expectError(
        try flow.exchange(client, code: code, verifier: pkce.verifier, redirect: .some(nil)), 400,
        "invalid_grant")
      o.expectError(
        try flow.exchange(
          client, code: (code.first == "x" ? "y" : "x") + code.dropFirst(), verifier: pkce.verifier), 400,
        "invalid_grant"
      )
      // PKCE is required: no verifier fails the check as a wrong one does.
      o.expectError(
        try flow.token(
          client, [("grant_type", "authorization_code"), ("code", code), ("redirect_uri", client.redirect)]),
        400, "invalid_grant")
      // None of those spent the code.
      #expect(try flow.exchange(client, code: code, verifier: pkce.verifier).status == 200)

      // A code lives 60 s.
      let late = PKCEPair()
      let expired = try flow.authorize(browser, client, user, pkce: late)
      clock.advance(61)
      o.expectError(try flow.exchange(client, code: expired, verifier: late.verifier), 400, "invalid_grant")
    }
  }

  @Test func aConfidentialClientMustAuthenticate() throws {
    try FlowServer.run { flow in
      let client = try flow.client(isPublic: false, grants: [.authorizationCode])
      let user = try flow.user()
      let pkce = PKCEPair()
      let code = try flow.authorize(PageBrowser(flow.server), client, user, pkce: pkce)
      let fields = [
        ("grant_type", "authorization_code"), ("code", code), ("code_verifier", pkce.verifier),
        ("redirect_uri", client.redirect),
      ]
      let o = OAuthTests()
      o.expectError(try flow.form("/oauth/token", fields + [("client_id", client.id)]), 401, "invalid_client")
      o.expectError(
        try flow.form("/oauth/token", fields, headers: [OAuthTests.basic(client.id, "wrong")]), 401,
        "invalid_client",
        basicChallenge: true)
      let ok = try flow.form(
        "/oauth/token", fields + [("client_id", client.id), ("client_secret", try #require(client.secret))])
      #expect(ok.status == 200, "\(ok.text)")
    }
  }
}
