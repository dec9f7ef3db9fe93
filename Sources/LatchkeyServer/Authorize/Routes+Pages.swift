import LatchkeyDomain
import LatchkeyHTTP

/// What the authorization and device pages share: how a page, a redirect and
/// a refused post are answered, and the sign-in form's handling.
extension Routes {
  /// The fields the pages' forms post; others are ignored.
  static let pageParameters: Set<String> = ["request", "csrf", "action", "email", "password", "user_code"]

  /// An HTML page with the pages' security headers (no framing, no script,
  /// style only from this origin, never cached).
  static func page(_ status: Int, _ html: String) -> Response {
    Response(
      status: status, headers: PageHeaders.all.map { (name: $0.0, value: $0.1) }, body: Array(html.utf8))
  }

  /// Back to the client (a code or an error), never cached.
  static func redirect(_ location: String) -> Response {
    Response(
      status: 302, headers: [("Location", location), ("Cache-Control", "no-store"), ("Pragma", "no-cache")])
  }

  /// A post without a valid anti-forgery token or from another origin: it
  /// changes nothing and says little.
  static var refusedPost: Response {
    page(
      403,
      Page.error(
        title: nil, message: "This form has expired or was not sent from this site. Please start again."))
  }

  /// A sign-in form's outcome.
  enum PageSignIn {
    /// Signed in: the cookies to set (sign-in session, device).
    case signedIn(SignedInUser, cookies: [(name: String, value: String)])
    case refused(PageRefusal)
  }

  struct PageRefusal {
    var status: Int
    var message: String
    var headers: [(name: String, value: String)] = []
  }

  /// Signs in with the form's email and password, under `POST /login`'s
  /// throttle and device cookie. A wrong password and a spent budget become
  /// messages on the page; anything else propagates (a 503 when the
  /// database is away).
  func signInFromPage(_ form: [String: String], request: Request) throws -> PageSignIn {
    do {
      let result = try authorization.signIn(
        email: form["email"] ?? "", password: form["password"] ?? "", client: client(request),
        deviceCookie: deviceCookie.read(from: request))
      // The browser's earlier sign-in, if any, is replaced: ended, so no
      // session lives on that no browser holds. The new sign-in has
      // committed by now, so a failure here must not cost the user it: the
      // earlier session then merely stays listed until it expires.
      if let earlier = signInCookie.read(from: request) {
        try? service.logout(
          refreshToken: nil, signInToken: earlier, bearer: nil, global: false, client: client(request))
      }
      let now = service.clock.now()
      return .signedIn(
        result.user,
        cookies: [
          (
            name: "Set-Cookie",
            value: signInCookie.set(result.cookie.value, expiresAt: result.cookie.expiresAt, now: now)
          ),
          (
            name: "Set-Cookie",
            value: deviceCookie.set(result.deviceToken, expiresAt: result.deviceExpiresAt, now: now)
          ),
        ])
    } catch AuthError.invalidCredentials {
      return .refused(PageRefusal(status: 401, message: "The email or password is not correct."))
    } catch AuthError.throttled(let wait) {
      return .refused(
        PageRefusal(
          status: 429, message: "Too many failed attempts. Please wait a while and try again.",
          headers: [(name: "Retry-After", value: String(wait))]))
    }
  }
}
