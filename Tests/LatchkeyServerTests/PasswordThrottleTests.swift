import Foundation
import LatchkeyTesting
import Testing

/// Guessing the current password through `/api/password` (with a stolen
/// access token) is throttled like login, and shares the account's count.
@Suite("/api/password throttling")
struct PasswordThrottleTests {
  @Test("wrong current passwords count toward the account limit; then 429 even for the right one")
  func wrongCurrentPasswordsAreThrottled() throws {
    try withServer(["LATCHKEY_LOGIN_MAX_FAILURES_PER_ACCOUNT": "3"]) { server in
      let client = server.client()
      let email = uniqueEmail()
      let tokens = try client.signIn(email, register: true)
      func change(_ current: String) throws -> TestResponse {
        try client.json(
          "POST", "/api/password", ["current_password": current, "new_password": "another long passphrase"],
          headers: [("Authorization", "Bearer \(tokens.access)")])
      }
      for _ in 0..<3 { #expect(try change("wrong guess").status == 401) }
      let throttled = try change(defaultPassword)
      #expect(throttled.status == 429)
      #expect(throttled.errorCode == "too_many_requests")
      #expect(throttled.header("retry-after").flatMap(Int.init).map { $0 > 0 } == true)
      // The same account count stops logins too.
      #expect(try client.login(email).status == 429)

      server.clock.advance(Double(server.app.config.auth.loginFailureWindow) + 1)
      #expect(try change(defaultPassword).status == 204)
    }
  }
}
