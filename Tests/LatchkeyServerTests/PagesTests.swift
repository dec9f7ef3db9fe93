import Foundation
import Testing

@testable import LatchkeyServer

/// The OAuth browser pages as text (docs/oauth.md): the contract's elements,
/// escaping of every value that reaches them, the headers and the stylesheet.
/// Pure: no server, no database.
@Suite("Pages")
struct PagesTests {
  static let hostile = [
    "<script>alert(1)</script>",
    "\"><img src=x onerror=alert(1)>",
    "' autofocus onfocus='alert(1)",
    "</b></p></main><form action=\"https://evil.example/\">",
    "&lt;b&gt; & &amp; &#39;",
    "<\u{338}script>",  // "≮": one Character, but the tokenizer sees '<'
    "Zoë's café — 日本",
  ]

  static func authorizeForm(_ value: String) -> PageForm {
    PageForm(action: "/oauth/authorize", hidden: [("request", value), ("csrf", value)])
  }

  static func deviceForm(_ value: String) -> PageForm {
    PageForm(action: "/device", hidden: [("user_code", value), ("csrf", value)])
  }

  /// Every page with `value` in every slot that takes one.
  static func pages(_ value: String) -> [(String, String)] {
    [
      ("sign-in", Page.signIn(clientName: value, form: authorizeForm(value), email: value, error: value)),
      ("sign-in, device", Page.signIn(clientName: value, form: deviceForm(value), email: nil, error: nil)),
      (
        "consent",
        Page.consent(
          clientName: value, scopes: [value, "profile"], signedInAs: value, form: authorizeForm(value))
      ),
      (
        "consent, no scopes",
        Page.consent(clientName: value, scopes: [], signedInAs: value, form: deviceForm(value))
      ),
      ("device code", Page.deviceCode(prefilled: value, form: deviceForm(value), error: value)),
      ("device code, empty", Page.deviceCode(prefilled: nil, form: deviceForm(value), error: nil)),
      ("error", Page.error(title: value, message: value)),
      ("error, default title", Page.error(title: nil, message: value)),
      ("done", Page.deviceDone(approved: true)),
      ("denied", Page.deviceDone(approved: false)),
    ]
  }

  /// The tags of a page in order (`<name` or `</name`), and whether they
  /// nest properly: values are escaped, so every '<' is one of ours.
  static func tags(_ html: String) -> (names: [String], balanced: Bool) {
    let void: Set<String> = ["meta", "link", "input", "br"]
    var names: [String] = []
    var open: [String] = []
    var balanced = true
    var rest = Substring(html)
    while let start = rest.firstIndex(of: "<") {
      let afterLT = rest[rest.index(after: start)...]
      guard let end = afterLT.firstIndex(of: ">") else { return (names, false) }
      let inside = afterLT[..<end]
      rest = afterLT[afterLT.index(after: end)...]
      if inside.hasPrefix("!") { continue }
      let closing = inside.hasPrefix("/")
      let name = String(inside.drop { $0 == "/" }.prefix { $0.isLetter || $0.isNumber }).lowercased()
      names.append(closing ? "/" + name : name)
      if closing {
        if open.popLast() != name { balanced = false }
      } else if !void.contains(name) {
        open.append(name)
      }
    }
    return (names, balanced && open.isEmpty)
  }

  /// The values of `attribute="..."` in a page, in order.
  static func attributeValues(_ attribute: String, in html: String) -> [String] {
    html.components(separatedBy: " \(attribute)=\"").dropFirst().map { String($0.prefix { $0 != "\"" }) }
  }

  /// The `<input ...>` tags of a page.
  static func inputs(_ html: String) -> [String] {
    html.components(separatedBy: "<input ").dropFirst().map { String($0.prefix { $0 != ">" }) }
  }

  // MARK: - Escaping

