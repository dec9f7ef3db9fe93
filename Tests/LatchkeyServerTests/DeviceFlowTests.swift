import Foundation
import LatchkeyDomain
import LatchkeyServer
import LatchkeyTesting
import Testing

/// The device flow over HTTP (docs/oauth.md#device-flow): the device
/// authorization endpoint, the `/device` pages, and polling the token
/// endpoint.
@Suite struct DeviceFlowTests {
  static let publicURL = "https://auth.example.test/base"
  let o = OAuthTests()

  /// A device flow server, its clock and a public device client.
  func run(
    _ environment: [String: String] = [:], _ body: (FlowServer, TestClock, FlowClient) throws -> Void
  ) throws {
    let clock = TestClock()
    try withServer(["LATCHKEY_PUBLIC_URL": Self.publicURL].merging(environment) { $1 }, clock: clock) {
      server in
      let flow = FlowServer(server)
      let client = try flow.client(name: "Living Room TV", grants: [.deviceCode], redirectURIs: [])
      try body(flow, clock, client)
    }
  }

  struct Started {
    var deviceCode: String
    var userCode: String
    var response: TestResponse
  }

  func start(_ flow: FlowServer, _ client: FlowClient, scope: String? = nil) throws -> Started {
    let auth = client.authentication
    let answer = try flow.form(
      "/oauth/device_authorization", auth.fields + (scope.map { [("scope", $0)] } ?? []),
      headers: auth.headers)
    try #require(answer.status == 200, "\(answer.text)")
    return Started(
      deviceCode: try #require(answer.json["device_code"] as? String),
      userCode: try #require(answer.json["user_code"] as? String), response: answer)
  }

  func poll(_ flow: FlowServer, _ client: FlowClient, _ deviceCode: String) throws -> TestResponse {
    try flow.token(
      client, [("grant_type", "urn:ietf:params:oauth:grant-type:device_code"), ("device_code", deviceCode)])
  }

  /// Enters `typed` on the code page, in `browser`.
  func enter(_ flow: FlowServer, _ browser: PageBrowser, _ typed: String) throws -> TestResponse {
    let page = try browser.get("/device")
    return try flow.submit(browser, page, to: "/device", [("action", "code"), ("user_code", typed)])
  }

  /// Enters the code, signs in if asked, and approves or denies.
  func decide(
    _ flow: FlowServer, _ browser: PageBrowser, _ userCode: String, _ user: FlowUser, approve: Bool
  ) throws -> TestResponse {
    var page = try enter(flow, browser, userCode)
    if page.isSignInPage { page = try flow.signIn(browser, page, user, to: "/device") }
    try #require(page.isConsentPage, "\(page.status) \(page.text)")
    return try flow.submit(browser, page, to: "/device", [("action", approve ? "approve" : "deny")])
  }

  // MARK: - The device authorization endpoint

  @Test func theDeviceAuthorizationAnswer() throws {
    try run { flow, _, client in
      let started = try start(flow, client, scope: "profile")
      let json = started.response.json
      #expect(
        Set(json.keys) == [
          "device_code", "user_code", "verification_uri", "verification_uri_complete", "expires_in",
          "interval",
        ])
      #expect(started.response.header("Cache-Control") == "no-store")
      #expect(started.response.header("Pragma") == "no-cache")
      let code = started.userCode
      let letters = Set("BCDFGHJKLMNPQRSTVWXZ")
      #expect(code.count == 9 && Array(code)[4] == "-", "\(code)")
      #expect(code.replacingOccurrences(of: "-", with: "").allSatisfy(letters.contains), "\(code)")
      #expect(json["verification_uri"] as? String == Self.publicURL + "/device")
      let complete = try #require(json["verification_uri_complete"] as? String)
      #expect(complete == Self.publicURL + "/device?user_code=" + code)
      #expect((json["expires_in"] as? NSNumber)?.intValue == 600)
      #expect((json["interval"] as? NSNumber)?.intValue == 5)
      #expect(started.deviceCode.count >= 43)
      // Each authorization has its own codes.
      let second = try start(flow, client)
      #expect(second.userCode != code && second.deviceCode != started.deviceCode)
    }
  }

