import Foundation
import LatchkeyCrypto
import LatchkeyDomain
import LatchkeyHTTP
import LatchkeyServer
import LatchkeyTesting
import Testing

/// Shared by the browser-flow suites (AuthorizeTests, DeviceFlowTests,
/// GrantTests): a browser with a cookie jar that drives the pages
/// (docs/oauth.md#pages), a server with clients registered for the flows,
/// PKCE pairs, and the token endpoint's forms.

/// A browser on one connection: it keeps every cookie the server sets (and
/// drops one cleared with Max-Age=0) and sends them all back, as a browser
/// does on a same-site navigation or form post.
final class PageBrowser {
  let http: TestHTTPClient
  var cookies: [String: String] = [:]

  init(_ server: TestServer) { http = server.client() }

  var cookieHeader: [(String, String)] {
    guard !cookies.isEmpty else { return [] }
    let pairs = cookies.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
    return [("Cookie", pairs.joined(separator: "; "))]
  }

  func get(_ path: String, headers: [(String, String)] = []) throws -> TestResponse {
    keep(try http.request("GET", path, headers: cookieHeader + headers))
  }

  /// Posts a form with the jar's cookies (unless `withCookies` is false).
  func post(
    _ path: String, _ fields: [(String, String)], headers: [(String, String)] = [], withCookies: Bool = true
  ) throws -> TestResponse {
    let body = FormBody.encode(fields.map { (name: $0.0, value: $0.1) })
    let sent = [("Content-Type", "application/x-www-form-urlencoded")] + (withCookies ? cookieHeader : [])
    return keep(try http.request("POST", path, headers: sent + headers, body: body))
  }

  private func keep(_ response: TestResponse) -> TestResponse {
    for cookie in response.setCookies {
      cookies[cookie.name] = cookie.maxAge == 0 ? nil : cookie.value
    }
    return response
  }
}

let signInCookieName = "latchkey_signin"
let antiForgeryCookieName = "latchkey_csrf"
let pageCSP = "default-src 'none'; style-src 'self'; img-src 'self'; frame-ancestors 'none'; base-uri 'none'"

extension TestResponse {
  /// A hidden input's value, as the browser would post it.
  func hidden(_ name: String) -> String? {
    attribute("value", ofInputNamed: name, hidden: true)
  }

  /// `attribute` of the first `<input>` whose `name` is `name`.
  func attribute(_ attribute: String, ofInputNamed name: String, hidden: Bool = false) -> String? {
    let html = text
    var rest = html[...]
    while let open = rest.range(of: "<input") {
      guard let close = rest[open.upperBound...].firstIndex(of: ">") else { return nil }
      let tag = rest[open.upperBound..<close]
      rest = rest[close...]
      guard tag.contains("name=\"\(name)\""), !hidden || tag.contains("type=\"hidden\"") else { continue }
      guard let start = tag.range(of: " \(attribute)=\"") else { return nil }
      let value = tag[start.upperBound...].prefix { $0 != "\"" }
      return Self.unescapeHTML(String(value))
    }
    return nil
  }

  static func unescapeHTML(_ text: String) -> String {
    text.replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&#39;", with: "'")
      .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
      .replacingOccurrences(of: "&amp;", with: "&")
  }

  var isSignInPage: Bool { text.contains("id=\"password\"") && text.contains("<h1>Sign in</h1>") }
  var isConsentPage: Bool { text.contains("id=\"approve\"") && text.contains("id=\"deny\"") }
  var isErrorPage: Bool { text.contains("<h1>This request cannot be completed</h1>") }
  var isDeviceCodePage: Bool { text.contains("id=\"submit-code\"") }

  /// The query parameters of the `Location` (a redirect back to a client).
  var redirectParameters: [String: String] {
    guard let location = header("Location"), let components = URLComponents(string: location) else {
      return [:]
    }
    var parameters: [String: String] = [:]
    for item in components.queryItems ?? [] { parameters[item.name] = item.value ?? "" }
    return parameters
  }
}

/// A PKCE verifier and its S256 challenge (RFC 7636).
struct PKCEPair {
  var verifier: String
  var challenge: String

  init() {
    verifier = Base64URL.encode(SecureRandom.bytes(32))
    challenge = Base64URL.encode(SHA256.hash(Array(verifier.utf8)))
  }
}

/// A client registered for the flows, with what the token endpoint needs.
struct FlowClient {
  var id: String
  var secret: String?
  var redirectURIs: [String]
  var redirect: String { redirectURIs.first ?? "" }

  /// `client_id` (public) or HTTP Basic (confidential).
  var authentication: (fields: [(String, String)], headers: [(String, String)]) {
    guard let secret else { return ([("client_id", id)], []) }
    return ([], [OAuthTests.basic(id, secret)])
  }
}