  @Test("the escaper replaces each of & < > \" ' and nothing else")
  func escaper() {
    #expect(HTMLText.escape("&") == "&amp;")
    #expect(HTMLText.escape("<") == "&lt;")
    #expect(HTMLText.escape(">") == "&gt;")
    #expect(HTMLText.escape("\"") == "&quot;")
    #expect(HTMLText.escape("'") == "&#39;")
    #expect(HTMLText.escape("a&b<c>d\"e'f") == "a&amp;b&lt;c&gt;d&quot;e&#39;f")
    #expect(HTMLText.escape("&amp;") == "&amp;amp;", "already escaped text is escaped again: it is text")
    #expect(HTMLText.escape("") == "")
    let plain = "Zoë — 日本 🔑 = ; / ` \\ \n\t"
    #expect(HTMLText.escape(plain) == plain)
  }

  @Test("a '<' hidden in one Character by a combining scalar is still escaped")
  func escaperWorksOnScalars() {
    let sneaky = "<\u{338}script\u{338}>\u{301}\"\u{301}"
    // As Characters there is no "<", ">" or '"' in it at all.
    #expect(!sneaky.contains { $0 == "<" || $0 == ">" || $0 == "\"" })
    let escaped = HTMLText.escape(sneaky)
    #expect(escaped == "&lt;\u{338}script\u{338}&gt;\u{301}&quot;\u{301}")
    #expect(!escaped.unicodeScalars.contains { "<>\"'".unicodeScalars.contains($0) })
  }

  @Test("a hostile value in every slot of every page comes out as text", arguments: hostile)
  func hostileValuesAreInert(value: String) {
    let baseline = Self.pages("Benign")
    for ((page, html), (_, benign)) in zip(Self.pages(value), baseline) {
      // The page is the benign one with the escaped value in its place: no
      // tag, attribute or text of the page changed.
      let substituted = html.replacingOccurrences(of: HTMLText.escape(value), with: "Benign")
      #expect(substituted == benign, "\(page)")
      #expect(Self.tags(html).names == Self.tags(benign).names, "\(page)")
      if value.unicodeScalars.contains(where: { "<>\"'&".unicodeScalars.contains($0) }) {
        #expect(!html.contains(value), "\(page)")
      }
    }
  }

  @Test("script-like client names are inert on the sign-in and consent pages")
  func clientNameInert() {
    let form = Self.authorizeForm("q")
    let signIn = Page.signIn(clientName: "<script>", form: form, email: nil, error: nil)
    #expect(signIn.contains("to continue to <b>&lt;script&gt;</b>"))
    #expect(!signIn.contains("<script"))
    let consent = Page.consent(clientName: "\"><img", scopes: [], signedInAs: "a@b.example", form: form)
    #expect(consent.contains("<h1>Allow &quot;&gt;&lt;img?</h1>"))
    #expect(consent.contains("<title>Allow &quot;&gt;&lt;img? · Latchkey</title>"))
    #expect(!consent.contains("<img"))
  }

  @Test("hidden fields and the form's action are escaped, in the order given")
  func hiddenFields() {
    let form = PageForm(
      action: "/oauth/authorize?\"x", hidden: [("request", "a=1&b=\"2\"&c=<x>'"), ("csrf", "tok-_en")])
    let html = Page.signIn(clientName: "App", form: form, email: nil, error: nil)
    #expect(html.contains("<form method=\"post\" action=\"/oauth/authorize?&quot;x\">\n"))
    let request =
      "<input type=\"hidden\" name=\"request\" value=\"a=1&amp;b=&quot;2&quot;&amp;c=&lt;x&gt;&#39;\">"
    let csrf = "<input type=\"hidden\" name=\"csrf\" value=\"tok-_en\">"
    #expect(html.contains(request + "\n" + csrf))
    let device = Page.deviceCode(
      prefilled: nil, form: PageForm(action: "/device", hidden: [("user_code", "WDJB-MJHT"), ("csrf", "t")]),
      error: nil)
    #expect(device.contains("<form method=\"post\" action=\"/device\">"))
    #expect(device.contains("<input type=\"hidden\" name=\"user_code\" value=\"WDJB-MJHT\">"))
  }

  // MARK: - The contract's elements

