import Foundation
import LatchkeyTesting
import Testing

/// `/latchkey.js` and the demo app over HTTP (docs/latchkey-js.md). The
/// served bytes are compared with web/: scripts/embed-web keeps the binary's
/// copies in step, and a forgotten run fails here.
@Suite("Browser assets")
struct BrowserAssetsTests {
  static let app = "https://app.example.com"

  /// A file of web/ in this checkout.
  static func webFile(_ path: String) throws -> [UInt8] {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent()
    return [UInt8](try Data(contentsOf: root.appendingPathComponent("web/\(path)")))
  }

  @Test("GET /latchkey.js: the module from web/, as JavaScript, cacheable, CORS for an allowed origin")
  func latchkeyJS() throws {
    try withServer(["LATCHKEY_ALLOWED_ORIGINS": Self.app]) { server throws in
      let client = server.client()
      let response = try client.request("GET", "/latchkey.js", headers: [("Origin", Self.app)])
      #expect(response.status == 200)
      #expect(response.header("content-type") == "text/javascript; charset=utf-8")
      #expect(response.header("cache-control") == "public, max-age=300")
      #expect(response.header("x-content-type-options") == "nosniff")
      #expect(response.header("access-control-allow-origin") == Self.app)
      #expect(response.header("access-control-allow-credentials") == "true")
      #expect(response.headers(named: "vary").contains { $0.lowercased().contains("origin") })
      #expect(response.body == (try Self.webFile("latchkey.js")), "run scripts/embed-web")

      let foreign = try client.request("GET", "/latchkey.js", headers: [("Origin", "https://evil.example")])
      #expect(foreign.status == 200)
      #expect(foreign.header("access-control-allow-origin") == nil)
    }
  }

  @Test("the demo is not served unless LATCHKEY_DEMO=true")
  func demoOffByDefault() throws {
    try withServer { server throws in
      let client = server.client()
      for path in [
        "/demo", "/demo/", "/demo/app.js", "/demo/app.css", "/demo/third-party.html",
        "/demo/third-party.js",
      ] {
        #expect(try client.request("GET", path).status == 404, "\(path)")
      }
      #expect(try client.request("GET", "/latchkey.js").status == 200)
    }
  }

  @Test("with LATCHKEY_DEMO=true: the pages from web/demo/ under a strict policy")
  func demoOn() throws {
    try withServer(["LATCHKEY_DEMO": "true"]) { server throws in
      let client = server.client()
      let files = [
        ("/demo/", "index.html", "text/html; charset=utf-8"),
        ("/demo/app.js", "app.js", "text/javascript; charset=utf-8"),
        ("/demo/app.css", "app.css", "text/css; charset=utf-8"),
        ("/demo/third-party.html", "third-party.html", "text/html; charset=utf-8"),
        ("/demo/third-party.js", "third-party.js", "text/javascript; charset=utf-8"),
      ]
      for (path, file, type) in files {
        let response = try client.request("GET", path)
        #expect(response.status == 200, "\(path)")
        #expect(response.header("content-type") == type, "\(path)")
        let policy = try #require(response.header("content-security-policy"), "\(path)")
        let directives = policy.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
        #expect(directives.contains("frame-ancestors 'none'"), "\(path)")
        #expect(directives.contains("script-src 'self'"), "\(path)")
        #expect(directives.contains("default-src 'none'"), "\(path)")
        #expect(response.header("x-frame-options") == "DENY", "\(path)")
        #expect(response.body == (try Self.webFile("demo/\(file)")), "\(path): run scripts/embed-web")
      }
      let bare = try client.request("GET", "/demo")
      #expect(bare.status == 308)
      #expect(bare.header("location") == "/demo/")
    }
  }
}
