import FoundationEssentials
import LatchkeyDomain
import LatchkeyHTTP
import LatchkeyJSON

/// The demo's "third-party app" (docs/latchkey-js.md#demo): a public client
/// with a fixed id, registered at start-up when `LATCHKEY_DEMO=true`, whose
/// one redirect URI is the demo page that runs the code flow with PKCE.
enum DemoClient {
  static let id = UUID(uuidString: "6c6b6465-6d6f-4000-8000-000000000001")!
  static let name = "Latchkey demo (third-party app)"
  static let scopes = ["profile"]
  static let grants: [OAuthGrantType] = [.authorizationCode, .refreshToken, .deviceCode]

  static func redirectURI(publicURL: String) -> String { publicURL + "/demo/third-party.html" }

  static func ensure(_ oauth: OAuthService, publicURL: String) throws {
    try oauth.ensurePublicClient(
      id: id, name: name, grants: grants, scopes: scopes, redirectURIs: [redirectURI(publicURL: publicURL)])
  }
}

extension Routes {
  /// `GET /demo/config.json`: what the demo's third-party page needs to start
  /// the flow.
  func addDemoClientRoutes(to router: inout Router) {
    let body = JSONText.object([
      ("client_id", DemoClient.id.uuidString.lowercased()),
      ("redirect_uri", DemoClient.redirectURI(publicURL: publicURL)),
      ("scope", DemoClient.scopes.joined(separator: " ")),
    ])
    router.add(.get, "/demo/config.json", execution: .inline) { _ in
      var response = Response.json(200, bytes: body)
      response.addHeader("Cache-Control", "no-cache")
      return response
    }
  }
}
