import Foundation
import LatchkeyTesting
import Testing

/// `latchkey keys rotate|list` as an operator runs them (docs/operations.md#signing-keys).
@Suite struct KeysCLITests {
  static let secret = "keys-cli-secret-0123456789-abcdefghij-XYZ"

  func environment(_ url: String, _ algorithm: String) -> [String: String] {
    [
      "LATCHKEY_DATABASE_URL": url, "LATCHKEY_MIGRATIONS_DIR": TestServer.migrationsDirectory,
      "LATCHKEY_JWT_SECRET": Self.secret, "LATCHKEY_JWT_ALG": algorithm,
    ]
  }

  func lines(_ text: String) -> [[String: Any]] {
    text.split(separator: "\n").compactMap {
      (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any]
    }
  }

  @Test func rotateWithHS256IsAConfigurationError() throws {
    let env = environment("postgres://latchkey@127.0.0.1:1/none?connect_timeout=1", "HS256")
    let result = try CLIProcess.run(["keys", "rotate"], environment: env)
    #expect(result.status == 2)
    let stderr = result.stderr.split(separator: "\n")
    #expect(stderr.count == 1 && result.stderr.contains("LATCHKEY_JWT_ALG"), "\(result.stderr)")
    #expect(!result.stderr.contains(Self.secret))
    // Named even when nothing else is configured.
    let bare = try CLIProcess.run(["keys", "rotate"], environment: [:])
    #expect(bare.status == 2 && bare.stderr.contains("LATCHKEY_JWT_ALG"), "\(bare.stderr)")
    #expect(try CLIProcess.run(["keys"], environment: env).status == 2)
    #expect(try CLIProcess.run(["keys", "delete"], environment: env).status == 2)
  }

  @Test func rotateAndList() throws {
    try CLIDatabase.with { url in
      let env = environment(url, "ES256")
      // No key yet: the first one signs at once.
      let first = try CLIProcess.run(["keys", "rotate"], environment: env)
      #expect(first.status == 0, "stderr: \(first.stderr)")
      let created = try #require(lines(first.stdout).first)
      #expect(created["state"] as? String == "active")
      #expect(created["alg"] as? String == "ES256")

      let second = try CLIProcess.run(["keys", "rotate"], environment: env)
      #expect(second.status == 0, "stderr: \(second.stderr)")
      let next = try #require(lines(second.stdout).first)
      #expect(next["state"] as? String == "next")

      let list = try CLIProcess.run(["keys", "list"], environment: env)
      #expect(list.status == 0, "stderr: \(list.stderr)")
      let keys = lines(list.stdout)
      #expect(keys.count == 2)
      #expect(keys.map { $0["kid"] as? String } == [created["kid"] as? String, next["kid"] as? String])
      #expect(keys.map { $0["state"] as? String } == ["active", "next"])
      // The active key's retirement is known once its successor exists.
      #expect(keys.first?["retired_at"] as? String == next["activates_at"] as? String)
      for key in keys {
        #expect(
          Set(key.keys).isSubset(of: [
            "kid", "alg", "state", "created_at", "activates_at", "retired_at", "gone_at",
          ]))
      }
      #expect(!list.stdout.contains(Self.secret) && !list.stderr.contains(Self.secret))
    }
  }
}