  @Test("sign-in: heading, client, email, password, button; a retained email; the alert")
  func signIn() {
    let html = Page.signIn(clientName: "Demo", form: Self.authorizeForm("q"), email: nil, error: nil)
    #expect(html.contains("<h1>Sign in</h1>"))
    #expect(html.contains("to continue to <b>Demo</b>"))
    #expect(
      html.contains("<input id=\"email\" name=\"email\" type=\"email\" autocomplete=\"username\" required"))
    #expect(
      html.contains(
        "<input id=\"password\" name=\"password\" type=\"password\" autocomplete=\"current-password\" required"
      ))
    #expect(
      html.contains("<button id=\"signin\" type=\"submit\" name=\"action\" value=\"signin\">Sign in</button>")
    )
    #expect(!html.contains("role=\"alert\""))
    #expect(Self.attributeValues("value", in: html).count == 3, "the two hidden fields and the button")

    let again = Page.signIn(
      clientName: "Demo", form: Self.authorizeForm("q"), email: "ada@example.com",
      error: "Wrong email or password.")
    #expect(again.contains("autocomplete=\"username\" required value=\"ada@example.com\""))
    #expect(again.contains("<p role=\"alert\" class=\"error\">Wrong email or password.</p>"))
  }

  @Test("consent: heading, account, one item per scope in order, allow and deny")
  func consent() {
    let html = Page.consent(
      clientName: "Demo", scopes: ["profile", "email", "a:b"], signedInAs: "ada@example.com",
      form: Self.authorizeForm("q"))
    #expect(html.contains("<h1>Allow Demo?</h1>"))
    #expect(html.contains("Signed in as <b>ada@example.com</b>"))
    #expect(html.contains("<ul id=\"scopes\">\n<li>profile</li>\n<li>email</li>\n<li>a:b</li>\n</ul>"))
    #expect(
      html.contains("<button id=\"approve\" type=\"submit\" name=\"action\" value=\"approve\">Allow</button>")
    )
    #expect(html.contains("<button id=\"deny\" type=\"submit\" name=\"action\" value=\"deny\">Deny</button>"))
    #expect(!html.contains("<input id="), "nothing to fill in")

    let none = Page.consent(
      clientName: "Demo", scopes: [], signedInAs: "a@b.example", form: Self.deviceForm("c"))
    #expect(none.contains("<p id=\"scopes\">"))
    #expect(!none.contains("<li>"))
  }

  @Test("device code: the input, prefilled or empty, the button, the alert")
  func deviceCode() {
    let html = Page.deviceCode(prefilled: "WDJB-MJHT", form: Self.deviceForm(""), error: nil)
    #expect(html.contains("<label for=\"user_code\">"))
    #expect(
      html.contains(
        "<input id=\"user_code\" name=\"user_code\" autocomplete=\"off\" autocapitalize=\"characters\" value=\"WDJB-MJHT\""
      ))
    #expect(
      html.contains(
        "<button id=\"submit-code\" type=\"submit\" name=\"action\" value=\"code\">Continue</button>"))
    #expect(!html.contains("role=\"alert\""))

    let empty = Page.deviceCode(prefilled: nil, form: Self.deviceForm(""), error: "That code has expired.")
    let input = Self.inputs(empty).first { $0.hasPrefix("id=\"user_code\"") }
    #expect(input != nil)
    #expect(input?.contains("value=") == false)
    #expect(empty.contains("<p role=\"alert\" class=\"error\">That code has expired.</p>"))
  }

  @Test("device done: the heading says which way it went")
  func deviceDone() {
    #expect(Page.deviceDone(approved: true).contains("<h1 id=\"done\">Device connected</h1>"))
    #expect(Page.deviceDone(approved: false).contains("<h1 id=\"done\">Request denied</h1>"))
    #expect(Page.deviceDone(approved: true).contains("return to your device"))
  }

  @Test("the error page: the contract's heading, the message as an alert, nothing of the request")
  func errorPage() {
    // Whatever went through the other pages, the error page is made of its
    // own two arguments only.
    let marker = "MARKER-7f3a"
    _ = Self.pages(marker)
    let html = Page.error(title: nil, message: "Unknown client.")
    #expect(html.contains("<h1>This request cannot be completed</h1>"))
    #expect(html.contains("<p role=\"alert\" class=\"error\">Unknown client.</p>"))
    #expect(!html.contains(marker))
    #expect(html == Page.error(title: nil, message: "Unknown client."))
    for element in ["<form", "<input", "<a ", "<button", "href=\"http"] {
      #expect(!html.contains(element), "\(element)")
    }
    let titled = Page.error(title: "Request refused", message: "Try again from the application.")
    #expect(titled.contains("<h1>Request refused</h1>"))
    #expect(titled.contains("<title>Request refused · Latchkey</title>"))
  }

  // MARK: - Every page

  @Test("every page is a complete, accessible document that loads nothing but the stylesheet")
  func documentShape() {
    for (page, html) in Self.pages("Demo") {
      #expect(html.hasPrefix("<!DOCTYPE html>\n<html lang=\"en\">\n"), "\(page)")
      #expect(html.contains("<meta charset=\"utf-8\">"), "\(page)")
      #expect(
        html.contains("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"), "\(page)")
      #expect(html.contains(" · Latchkey</title>"), "\(page)")
      #expect(html.contains("<link rel=\"stylesheet\" href=\"/oauth/pages.css\">"), "\(page)")
      let (names, balanced) = Self.tags(html)
      #expect(balanced, "\(page)")
      #expect(names.filter { $0 == "main" }.count == 1, "\(page)")
      #expect(names.filter { $0 == "h1" }.count == 1, "\(page)")
      #expect(names.filter { $0 == "title" }.count == 1, "\(page)")
      for forbidden in ["script", "style", "iframe", "img", "object", "embed", "base"] {
        #expect(!names.contains(forbidden), "\(page): <\(forbidden)>")
      }
      #expect(!html.contains(" style="), "\(page)")
      #expect(!html.contains(#/ on[a-z]+=/#), "\(page): no event handler attribute")
      #expect(!html.contains("http:") && !html.contains("https:") && !html.contains("//"), "\(page)")

      let ids = Self.attributeValues("id", in: html)
      #expect(Set(ids).count == ids.count, "\(page): ids are unique")
      // Every visible input has its label.
      for input in Self.inputs(html) where !input.contains("type=\"hidden\"") {
        let id = Self.attributeValues("id", in: " " + input).first ?? ""
        #expect(!id.isEmpty && html.contains("<label for=\"\(id)\">"), "\(page): \(input)")
      }
    }
  }

  // MARK: - Headers and stylesheet

  @Test("the headers: the contract's values, no framing, no script, no form-action")
  func headers() {
    let headers = Dictionary(PageHeaders.all.map { ($0.0.lowercased(), $0.1) }) { first, _ in first }
    #expect(headers.count == PageHeaders.all.count, "no header twice")
    #expect(headers["content-type"] == "text/html; charset=utf-8")
    #expect(headers["x-frame-options"] == "DENY")
    #expect(
      headers["content-security-policy"]
        == "default-src 'none'; style-src 'self'; img-src 'self'; frame-ancestors 'none'; base-uri 'none'")
    #expect(headers["cache-control"] == "no-store")
    #expect(headers["referrer-policy"] == "same-origin")
    let policy = headers["content-security-policy"] ?? ""
    #expect(policy.contains("frame-ancestors 'none'"))
    #expect(!policy.contains("form-action"), "Chrome would block the redirect to the client")
    #expect(!policy.contains("unsafe") && !policy.contains("script-src"))
  }

  @Test("the stylesheet fetches nothing, follows the dark scheme and shows focus")
  func stylesheet() {
    let css = PageStyle.css
    #expect(!css.contains("url("))
    #expect(!css.contains("@import"))
    #expect(!css.contains("http") && !css.contains("//"))
    #expect(!css.contains("expression("))
    #expect(css.contains("@media (prefers-color-scheme: dark)"))
    #expect(css.contains(":focus-visible"))
    #expect(css.contains("system-ui"))
    // Braces balance: one unterminated rule would drop the rest of the sheet.
    var depth = 0
    for character in css {
      if character == "{" { depth += 1 }
      if character == "}" { depth -= 1 }
      #expect(depth >= 0)
    }
    #expect(depth == 0)
  }
}
