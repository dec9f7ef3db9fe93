import FoundationEssentials
import LatchkeyDomain
import LatchkeyHTTP

extension Routes {
  /// `/oauth/authorize` and its pages (docs/oauth.md#authorization-code-flow).
  /// The rules are `AuthorizationService`'s; here the query is read, the
  /// form checked for forgery, the cookies set and the page drawn.
  func addAuthorizeRoutes(to router: inout Router) {
    let css = Array(PageStyle.css.utf8)
    router.add(.get, Page.stylesheetPath, execution: .inline) { _ in
      Response(
        status: 200,
        headers: [("Content-Type", "text/css; charset=utf-8"), ("Cache-Control", "public, max-age=3600")],
        body: css)
    }
    router.add(.get, "/oauth/authorize", authorizeGet)
    router.add(.post, "/oauth/authorize", execution: .slow, authorizePost)
  }

  func authorizeGet(_ request: Request) throws -> Response {
    let query = request.rawQuery
    let valid: ReviewedAuthorization
    switch try reviewAuthorization(query) {
    case .answered(let response): return response
    case .valid(let reviewed): valid = reviewed
    }
    let user = try authorization.signedIn(cookie: signInCookie.read(from: request))
    let answer = try authorization.proceed(valid.request, user: user, signedInNow: false)
    return authorizePage(answer, valid, user: user, query: query, request: request)
  }

  func authorizePost(_ request: Request) throws -> Response {
    guard pageOrigins.allows(request) else { return Self.refusedPost }
    let form = try request.decodeForm(recognized: Self.pageParameters)
    let query = form["request"] ?? ""
    let action = form["action"]
    // A decision needs the sign-in its consent page was shown to.
    let deciding = action == "approve" || action == "deny"
    let user = deciding ? try authorization.signedIn(cookie: signInCookie.read(from: request)) : nil
    let binding = AntiForgery.binding(query, session: user?.sessionID)
    guard !deciding || user != nil,
      antiForgery.verify(form["csrf"], .authorize, request: request, binding: binding)
    else {
      return Self.refusedPost
    }
    let valid: ReviewedAuthorization
    switch try reviewAuthorization(query) {
    case .answered(let response): return response
    case .valid(let reviewed): valid = reviewed
    }
    switch action {
    case "signin":
      switch try signInFromPage(form, request: request) {
      case .refused(let refusal):
        var page = authorizeSignInPage(
          valid, query: query, request: request, email: form["email"], error: refusal.message)
        page.status = refusal.status
        page.headers += refusal.headers
        return page
      case .signedIn(let user, let cookies):
        let answer = try authorization.proceed(valid.request, user: user, signedInNow: true)
        var page = authorizePage(answer, valid, user: user, query: query, request: request)
        page.headers += cookies
        return page
      }
    case "approve":
      guard let user else { return Self.refusedPost }
      return Self.redirect(try authorization.approve(valid.request, user: user))
    case "deny":
      return Self.redirect(authorization.deny(valid.request))
    default:
      return Self.page(400, Page.error(title: nil, message: "The form was not understood."))
    }
  }

  /// A request that passed validation, with the name its pages show.
  struct ReviewedAuthorization {
    var request: ValidatedAuthorization
    var clientName: String
  }

  enum AuthorizationReviewed {
    /// The 400 page or the error redirect.
    case answered(Response)
    case valid(ReviewedAuthorization)
  }

  /// The request validated: the answer to give at once, or the request to
  /// go on with.
  private func reviewAuthorization(_ query: String) throws -> AuthorizationReviewed {
    let pairs: [(String, String)]
    do {
      pairs = try FormBody.pairs(Array(query.utf8))
    } catch {
      return .answered(Self.page(400, Page.error(title: nil, message: "The request is malformed.")))
    }
    let review = try authorization.review(query: pairs)
    switch review.outcome {
    case .errorPage(let reason):
      return .answered(Self.page(400, Page.error(title: nil, message: reason.message)))
    case .redirectError:
      return .answered(Self.redirect(review.outcome.errorLocation(issuer: authorization.issuer) ?? "/"))
    case .valid(let valid):
      return .valid(ReviewedAuthorization(request: valid, clientName: review.clientName ?? ""))
    }
  }

  private func authorizePage(
    _ answer: AuthorizationAnswer, _ valid: ReviewedAuthorization, user: SignedInUser?, query: String,
    request: Request
  ) -> Response {
    switch answer {
    case .redirect(let location):
      return Self.redirect(location)
    case .showSignIn:
      return authorizeSignInPage(valid, query: query, request: request, email: nil, error: nil)
    case .showConsent:
      let (form, setCookie) = authorizeForm(query: query, session: user?.sessionID, request: request)
      var page = Self.page(
        200,
        Page.consent(
          clientName: valid.clientName, scopes: valid.request.scopes, signedInAs: user?.email ?? "",
          form: form))
      if let setCookie { page.addHeader("Set-Cookie", setCookie) }
      return page
    }
  }

  private func authorizeSignInPage(
    _ valid: ReviewedAuthorization, query: String, request: Request, email: String?, error: String?
  ) -> Response {
    let (form, setCookie) = authorizeForm(query: query, session: nil, request: request)
    var page = Self.page(
      error == nil ? 200 : 401,
      Page.signIn(clientName: valid.clientName, form: form, email: email, error: error))
    if let setCookie { page.addHeader("Set-Cookie", setCookie) }
    return page
  }

  private func authorizeForm(query: String, session: UUID?, request: Request) -> (PageForm, String?) {
    let (browser, setCookie) = antiForgery.browserValue(request)
    let token = antiForgery.token(
      .authorize, browser: browser, binding: AntiForgery.binding(query, session: session))
    return (PageForm(action: "/oauth/authorize", hidden: [("request", query), ("csrf", token)]), setCookie)
  }
}
