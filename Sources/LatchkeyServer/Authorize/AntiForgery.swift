import FoundationEssentials
import LatchkeyCrypto
import LatchkeyDomain
import LatchkeyHTTP

/// The anti-forgery tokens of the authorization pages' forms
/// (docs/oauth.md#pages). A token is an HMAC, under a key derived from the
/// server secret, of a random per-browser value kept in a SameSite=Strict
/// cookie and of what the form acts on (the authorization request, or the
/// user code). A cross-site page can neither read the cookie nor make the
/// browser send it, so it cannot produce or replay a token; and a token
/// made for one request does not fit another. Stateless, so every instance
/// checks what any instance issued.
struct AntiForgery: Sendable {
  enum Purpose: String {
    case authorize
    case device
  }

  private let key: [UInt8]
  let cookie: SessionCookie

  init(secret: [UInt8], secure: Bool) {
    key = HMACSHA256.mac(key: secret, message: Array("latchkey anti-forgery v1".utf8))
    cookie = .antiForgery(secure: secure)
  }

  /// The browser's anti-forgery value, and the `Set-Cookie` that plants a new
  /// one when the request had none.
  func browserValue(_ request: Request) -> (value: String, setCookie: String?) {
    if let value = cookie.read(from: request), value.utf8.count == 43 { return (value, nil) }
    let value = SecureRandom.token(byteCount: 32)
    return (value, cookie.setForBrowserSession(value))
  }

  /// What a form is bound to: the request (or user code) for the sign-in
  /// form; that and the sign-in session for the consent form, so only a
  /// consent page shown to this very sign-in can approve (a sign-in form's
  /// token cannot, which is what makes `prompt=login` hold).
  static func binding(_ subject: String, session: UUID?) -> String {
    guard let session else { return subject }
    return subject + "\n" + session.uuidString.lowercased()
  }

  func token(_ purpose: Purpose, browser: String, binding: String) -> String {
    Base64URL.encode(
      HMACSHA256.mac(key: key, message: Array("\(purpose.rawValue)\n\(browser)\n\(binding)".utf8)))
  }

  /// Whether a posted form's token fits this browser and `binding`, compared
  /// in constant time.
  func verify(_ presented: String?, _ purpose: Purpose, request: Request, binding: String) -> Bool {
    guard let presented, let browser = cookie.read(from: request) else { return false }
    return ConstantTime.equals(
      Array(presented.utf8), Array(token(purpose, browser: browser, binding: binding).utf8))
  }
}
