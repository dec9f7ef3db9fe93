/// The HTML of the OAuth browser pages (docs/oauth.md): pure text, no I/O;
/// the routes choose the page, its status and its form. Values reach the
/// markup only through `HTMLText.escape`, and only those the user needs to
/// see: the client's name, the scopes, the signed-in email, the user code.
/// No script and no inline style: the policy in `PageHeaders` forbids both,
/// the look comes from `/oauth/pages.css` (`PageStyle`).
enum Page {
  static let stylesheetPath = "/oauth/pages.css"
  static let errorHeading = "This request cannot be completed"

  /// The 400 and 403 page. Its text is the server's own: it names no request
  /// value, so a crafted link cannot make the server's origin say anything.
  static func error(title: String?, message: String) -> String {
    let heading = title ?? errorHeading
    return document(
      title: heading,
      body: """
        <h1>\(HTMLText.escape(heading))</h1>
        \(alert(message))\
        <p class="hint">Go back to the application you came from and try again.</p>

        """)
  }

  /// The frame of every page. `color-scheme` lets the form controls follow
  /// a dark system theme along with the stylesheet.
  static func document(title: String, body: String) -> String {
    """
    <!DOCTYPE html>
    <html lang="en">
    <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <meta name="color-scheme" content="light dark">
    <meta name="robots" content="noindex, nofollow">
    <title>\(HTMLText.escape(title)) · Latchkey</title>
    <link rel="stylesheet" href="\(stylesheetPath)">
    </head>
    <body>
    <main class="card">
    <p class="brand">Latchkey</p>
    \(body)</main>
    </body>
    </html>

    """
  }

  /// An error message, announced by screen readers as the page loads; empty
  /// when there is none.
  static func alert(_ message: String?) -> String {
    guard let message else { return "" }
    return "<p role=\"alert\" class=\"error\">\(HTMLText.escape(message))</p>\n"
  }
}