/// What a successful code or device grant hands the client.
struct GrantTokens {
  var access: String
  var refresh: String
  var response: TestResponse
}

/// A user who signed up over HTTP.
struct FlowUser {
  var email: String
  var id: String
}

/// A server with an OAuth service on its database, to register clients and
/// to drive the flows.
struct FlowServer {
  static let redirect = "https://app.example.test/callback"
  static let issuer = "latchkey"

  let server: TestServer
  let oauth: OAuthService
  let http: TestHTTPClient

  init(_ server: TestServer) {
    self.server = server
    oauth = OAuthService(auth: server.app.service, clientTokenTTL: server.app.config.clientTokenTTL)
    http = server.client()
  }

  static func run<T>(_ environment: [String: String] = [:], _ body: (FlowServer) throws -> T) throws -> T {
    try withServer(environment) { try body(FlowServer($0)) }
  }

  func client(
    name: String = "Test App", isPublic: Bool = true, grants: [OAuthGrantType] = [.authorizationCode],
    scopes: [String] = ["profile", "email"], redirectURIs: [String] = [FlowServer.redirect]
  ) throws -> FlowClient {
    let added = try oauth.registerClient(
      name: name, isPublic: isPublic, grants: grants, scopes: scopes, redirectURIs: redirectURIs)
    return FlowClient(id: added.client.clientID, secret: added.secret, redirectURIs: redirectURIs)
  }

  /// A confidential client that may introspect (a resource server).
  func resourceServer() throws -> FlowClient {
    try client(name: "Resource server", isPublic: false, grants: [.clientCredentials], redirectURIs: [])
  }

