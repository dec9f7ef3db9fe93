/// The headers of every browser page (docs/oauth.md). No script may run and
/// the page may not be framed: a framed consent page could be clickjacked
/// into "Allow". No `form-action`: Chrome applies it to the redirect that
/// follows the post, and that one goes to the client.
enum PageHeaders {
  static let contentSecurityPolicy =
    "default-src 'none'; style-src 'self'; img-src 'self'; frame-ancestors 'none'; base-uri 'none'"

  /// `no-store`: a page carries the anti-forgery token and, once signed in,
  /// the user's email. `same-origin`: the authorize URL (state, PKCE
  /// challenge) is not sent to any other site. Not `no-referrer`, which
  /// makes browsers send `Origin: null` with the pages' own form posts,
  /// and the posts' origin check refuses that.
  static let all: [(String, String)] = [
    ("Content-Type", "text/html; charset=utf-8"),
    ("X-Frame-Options", "DENY"),
    ("Content-Security-Policy", contentSecurityPolicy),
    ("Cache-Control", "no-store"),
    ("Referrer-Policy", "same-origin"),
    ("X-Content-Type-Options", "nosniff"),
  ]
}
