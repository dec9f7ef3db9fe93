/// The device flow's own pages (RFC 8628 §3.3): entering the code shown on
/// the device, and the end of the flow. Sign-in and consent are shared with
/// the code flow.
extension Page {
  /// `prefilled` comes from the verification URI's `user_code`, so the user
  /// only has to compare it with the device's screen.
  static func deviceCode(prefilled: String?, form: PageForm, error: String?) -> String {
    let value = prefilled.map { " value=\"\(HTMLText.escape($0))\"" } ?? ""
    let focus = prefilled == nil ? " autofocus" : ""
    let fields = """
      <label for="user_code">Code</label>
      <input id="user_code" name="user_code" autocomplete="off" autocapitalize="characters"\(value) \
      spellcheck="false" aria-describedby="user_code-hint"\(focus)>
      <p id="user_code-hint" class="hint">As shown on your device, for example WDJB-MJHT.</p>
      <button id="submit-code" type="submit" name="action" value="code">Continue</button>

      """
    return document(
      title: "Connect a device",
      body: """
        <h1>Connect a device</h1>
        <p class="lead">Enter the code your device shows to sign it in.</p>
        \(alert(error))\(form.render(fields))
        """)
  }

  static func deviceDone(approved: Bool) -> String {
    let heading = approved ? "Device connected" : "Request denied"
    let outcome =
      approved ? "Your device is now signed in." : "Your device was not given access to your account."
    return document(
      title: heading,
      body: """
        <h1 id="done">\(heading)</h1>
        <p>\(outcome)</p>
        <p class="hint">You can close this window and return to your device.</p>

        """)
  }
}