  func user() throws -> FlowUser {
    let email = uniqueEmail()
    let created = try http.register(email)
    try #require(created.status == 201, "register: \(created.text)")
    return FlowUser(email: email, id: try #require(created.json["id"] as? String))
  }

  /// The query of an authorization request; nil leaves a parameter out,
  /// except `redirect`: omitted, the client's first URI; `.some(nil)`, none.
  static func query(
    _ client: FlowClient, redirect: String?? = .none, state: String? = "st-123", challenge: String?,
    method: String? = "S256", scope: String? = nil, responseType: String? = "code", prompt: String? = nil
  ) -> String {
    var fields: [(name: String, value: String)] = []
    if let responseType { fields.append(("response_type", responseType)) }
    fields.append(("client_id", client.id))
    switch redirect {
    case .none: fields.append(("redirect_uri", client.redirect))
    case .some(.some(let uri)): fields.append(("redirect_uri", uri))
    case .some(.none): break
    }
    if let scope { fields.append(("scope", scope)) }
    if let state { fields.append(("state", state)) }
    if let challenge { fields.append(("code_challenge", challenge)) }
    if let method { fields.append(("code_challenge_method", method)) }
    if let prompt { fields.append(("prompt", prompt)) }
    return String(decoding: FormBody.encode(fields), as: UTF8.self)
  }

  /// Posts the form a page shows, with its hidden fields and `fields`.
  func submit(
    _ browser: PageBrowser, _ page: TestResponse, to path: String = "/oauth/authorize",
    _ fields: [(String, String)]
  ) throws -> TestResponse {
    var all: [(String, String)] = []
    for name in ["request", "user_code", "csrf"] {
      if let value = page.hidden(name) { all.append((name, value)) }
    }
    return try browser.post(path, all + fields)
  }

  func signIn(
    _ browser: PageBrowser, _ page: TestResponse, _ user: FlowUser, to path: String = "/oauth/authorize",
    password: String = defaultPassword
  ) throws -> TestResponse {
    try submit(
      browser, page, to: path, [("action", "signin"), ("email", user.email), ("password", password)])
  }

  /// From the authorization request to the code: sign in (unless the
  /// browser is signed in) and approve (unless consent is remembered).
  func authorize(
    _ browser: PageBrowser, _ client: FlowClient, _ user: FlowUser, pkce: PKCEPair, scope: String? = nil,
    state: String = "st-123"
  ) throws -> String {
    var page = try browser.get(
      "/oauth/authorize?" + Self.query(client, state: state, challenge: pkce.challenge, scope: scope))
    if page.isSignInPage { page = try signIn(browser, page, user) }
    if page.isConsentPage { page = try submit(browser, page, [("action", "approve")]) }
    try #require(page.status == 302, "\(page.status) \(page.text)")
    let parameters = page.redirectParameters
    try #require(parameters["state"] == state && parameters["iss"] == Self.issuer, "\(parameters)")
    return try #require(parameters["code"], "\(page.header("Location") ?? "")")
  }

  /// POSTs a form to an `/oauth/*` endpoint.
  func form(_ path: String, _ fields: [(String, String)], headers: [(String, String)] = []) throws
    -> TestResponse
  {
    try Self.form(http, path, fields, headers: headers)
  }

  static func form(
    _ http: TestHTTPClient, _ path: String, _ fields: [(String, String)], headers: [(String, String)] = []
  ) throws -> TestResponse {
    try http.request(
      "POST", path, headers: [("Content-Type", "application/x-www-form-urlencoded")] + headers,
      body: FormBody.encode(fields.map { (name: $0.0, value: $0.1) }))
  }

  /// `/oauth/token` as `client`.
  func token(_ client: FlowClient, _ fields: [(String, String)]) throws -> TestResponse {
    try Self.token(http, client, fields)
  }

  static func token(_ http: TestHTTPClient, _ client: FlowClient, _ fields: [(String, String)]) throws
    -> TestResponse
  {
    let auth = client.authentication
    return try form(http, "/oauth/token", fields + auth.fields, headers: auth.headers)
  }

  /// The code grant; `redirect` as in `query`.
  func exchange(
    _ client: FlowClient, code: String, verifier: String, redirect: String?? = .none
  ) throws -> TestResponse {
    var fields = [("grant_type", "authorization_code"), ("code", code), ("code_verifier", verifier)]
    switch redirect {
    case .none: fields.append(("redirect_uri", client.redirect))
    case .some(.some(let uri)): fields.append(("redirect_uri", uri))
    case .some(.none): break
    }
    return try token(client, fields)
  }

  func refresh(_ client: FlowClient, _ refreshToken: String, scope: String? = nil) throws -> TestResponse {
    var fields = [("grant_type", "refresh_token"), ("refresh_token", refreshToken)]
    if let scope { fields.append(("scope", scope)) }
    return try token(client, fields)
  }

  /// A whole code flow in a fresh browser, ending with the tokens.
  func grant(_ client: FlowClient, _ user: FlowUser, scope: String? = nil, browser: PageBrowser? = nil)
    throws -> GrantTokens
  {
    let pkce = PKCEPair()
    let code = try authorize(browser ?? PageBrowser(server), client, user, pkce: pkce, scope: scope)
    return try tokens(try exchange(client, code: code, verifier: pkce.verifier))
  }

  func tokens(_ response: TestResponse) throws -> GrantTokens {
    try #require(response.status == 200, "\(response.status) \(response.text)")
    return GrantTokens(
      access: try #require(response.json["access_token"] as? String),
      refresh: try #require(response.json["refresh_token"] as? String), response: response)
  }

  func introspect(_ token: String, as caller: FlowClient) throws -> TestResponse {
    let auth = caller.authentication
    return try form("/oauth/introspect", [("token", token)] + auth.fields, headers: auth.headers)
  }

  func isActive(_ token: String, as caller: FlowClient) throws -> Bool {
    let answer = try introspect(token, as: caller)
    try #require(answer.status == 200, "\(answer.text)")
    return answer.json["active"] as? Bool == true
  }

  func revoke(_ token: String, as client: FlowClient) throws -> TestResponse {
    let auth = client.authentication
    return try form("/oauth/revoke", [("token", token)] + auth.fields, headers: auth.headers)
  }

  /// A cookie login of `user` (SPEC-style browser session), for the routes
  /// of docs/api.md that take its bearer token.
  func login(_ user: FlowUser) throws -> Tokens { try http.signIn(user.email) }

  /// `GET /api/sessions` items of a cookie login's user.
  func sessions(_ bearer: String) throws -> [[String: Any]] {
    let listed = try http.get("/api/sessions", bearer: bearer)
    try #require(listed.status == 200, "\(listed.text)")
    return try #require(listed.json["sessions"] as? [[String: Any]])
  }

  /// The bearer token of a fresh admin.
  func admin() throws -> String { try AdminTests.admin(server).access }
}

/// The ways a user's sessions all end at once (docs/api.md).
enum RevokeAll: String, CaseIterable, CustomTestStringConvertible {
  case globalLogout = "global logout"
  case adminRevoke = "admin revoke"
  case passwordChange = "password change"

  var testDescription: String { rawValue }

  /// Does it for `user`, from a cookie login of theirs (which, for a
  /// password change, lives on).
  func perform(on flow: FlowServer, _ user: FlowUser) throws {
    let session = try flow.login(user)
    let answer: TestResponse
    switch self {
    case .globalLogout:
      answer = try flow.http.logout(bearer: session.access, global: true)
    case .adminRevoke:
      answer = try AdminTests.post(flow.http, "/api/admin/users/\(user.id)/revoke", bearer: try flow.admin())
    case .passwordChange:
      answer = try flow.http.json(
        "POST", "/api/password",
        ["current_password": defaultPassword, "new_password": "another long password"],
        headers: [("Authorization", "Bearer \(session.access)")])
    }
    try #require(answer.status == 204, "\(rawValue): \(answer.status) \(answer.text)")
  }
}