  @Test func theDeviceAuthorizationEndpointsErrors() throws {
    try run { flow, _, client in
      let codeOnly = try flow.client(name: "Web", grants: [.authorizationCode])
      let confidential = try flow.client(name: "CLI", isPublic: false, grants: [.deviceCode])
      o.expectError(
        try flow.form("/oauth/device_authorization", [("client_id", codeOnly.id)]), 400, "unauthorized_client"
      )
      o.expectError(
        try flow.form("/oauth/device_authorization", [("client_id", client.id), ("scope", "admin")]), 400,
        "invalid_scope")
      o.expectError(try flow.form("/oauth/device_authorization", []), 401, "invalid_client")
      o.expectError(
        try flow.form("/oauth/device_authorization", [("client_id", UUID().uuidString)]), 401,
        "invalid_client")
      // A confidential client authenticates.
      o.expectError(
        try flow.form("/oauth/device_authorization", [("client_id", confidential.id)]), 401, "invalid_client")
      #expect(try start(flow, confidential).deviceCode.isEmpty == false)
      let json = try flow.http.json("POST", "/oauth/device_authorization", ["client_id": client.id])
      #expect(json.status == 415)
    }
  }

  // MARK: - The whole flow

  @Test func approvedOnThePageTheDeviceGetsTokensExactlyOnce() throws {
    try run { flow, clock, client in
      let user = try flow.user()
      let started = try start(flow, client, scope: "profile")
      o.expectError(try poll(flow, client, started.deviceCode), 400, "authorization_pending")
      o.expectError(try poll(flow, client, started.deviceCode), 400, "slow_down")
      // The interval grew by 5 s (and again at each slow_down); waiting it out is pending again.
      clock.advance(6)
      o.expectError(try poll(flow, client, started.deviceCode), 400, "slow_down")
      clock.advance(16)
      o.expectError(try poll(flow, client, started.deviceCode), 400, "authorization_pending")

      // verification_uri_complete pre-fills the code.
      let browser = PageBrowser(flow.server)
      let prefilled = try browser.get("/device?user_code=" + started.userCode.lowercased())
      #expect(prefilled.status == 200 && prefilled.isDeviceCodePage, "\(prefilled.text)")
      #expect(prefilled.attribute("value", ofInputNamed: "user_code") == started.userCode)
      #expect(
        prefilled.header("X-Frame-Options") == "DENY"
          && prefilled.header("Content-Security-Policy") == pageCSP)

      // Lower case without the dash is the same code.
      let typed = started.userCode.lowercased().replacingOccurrences(of: "-", with: "")
      let signIn = try flow.submit(
        browser, prefilled, to: "/device", [("action", "code"), ("user_code", typed)])
      #expect(signIn.status == 200 && signIn.isSignInPage, "\(signIn.text)")
      #expect(signIn.text.contains("Living Room TV"))
      #expect(signIn.hidden("user_code") == started.userCode)
      #expect(signIn.text.contains("action=\"/device\""))
      let consent = try flow.signIn(browser, signIn, user, to: "/device")
      #expect(consent.status == 200 && consent.isConsentPage, "\(consent.text)")
      #expect(consent.text.contains("Allow Living Room TV?") && consent.text.contains("<li>profile</li>"))
      #expect(consent.setCookies.contains { $0.name == signInCookieName })
      let done = try flow.submit(browser, consent, to: "/device", [("action", "approve")])
      #expect(
        done.status == 200 && done.text.contains("<h1 id=\"done\">Device connected</h1>"), "\(done.text)")

