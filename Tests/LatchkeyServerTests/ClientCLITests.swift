import Foundation
import LatchkeyCrypto
import LatchkeyHTTP
import LatchkeyTesting
import Testing

/// `latchkey client add|list|remove` as an operator runs them
/// (docs/oauth.md#clients), against a served instance.
@Suite struct ClientCLITests {
  static let secret = "cli-client-secret-0123456789-abcdefghij-XYZ"

  func environment(_ url: String) -> [String: String] {
    ["LATCHKEY_DATABASE_URL": url, "LATCHKEY_MIGRATIONS_DIR": TestServer.migrationsDirectory]
  }

  func jsonLines(_ text: String) -> [[String: Any]] {
    text.split(separator: "\n").compactMap {
      (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any]
    }
  }

  func tokenRequest(port: UInt16, id: String, secret: String) throws -> TestResponse {
    let http = TestHTTPClient(port: port)
    defer { http.disconnect() }
    let body = FormBody.encode([
      ("grant_type", "client_credentials"), ("client_id", id), ("client_secret", secret),
    ])
    return try http.request(
      "POST", "/oauth/token", headers: [("Content-Type", "application/x-www-form-urlencoded")], body: body)
  }

  @Test func addListUseAndRemove() throws {
    try CLIDatabase.with { url in
      let add = try CLIProcess.run(
        ["client", "add", "billing", "--scope", "read write", "--grant", "client_credentials"],
        environment: environment(url))
      #expect(add.status == 0, "stderr: \(add.stderr)")
      let lines = jsonLines(add.stdout)
      try #require(lines.count == 1 && add.stdout.split(separator: "\n").count == 1, "\(add.stdout)")
      let id = try #require(lines[0]["client_id"] as? String)
      let secret = try #require(lines[0]["client_secret"] as? String)
      #expect((Base64URL.decode(secret)?.count ?? 0) >= 32, "at least 256 bits")
      // Only the SHA-256 digest is stored; no column holds the secret.
      try withDatabase(url) { db in
        let row = try #require(
          try db.query("select secret_digest, clients::text as everything from clients").rows.first)
        #expect(row.bytes("secret_digest") == SHA256.hash(Array(secret.utf8)))
        #expect(row.string("everything")?.contains(secret) == false)
      }

      let pub = try CLIProcess.run(
        [
          "client", "add", "spa", "--public", "--grant", "authorization_code", "--redirect-uri",
          "https://app.example/cb",
        ],
        environment: environment(url))
      #expect(pub.status == 0, "stderr: \(pub.stderr)")
      #expect(jsonLines(pub.stdout).first?.keys.sorted() == ["client_id"])

      let list = try CLIProcess.run(["client", "list"], environment: environment(url))
      #expect(list.status == 0)
      #expect(!list.stdout.contains(secret))
      let listed = jsonLines(list.stdout)
      #expect(listed.count == 2)
      let billing = try #require(listed.first { $0["id"] as? String == id })
      #expect(billing["name"] as? String == "billing" && billing["public"] as? Bool == false)
      #expect(billing["grants"] as? [String] == ["client_credentials"])
      #expect(billing["scopes"] as? [String] == ["read", "write"])
      #expect(billing["created"] as? String != nil)

      let serve = try CLIServe(
        environment: [
          "LATCHKEY_DATABASE_URL": url, "LATCHKEY_JWT_SECRET": Self.secret, "LATCHKEY_HOST": "127.0.0.1",
          "LATCHKEY_MIGRATIONS_DIR": TestServer.migrationsDirectory,
        ])
      defer { serve.kill() }
      let granted = try tokenRequest(port: serve.port, id: id, secret: secret)
      #expect(granted.status == 200, "\(granted.text)")
      #expect(granted.json["scope"] as? String == "read write")

      let remove = try CLIProcess.run(["client", "remove", id], environment: environment(url))
      #expect(remove.status == 0, "stderr: \(remove.stderr)")
      #expect(try tokenRequest(port: serve.port, id: id, secret: secret).status == 401)
      #expect(try CLIProcess.run(["client", "remove", id], environment: environment(url)).status == 1)
      let after = try CLIProcess.run(["client", "list"], environment: environment(url))
      #expect(jsonLines(after.stdout).count == 1)
      #expect(try serve.terminate().status == 0)
    }
  }

  @Test func badUsageExitsTwo() throws {
    try CLIDatabase.with { url in
      for arguments in [
        ["client"], ["client", "add"], ["client", "add", "x", "--grant", "password"],
        ["client", "add", "x", "--scope"], ["client", "add", "x", "--unknown"], ["client", "remove"],
        ["client", "list", "extra"], ["client", "add", "x", "--public", "--grant", "client_credentials"],
        ["client", "add", "x", "--public"], ["client", "add", "x", "--scope", "bad\"scope"],
        ["client", "add", "x", "--grant", "authorization_code", "--redirect-uri", "not a uri"],
      ] {
        let result = try CLIProcess.run(arguments, environment: environment(url))
        #expect(result.status == 2, "\(arguments): \(result.stderr)")
        #expect(result.stdout.isEmpty, "\(arguments)")
      }
      let list = try CLIProcess.run(["client", "list"], environment: environment(url))
      #expect(list.status == 0 && list.stdout.isEmpty)
    }
  }
}
