import LatchkeyHTTP

extension Routes {
  /// `GET /latchkey.js` always; the demo app under `/demo/` only with
  /// `LATCHKEY_DEMO=true` (docs/latchkey-js.md). Static bytes: no I/O, so inline.
  func addBrowserRoutes(to router: inout Router) {
    router.add(.get, "/latchkey.js", execution: .inline) { _ in BrowserAsset.latchkeyJS.response() }
    guard demo else { return }
    // The page's relative links need the trailing slash.
    router.add(.get, "/demo", execution: .inline) { _ in
      Response(status: 308, headers: [("Location", "/demo/")])
    }
    router.add(.get, "/demo/", execution: .inline) { _ in BrowserAsset.demoIndex.response() }
    router.add(.get, "/demo/app.js", execution: .inline) { _ in BrowserAsset.demoScript.response() }
    router.add(.get, "/demo/app.css", execution: .inline) { _ in BrowserAsset.demoStyle.response() }
    router.add(.get, "/demo/third-party.html", execution: .inline) { _ in
      BrowserAsset.demoThirdPartyPage.response()
    }
    router.add(.get, "/demo/third-party.js", execution: .inline) { _ in
      BrowserAsset.demoThirdPartyScript.response()
    }
  }
}
