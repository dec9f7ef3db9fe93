import Foundation
import LatchkeyTesting
import Testing

/// The same requests through the router in-process and through the live
/// socket give the same answers: handlers, middleware and error mapping do
/// not depend on the transport (docs/architecture.md#a-requests-path).
@Suite("in-process and socket transports")
struct TransportParityTests {
  @Test("a session's life answers the same in-process and over the socket", arguments: [false, true])
  func sessionLife(inProcess: Bool) throws {
    try withServer { server in
      let client = server.client(inProcess: inProcess)
      let email = uniqueEmail()
      #expect(try client.register(email).status == 201)
      let login = try client.login(email)
      #expect(login.status == 200)
      #expect(login.header("cache-control") == "no-store" && login.header("pragma") == "no-cache")
      #expect(login.header("x-content-type-options") == "nosniff")
      #expect(login.header("x-request-id")?.isEmpty == false)
      let access = try #require(login.accessToken)
      let refresh = try #require(login.refreshCookie?.value)
      let me = try client.get("/api/me", bearer: access)
      #expect(me.status == 200 && me.json["email"] as? String == email)
      #expect(me.header("cache-control") == "no-store")
      let rotated = try client.refresh(cookie: refresh)
      #expect(rotated.status == 200)
      #expect(try client.logout(bearer: access).status == 204)
      let after = try client.get("/api/me", bearer: access)
      #expect(after.status == 401 && after.errorCode == "invalid_token")
      #expect(after.header("www-authenticate")?.contains("invalid_token") == true)
    }
  }

  @Test("routing errors answer the same in-process and over the socket", arguments: [false, true])
  func routingErrors(inProcess: Bool) throws {
    try withServer { server in
      let client = server.client(inProcess: inProcess)
      #expect(try client.request("GET", "/nowhere").status == 404)
      let wrongMethod = try client.request("GET", "/login")
      #expect(wrongMethod.status == 405 && wrongMethod.header("allow") == "POST, OPTIONS")
      #expect(try client.request("GET", "/api%2Fme").status == 404)
      #expect(try client.request("GET", "/healthz%00").status == 400)
      let crossSite = try client.json(
        "POST", "/login", ["email": "a@example.com", "password": "x"],
        headers: [("Origin", "https://evil.example")])
      #expect(crossSite.status == 403 && crossSite.errorCode == "invalid_origin")
      #expect(try client.request("POST", "/logout?scope=everything").status == 400)
    }
  }
}