      // Approved: tokens at once, even inside the interval.
      let answer = try poll(flow, client, started.deviceCode)
      #expect(answer.status == 200, "\(answer.text)")
      #expect(
        Set(answer.json.keys) == ["access_token", "token_type", "expires_in", "refresh_token", "scope"])
      #expect(answer.header("Cache-Control") == "no-store" && answer.header("Pragma") == "no-cache")
      #expect(answer.json["scope"] as? String == "profile")
      let tokens = try flow.tokens(answer)
      let jwt = try #require(DecodedJWT(tokens.access))
      #expect(jwt.header["typ"] as? String == "at+jwt")
      #expect(
        jwt.string("sub") == user.id && jwt.string("client_id") == client.id
          && jwt.string("scope") == "profile")
      let sid = try #require(jwt.string("sid"))
      clock.advance(10)
      o.expectError(try poll(flow, client, started.deviceCode), 400, "invalid_grant")

      // A grant like the code flow's: listed, and refreshable with the device grant alone.
      let listed = try flow.sessions(try flow.login(user).access)
      #expect(listed.contains { $0["id"] as? String == sid && $0["client_id"] as? String == client.id })
      #expect(try flow.refresh(client, tokens.refresh).status == 200)
      // The code is spent: entering it again is a wrong code.
      let reused = try enter(flow, browser, started.userCode)
      #expect(reused.status == 400 && reused.isDeviceCodePage && reused.text.contains("role=\"alert\""))
    }
  }

  @Test func concurrentPollsAfterApprovalIssueExactlyOnce() throws {
    try run { flow, _, client in
      let started = try start(flow, client)
      let done = try decide(flow, PageBrowser(flow.server), started.userCode, try flow.user(), approve: true)
      #expect(done.status == 200)
      let fields = [
        ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"), ("device_code", started.deviceCode),
      ]
      let answers = try concurrently(8, port: flow.server.port) { _, http in
        try FlowServer.token(http, client, fields)
      }.map { try $0.get() }
      #expect(answers.filter { $0.status == 200 }.count == 1, "\(answers.map(\.status))")
      #expect(answers.filter { $0.errorCode == "invalid_grant" }.count == 7)
    }
  }

  @Test func deniedOnThePage() throws {
    try run { flow, _, client in
      let user = try flow.user()
      let started = try start(flow, client)
      let done = try decide(flow, PageBrowser(flow.server), started.userCode, user, approve: false)
      #expect(done.status == 200 && done.text.contains("<h1 id=\"done\">Request denied</h1>"), "\(done.text)")
      o.expectError(try poll(flow, client, started.deviceCode), 400, "access_denied")
      o.expectError(try poll(flow, client, started.deviceCode), 400, "access_denied")
    }
  }

  @Test func aSignedInBrowserGoesStraightToConsent() throws {
    try run { flow, _, client in
      let user = try flow.user()
      let web = try flow.client(name: "Web")
      let browser = PageBrowser(flow.server)
      _ = try flow.authorize(browser, web, user, pkce: PKCEPair())
      let started = try start(flow, client)
      let consent = try enter(flow, browser, started.userCode)
      #expect(consent.status == 200 && consent.isConsentPage, "\(consent.text)")
      #expect(consent.text.contains(user.email))
      let done = try flow.submit(browser, consent, to: "/device", [("action", "approve")])
      #expect(done.text.contains("Device connected"))
      #expect(try poll(flow, client, started.deviceCode).status == 200)
    }
  }

  @Test func anExpiredDeviceCode() throws {
    try run { flow, clock, client in
      let user = try flow.user()
      let started = try start(flow, client)
      clock.advance(601)
      o.expectError(try poll(flow, client, started.deviceCode), 400, "expired_token")
      let late = try enter(flow, PageBrowser(flow.server), started.userCode)
      #expect(late.status == 400 && late.isDeviceCodePage)
      // Approved in time but collected too late.
      let second = try start(flow, client)
      #expect(try decide(flow, PageBrowser(flow.server), second.userCode, user, approve: true).status == 200)
      clock.advance(601)
      o.expectError(try poll(flow, client, second.deviceCode), 400, "expired_token")
    }
  }

  @Test func anotherClientsDeviceCode() throws {
    try run { flow, _, client in
      let other = try flow.client(name: "Other", grants: [.deviceCode], redirectURIs: [])
      let started = try start(flow, client)
      o.expectError(try poll(flow, other, started.deviceCode), 400, "invalid_grant")
      // The owner's pace was not touched: its first poll is not "too fast".
      o.expectError(try poll(flow, client, started.deviceCode), 400, "authorization_pending")
      o.expectError(try poll(flow, client, "not-a-device-code"), 400, "invalid_grant")
      let codeOnly = try flow.client(name: "Web")
      o.expectError(try poll(flow, codeOnly, started.deviceCode), 400, "unauthorized_client")
    }
  }

  @Test func wrongCodesAreThrottledPerAddress() throws {
    try run(["LATCHKEY_LOGIN_MAX_FAILURES_PER_ADDRESS": "3"]) { flow, _, client in
      let started = try start(flow, client)
      let browser = PageBrowser(flow.server)
      for wrong in ["BCDF-GHJK", "nonsense", "AAAA-AAAA"] where wrong != started.userCode {
        let page = try enter(flow, browser, wrong)
        #expect(page.status == 400 && page.isDeviceCodePage, "\(page.status)")
        #expect(page.text.contains("role=\"alert\""))
        #expect(!page.text.contains(wrong), "the page echoes the wrong code")
      }
      // The budget is spent: even the right code waits.
      let throttled = try enter(flow, browser, started.userCode)
      #expect(throttled.status == 429 && throttled.isDeviceCodePage, "\(throttled.status) \(throttled.text)")
      #expect(throttled.header("Retry-After").flatMap(Int.init).map { $0 > 0 } == true)
    }
  }

  @Test func forgedDevicePostsAreRefused() throws {
    try run { flow, _, client in
      let user = try flow.user()
      let started = try start(flow, client)
      let browser = PageBrowser(flow.server)
      let codePage = try browser.get("/device")
      let csrf = try #require(codePage.hidden("csrf"))
      let code = [("action", "code"), ("user_code", started.userCode)]
      for refused in [
        try browser.post("/device", code),
        try browser.post("/device", [("csrf", (csrf.first == "x" ? "y" : "x") + csrf.dropFirst())] + code),
        try browser.post("/device", [("csrf", csrf)] + code, withCookies: false),
        try browser.post("/device", [("csrf", csrf)] + code, headers: [("Origin", "https://evil.example")]),
      ] {
        #expect(refused.status == 403 && refused.isErrorPage, "\(refused.status)")
      }
      let consent = try decideUpToConsent(flow, browser, started.userCode, user)
      // The code step's token does not approve: approval is bound to the code.
      let approveWithCodeToken = try browser.post(
        "/device", [("csrf", csrf), ("user_code", started.userCode), ("action", "approve")])
      #expect(approveWithCodeToken.status == 403)
      let another = try start(flow, client)
      let approveAnother = try browser.post(
        "/device",
        [
          ("csrf", try #require(consent.hidden("csrf"))), ("user_code", another.userCode),
          ("action", "approve"),
        ])
      #expect(approveAnother.status == 403)
      o.expectError(try poll(flow, client, started.deviceCode), 400, "authorization_pending")
      o.expectError(try poll(flow, client, another.deviceCode), 400, "authorization_pending")
    }
  }

  func decideUpToConsent(_ flow: FlowServer, _ browser: PageBrowser, _ userCode: String, _ user: FlowUser)
    throws
    -> TestResponse
  {
    var page = try enter(flow, browser, userCode)
    if page.isSignInPage { page = try flow.signIn(browser, page, user, to: "/device") }
    try #require(page.isConsentPage, "\(page.text)")
    return page
  }
}
