/// Where a page's form posts and the hidden fields that carry the flow's
/// state (docs/oauth.md): `request` and `csrf` for the code flow, `user_code`
/// and `csrf` for the device flow. The routes fill it in; every field is
/// escaped here.
struct PageForm: Sendable {
  /// "/oauth/authorize" or "/device".
  var action: String
  /// Name and value, in the order they are rendered.
  var hidden: [(String, String)]

  init(action: String, hidden: [(String, String)]) {
    self.action = action
    self.hidden = hidden
  }

  /// The form around `content`: a post, urlencoded (the default enctype).
  func render(_ content: String) -> String {
    var html = "<form method=\"post\" action=\"\(HTMLText.escape(action))\">\n"
    for (name, value) in hidden {
      html +=
        "<input type=\"hidden\" name=\"\(HTMLText.escape(name))\" value=\"\(HTMLText.escape(value))\">\n"
    }
    return html + content + "</form>\n"
  }
}
