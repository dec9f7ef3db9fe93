import LatchkeyDomain
import LatchkeyHTTP

extension Routes {
  /// The OAuth 2.0 endpoints (docs/oauth.md): form bodies only, every answer
  /// `no-store`, errors in RFC 6749 §5.2's shape.
  func addOAuthRoutes(to router: inout Router) {
    let metadata = OAuthMetadata(issuer: service.settings.issuer, publicURL: publicURL).json
    addAuthorizeRoutes(to: &router)
    addDeviceRoutes(to: &router)
    router.add(.get, "/.well-known/oauth-authorization-server", execution: .inline) { _ in
      Response.json(200, bytes: metadata)
    }
    router.add(.post, "/oauth/token", cache: .noStore, oauthToken)
    router.add(.post, "/oauth/revoke", cache: .noStore, oauthRevoke)
    router.add(.post, "/oauth/introspect", cache: .noStore, oauthIntrospect)
  }

  struct ClientTokenBody: Encodable {
    let access_token: String
    let token_type = "Bearer"
    let expires_in: Int64
    let scope: String
  }

  struct UserTokenBody: Encodable {
    let access_token: String
    let token_type = "Bearer"
    let expires_in: Int64
    let refresh_token: String
    let scope: String
  }

  func oauthToken(_ request: Request) throws -> Response {
    let form = try oauthForm(request)
    return try withClient(request, form) { client in
      let answer = try authorization.token(
        TokenRequest(
          grantType: form["grant_type"], scope: form["scope"], code: form["code"],
          redirectURI: form["redirect_uri"], codeVerifier: form["code_verifier"],
          refreshToken: form["refresh_token"], deviceCode: form["device_code"]),
        credentials: client, client: self.client(request))
      switch answer {
      case .client(let grant):
        return Response.json(
          200,
          ClientTokenBody(access_token: grant.accessToken, expires_in: grant.expiresIn, scope: grant.scope))
      case .user(let grant):
        return Response.json(
          200,
          UserTokenBody(
            access_token: grant.accessToken, expires_in: grant.expiresIn, refresh_token: grant.refreshToken,
            scope: grant.scope))
      }
    }
  }

  func oauthRevoke(_ request: Request) throws -> Response {
    let form = try oauthForm(request)
    return try withClient(request, form) { client in
      try oauth.revoke(token: form["token"], credentials: client, address: self.client(request).ip)
      return Response(status: 200)
    }
  }

  func oauthIntrospect(_ request: Request) throws -> Response {
    let form = try oauthForm(request)
    return try withClient(request, form) { client in
      let found = try oauth.introspect(
        token: form["token"], credentials: client, address: self.client(request).ip)
      return Response.json(200, IntrospectionBody(found))
    }
  }

  /// Reads the client's credentials and runs `body` with them; a failed
  /// authentication after HTTP Basic was tried answers with the challenge
  /// (RFC 6749 §5.2).
  func withClient(
    _ request: Request, _ form: [String: String], _ body: (ClientCredentials?) throws -> Response
  ) throws -> Response {
    let presented = try PresentedClient.read(request, form: form)
    do {
      return try body(presented.credentials)
    } catch let error as OAuthError where presented.usedBasic && error.code == "invalid_client" {
      var mapped = ErrorMapping.map(error)
      mapped.headers.append(.init("WWW-Authenticate", "Basic realm=\"latchkey\""))
      throw mapped
    }
  }

  /// The parameters the `/oauth/*` endpoints read; others are ignored.
  static let oauthParameters: Set<String> = [
    "grant_type", "scope", "client_id", "client_secret", "token", "token_type_hint", "code", "redirect_uri",
    "code_verifier", "refresh_token", "device_code",
  ]

  /// The form of an `/oauth/*` request (RFC 6749 §3.1): unrecognized
  /// parameters are ignored, a recognized one must not repeat, and one sent
  /// without a value is treated as omitted. A NUL may pass: no value is
  /// stored as text (client ids are parsed, secrets and tokens digested or
  /// verified), so it only makes a credential that matches nothing.
  func oauthForm(_ request: Request) throws -> [String: String] {
    try request.decodeForm(recognized: Self.oauthParameters, allowNUL: true).filter { !$0.value.isEmpty }
  }
}
