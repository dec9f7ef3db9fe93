import Foundation
import LatchkeyTesting
import Testing

/// `POST /register` over real HTTP (docs/api.md#register).
@Suite("POST /register")
struct RegisterTests {
  @Test("201 with id, trimmed email and role user")
  func created() throws {
    try withServer { server in
      let client = server.client()
      let email = uniqueEmail("Reg")
      let response = try client.register("  \(email)\t")
      #expect(response.status == 201)
      let body = response.json
      #expect(Set(body.keys) == ["id", "email", "role"])
      #expect((body["id"] as? String).flatMap(UUID.init(uuidString:)) != nil)
      #expect(body["email"] as? String == email)
      #expect(body["role"] as? String == "user")
      #expect(response.header("content-type")?.hasPrefix("application/json") == true)
      #expect(response.header("x-content-type-options") == "nosniff")
    }
  }

  @Test("email uniqueness ignores case and surrounding space: 409 email_taken")
  func emailTaken() throws {
    try withServer { server in
      let client = server.client()
      let email = uniqueEmail("dup")
      #expect(try client.register(email).status == 201)
      for variant in [email, email.uppercased(), "  \(email.capitalized) "] {
        let again = try client.register(variant, "another password 123")
        #expect(again.status == 409, "\(variant)")
        #expect(again.errorCode == "email_taken")
        #expect(again.json["error_description"] is String)
      }
      // The original account still logs in with its password.
      #expect(try client.login(email.uppercased()).status == 200)
    }
  }

  @Test(
    "bad emails are 400 invalid_request",
    arguments: [
      "", "   ", "no-at-sign", "@example.com", "user@", "a@b@c.com", "us er@example.com", "user@.com",
    ])
  func badEmail(email: String) throws {
    try withServer { server in
      let response = try server.client().register(email)
      #expect(response.status == 400)
      #expect(response.errorCode == "invalid_request")
    }
  }

  @Test("password length is counted in Unicode scalars: min and 1024 max")
  func passwordLength() throws {
    try withServer(["LATCHKEY_PASSWORD_MIN_LENGTH": "8"]) { server in
      let client = server.client()
      let short = try client.register(uniqueEmail(), "1234567")
      #expect(short.status == 400)
      #expect(short.errorCode == "invalid_request")
      #expect(!short.text.contains("1234567"), "error text must not echo the password")

      #expect(try client.register(uniqueEmail(), "12345678").status == 201)
      #expect(try client.register(uniqueEmail(), String(repeating: "x", count: 1024)).status == 201)
      let long = try client.register(uniqueEmail(), String(repeating: "x", count: 1025))
      #expect(long.status == 400)
      #expect(long.errorCode == "invalid_request")

      // 8 emoji: 8 scalars (32 UTF-8 bytes) — accepted at min 8, and usable.
      let emoji = String(repeating: "🔑", count: 8)
      let email = uniqueEmail("emoji")
      #expect(try client.register(email, emoji).status == 201)
      #expect(try client.login(email, emoji).status == 200)
      // 7 emoji is 28 bytes but only 7 scalars: too short.
      #expect(try client.register(uniqueEmail(), String(repeating: "🔑", count: 7)).status == 400)
      // 1024 two-byte scalars (2048 bytes) is still within the limit.
      #expect(try client.register(uniqueEmail(), String(repeating: "é", count: 1024)).status == 201)
    }
  }

  @Test("LATCHKEY_REGISTRATION=closed answers 403 registration_closed")
  func closed() throws {
    try withServer(["LATCHKEY_REGISTRATION": "closed"]) { server in
      let response = try server.client().register(uniqueEmail())
      #expect(response.status == 403)
      #expect(response.errorCode == "registration_closed")
    }
  }

  @Test("415 without a JSON content type")
  func unsupportedMediaType() throws {
    try withServer { server in
      let client = server.client()
      let body = Array(#"{"email":"a@example.com","password":"12345678"}"#.utf8)
      for headers in [
        [], [("Content-Type", "text/plain")], [("Content-Type", "application/x-www-form-urlencoded")],
      ] {
        let response = try client.request("POST", "/register", headers: headers, body: body)
        #expect(response.status == 415, "\(headers)")
        #expect(response.errorCode != nil)
      }
      // A charset parameter is still JSON.
      let withCharset = try client.request(
        "POST", "/register", headers: [("Content-Type", "application/json; charset=utf-8")],
        body: Array(#"{"email":"\#(uniqueEmail())","password":"12345678"}"#.utf8))
      #expect(withCharset.status == 201)
    }
  }

  @Test("400 for malformed JSON, a wrong field type or a missing field")
  func malformed() throws {
    try withServer { server in
      let client = server.client()
      let bodies = [
        #"{"email":"a@example.com","password":"#,
        "not json",
        "",
        #"{"email":42,"password":"12345678"}"#,
        #"{"email":"a@example.com","password":12345678}"#,
        #"{"email":"a@example.com","password":null}"#,
        #"{"email":"a@example.com"}"#,
        #"{"password":"12345678"}"#,
        "[]",
        "null",
        #""a string""#,
      ]
      for body in bodies {
        let response = try client.request(
          "POST", "/register", headers: [("Content-Type", "application/json")], body: Array(body.utf8))
        #expect(response.status == 400, "\(body)")
        #expect(response.errorCode == "invalid_request", "\(body)")
        #expect(response.json["error_description"] is String, "\(body)")
      }
    }
  }

  @Test("413 for a body over 16 KiB")
  func tooLarge() throws {
    try withServer { server in
      let client = server.client()
      let padding = String(repeating: "a", count: 16 * 1024)
      let body = Array(#"{"email":"a@example.com","password":"\#(padding)"}"#.utf8)
      let response = try client.request(
        "POST", "/register", headers: [("Content-Type", "application/json")], body: body)
      #expect(response.status == 413)
      #expect(response.errorCode != nil)
      #expect(response.header("x-content-type-options") == "nosniff")
      // The server still serves afterwards.
      #expect(try server.client().request("GET", "/healthz").status == 200)
    }
  }

  @Test("a body just under 16 KiB is read (and rejected for its content, not its size)")
  func justUnderLimit() throws {
    try withServer { server in
      let prefix = #"{"email":"a@example.com","password":""#
      let suffix = #""}"#
      let padding = String(repeating: "a", count: 16 * 1024 - prefix.utf8.count - suffix.utf8.count)
      let body = Array((prefix + padding + suffix).utf8)
      #expect(body.count == 16 * 1024)
      let response = try server.client().request(
        "POST", "/register", headers: [("Content-Type", "application/json")], body: body)
      #expect(response.status == 400)  // password over 1024 characters
      #expect(response.errorCode == "invalid_request")
    }
  }
}
