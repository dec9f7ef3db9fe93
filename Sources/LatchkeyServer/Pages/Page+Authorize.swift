/// The sign-in and consent pages, shared by the code flow (posting to
/// /oauth/authorize) and the device flow (posting to /device): only the form
/// differs.
extension Page {
  /// `email` keeps what the user typed after a wrong password; the focus
  /// then goes to the password.
  static func signIn(clientName: String, form: PageForm, email: String?, error: String?) -> String {
    let emailValue = email.map { " value=\"\(HTMLText.escape($0))\"" } ?? ""
    let focusEmail = email == nil ? " autofocus" : ""
    let focusPassword = email == nil ? "" : " autofocus"
    let fields = """
      <label for="email">Email</label>
      <input id="email" name="email" type="email" autocomplete="username" required\(emailValue)\(focusEmail)>
      <label for="password">Password</label>
      <input id="password" name="password" type="password" autocomplete="current-password" required\(focusPassword)>
      <button id="signin" type="submit" name="action" value="signin">Sign in</button>

      """
    return document(
      title: "Sign in",
      body: """
        <h1>Sign in</h1>
        <p class="lead">to continue to <b>\(HTMLText.escape(clientName))</b></p>
        \(alert(error))\(form.render(fields))
        """)
  }

  /// Scopes are listed as the client asked for them: the user sees exactly
  /// what the token will carry.
  static func consent(clientName: String, scopes: [String], signedInAs: String, form: PageForm) -> String {
    let name = HTMLText.escape(clientName)
    let list: String
    if scopes.isEmpty {
      list = "<p id=\"scopes\">It asks for no particular permission.</p>\n"
    } else {
      let items = scopes.map { "<li>\(HTMLText.escape($0))</li>\n" }.joined()
      list = "<p>It asks for these permissions:</p>\n<ul id=\"scopes\">\n\(items)</ul>\n"
    }
    let buttons = """
      <div class="actions">
      <button id="approve" type="submit" name="action" value="approve">Allow</button>
      <button id="deny" type="submit" name="action" value="deny">Deny</button>
      </div>

      """
    return document(
      title: "Allow \(clientName)?",
      body: """
        <h1>Allow \(name)?</h1>
        <p class="lead">Signed in as <b>\(HTMLText.escape(signedInAs))</b></p>
        \(list)\(form.render(buttons))
        """)
  }
}
