import FoundationEssentials
import LatchkeyDomain
import LatchkeyHTTP

extension Routes {
  /// The device flow's endpoint and page (docs/oauth.md#device-flow).
  func addDeviceRoutes(to router: inout Router) {
    router.add(.post, "/oauth/device_authorization", cache: .noStore, deviceAuthorization)
    router.add(.get, "/device", deviceGet)
    router.add(.post, "/device", execution: .slow, devicePost)
  }

  struct DeviceAuthorizationBody: Encodable {
    let device_code: String
    let user_code: String
    let verification_uri: String
    let verification_uri_complete: String
    let expires_in: Int
    let interval: Int
  }

  func deviceAuthorization(_ request: Request) throws -> Response {
    let form = try oauthForm(request)
    return try withClient(request, form) { credentials in
      let started = try authorization.startDevice(
        scope: form["scope"], credentials: credentials, address: client(request).ip)
      return Response.json(
        200,
        DeviceAuthorizationBody(
          device_code: started.deviceCode, user_code: started.userCode.display,
          verification_uri: started.verificationURI,
          verification_uri_complete: started.verificationURIComplete,
          expires_in: started.expiresIn, interval: started.interval))
    }
  }

  func deviceGet(_ request: Request) throws -> Response {
    let prefilled = request.query["user_code"].flatMap { UserCode(normalizing: $0)?.display }
    return deviceCodePage(status: 200, prefilled: prefilled, error: nil, request: request)
  }

  func devicePost(_ request: Request) throws -> Response {
    guard pageOrigins.allows(request) else { return Self.refusedPost }
    let form = try request.decodeForm(recognized: Self.pageParameters)
    let action = form["action"]
    // The code step binds its token to no code (the user is typing it); the
    // later steps to the code they act on.
    let code = action == "code" ? nil : form["user_code"].flatMap(UserCode.init(normalizing:))
    // A decision needs the sign-in its consent page was shown to.
    let deciding = action == "approve" || action == "deny"
    let user = deciding ? try authorization.signedIn(cookie: signInCookie.read(from: request)) : nil
    let binding = AntiForgery.binding(code?.normalized ?? "", session: user?.sessionID)
    guard !deciding || user != nil,
      antiForgery.verify(form["csrf"], .device, request: request, binding: binding)
    else {
      return Self.refusedPost
    }
    if action != "code" && code == nil {
      return deviceCodePage(status: 400, prefilled: nil, error: Self.unknownUserCode, request: request)
    }
    let typed = action == "code" ? form["user_code"] ?? "" : code?.display ?? ""
    let review: DeviceReview?
    do {
      review = try authorization.reviewDevice(userCode: typed, address: client(request).ip)
    } catch AuthError.throttled(let wait) {
      var page = deviceCodePage(
        status: 429, prefilled: nil, error: "Too many wrong codes. Please wait a while and try again.",
        request: request)
      page.addHeader("Retry-After", String(wait))
      return page
    }
    guard let review else {
      return deviceCodePage(status: 400, prefilled: nil, error: Self.unknownUserCode, request: request)
    }
    switch action {
    case "code":
      let user = try authorization.signedIn(cookie: signInCookie.read(from: request))
      return deviceNextPage(review, user: user, request: request)
    case "signin":
      switch try signInFromPage(form, request: request) {
      case .refused(let refusal):
        var page = deviceSignInPage(review, request: request, email: form["email"], error: refusal.message)
        page.status = refusal.status
        page.headers += refusal.headers
        return page
      case .signedIn(let user, let cookies):
        var page = deviceNextPage(review, user: user, request: request)
        page.headers += cookies
        return page
      }
    case "approve", "deny":
      guard let user else { return Self.refusedPost }
      let approve = action == "approve"
      guard try authorization.decideDevice(userCode: review.userCode, user: user, approve: approve) else {
        return deviceCodePage(status: 400, prefilled: nil, error: Self.unknownUserCode, request: request)
      }
      return Self.page(200, Page.deviceDone(approved: approve))
    default:
      return Self.page(400, Page.error(title: nil, message: "The form was not understood."))
    }
  }

  static let unknownUserCode = "That code is not valid or has expired. Check the code on your device."

  /// After the code: consent when signed in, else the sign-in form.
  private func deviceNextPage(_ review: DeviceReview, user: SignedInUser?, request: Request) -> Response {
    guard let user else { return deviceSignInPage(review, request: request, email: nil, error: nil) }
    let (form, setCookie) = deviceForm(review.userCode, session: user.sessionID, request: request)
    var page = Self.page(
      200,
      Page.consent(clientName: review.clientName, scopes: review.scopes, signedInAs: user.email, form: form))
    if let setCookie { page.addHeader("Set-Cookie", setCookie) }
    return page
  }

  private func deviceSignInPage(_ review: DeviceReview, request: Request, email: String?, error: String?)
    -> Response
  {
    let (form, setCookie) = deviceForm(review.userCode, session: nil, request: request)
    var page = Self.page(
      error == nil ? 200 : 401,
      Page.signIn(clientName: review.clientName, form: form, email: email, error: error))
    if let setCookie { page.addHeader("Set-Cookie", setCookie) }
    return page
  }

  private func deviceCodePage(status: Int, prefilled: String?, error: String?, request: Request) -> Response {
    let (browser, setCookie) = antiForgery.browserValue(request)
    let form = PageForm(
      action: "/device", hidden: [("csrf", antiForgery.token(.device, browser: browser, binding: ""))])
    var page = Self.page(status, Page.deviceCode(prefilled: prefilled, form: form, error: error))
    if let setCookie { page.addHeader("Set-Cookie", setCookie) }
    return page
  }

  private func deviceForm(_ code: UserCode, session: UUID?, request: Request) -> (PageForm, String?) {
    let (browser, setCookie) = antiForgery.browserValue(request)
    let token = antiForgery.token(
      .device, browser: browser, binding: AntiForgery.binding(code.normalized, session: session))
    return (PageForm(action: "/device", hidden: [("user_code", code.display), ("csrf", token)]), setCookie)
  }
}
