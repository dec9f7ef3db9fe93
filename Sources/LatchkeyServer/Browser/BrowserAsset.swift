import LatchkeyHTTP

/// A file of the browser side (docs/latchkey-js.md), embedded in the binary
/// by scripts/embed-web. Encoded once: every request shares the bytes.
struct BrowserAsset: Sendable {
  let contentType: String
  let cacheControl: String
  let body: [UInt8]
  /// Extra headers (the demo's page policy).
  let headers: [(name: String, value: String)]

  func response() -> Response {
    Response(
      status: 200,
      headers: [("Content-Type", contentType), ("Cache-Control", cacheControl)] + headers,
      body: body)
  }

  /// Not versioned in its URL, so a short life: a deployment reaches every
  /// browser within minutes, and a cached copy spares the round trip on
  /// every page of the app that imports it.
  static let latchkeyJS = BrowserAsset(
    contentType: "text/javascript; charset=utf-8", cacheControl: "public, max-age=300",
    body: Array(latchkeyJSSource.utf8), headers: [])

  /// The demo may not be framed (clickjacking its revoke buttons) and runs
  /// only its own scripts and styles; `connect-src 'self'` keeps even an
  /// injected script from sending a token elsewhere.
  static let demoHeaders: [(name: String, value: String)] = [
    (
      "Content-Security-Policy",
      "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; "
        + "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    ),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "no-referrer"),
  ]

  static let demoIndex = demo("text/html; charset=utf-8", demoIndexHTMLSource)
  static let demoScript = demo("text/javascript; charset=utf-8", demoAppJSSource)
  static let demoStyle = demo("text/css; charset=utf-8", demoAppCSSSource)
  /// The third-party app (docs/oauth.md): one page that starts the code
  /// flow and receives its answer, under the same policy.
  static let demoThirdPartyPage = demo("text/html; charset=utf-8", demoThirdPartyHTMLSource)
  static let demoThirdPartyScript = demo("text/javascript; charset=utf-8", demoThirdPartyJSSource)

  /// `no-cache`: the demo follows the binary it runs on, revalidated each time.
  private static func demo(_ contentType: String, _ source: String) -> BrowserAsset {
    BrowserAsset(
      contentType: contentType, cacheControl: "no-cache", body: Array(source.utf8), headers: demoHeaders)
  }
}
