import Foundation
import LatchkeyDomain
import LatchkeyServer
import LatchkeyTesting
import Testing

/// Admin routes: revoke and audit (docs/api.md#admin-revoke, docs/api.md#audit).
@Suite("admin routes")
struct AdminTests {
  /// Creates an admin through the service (no HTTP route makes admins) and logs in.
  static func admin(_ server: TestServer) throws -> Tokens {
    let email = uniqueEmail("admin")
    let user = try server.app.service.register(
      email: email, password: defaultPassword, role: "admin", client: nil)
    #expect(user.role == "admin")
    let tokens = try server.client().signIn(email)
    #expect(DecodedJWT(tokens.access)?.string("role") == "admin")
    return tokens
  }

  static func post(_ client: TestHTTPClient, _ path: String, bearer: String?) throws -> TestResponse {
    try client.request("POST", path, headers: bearer.map { [("Authorization", "Bearer \($0)")] } ?? [])
  }

  @Test("a non-admin gets 403 insufficient_scope on every admin route")
  func nonAdmin() throws {
    try withServer { server in
      let client = server.client()
      let email = uniqueEmail()
      let id = try #require(try client.register(email).json["id"] as? String)
      let tokens = try client.signIn(email)
      for response in [
        try Self.post(client, "/api/admin/users/\(id)/revoke", bearer: tokens.access),
        try client.get("/api/admin/audit?user=\(id)", bearer: tokens.access),
        try client.get("/api/admin/audit", bearer: tokens.access),
      ] {
        #expect(response.status == 403)
        #expect(response.errorCode == "insufficient_scope")
        #expect(response.header("www-authenticate")?.contains(#"error="insufficient_scope""#) == true)
      }
      // Nothing was revoked.
      #expect(try client.me(tokens.access).status == 200)
      // Without a token: 401, not 403.
      let anonymous = try Self.post(client, "/api/admin/users/\(id)/revoke", bearer: nil)
      #expect(anonymous.status == 401)
      #expect(anonymous.header("www-authenticate") == #"Bearer realm="latchkey""#)
    }
  }

  @Test("admin revoke: 204, every token of the target fails; a later login works at once")
  func revoke() throws {
    try withServer { server in
      let admin = try Self.admin(server)
      let client = server.client()
      let email = uniqueEmail("target")
      let id = try #require(try client.register(email).json["id"] as? String)
      let first = try client.signIn(email)
      let second = try client.signIn(email)
      let rotated = try client.rotate(second.refresh)
      let bystander = try client.signIn(uniqueEmail("bystander"), register: true)

      let revoked = try Self.post(client, "/api/admin/users/\(id)/revoke", bearer: admin.access)
      #expect(revoked.status == 204)
      for access in [first.access, second.access, rotated.access] {
        #expect(try client.me(access).status == 401)
      }
      for refresh in [first.refresh, rotated.refresh] {
        RefreshTests.expectRefused(try client.refresh(cookie: refresh))
      }
      #expect(try client.me(bystander.access).status == 200)
      #expect(try client.me(admin.access).status == 200)

      // The target logs in again (same second, no clock movement) and the new tokens work.
      let again = try client.signIn(email)
      #expect(try client.me(again.access).status == 200)
      let next = try client.rotate(again.refresh)
      #expect(try client.me(next.access).status == 200)

      // Unknown or malformed user ids.
      let unknown = try Self.post(
        client, "/api/admin/users/\(UUID().uuidString)/revoke", bearer: admin.access)
      #expect(unknown.status == 404)
      let malformed = try Self.post(client, "/api/admin/users/not-a-uuid/revoke", bearer: admin.access)
      #expect((400..<500).contains(malformed.status))
      // Wrong method on the revoke route.
      let get = try client.get("/api/admin/users/\(id)/revoke", bearer: admin.access)
      #expect(get.status == 405)
    }
  }

  @Test("an admin may revoke themself; their token then fails")
  func revokeSelf() throws {
    try withServer { server in
      let admin = try Self.admin(server)
      let client = server.client()
      let id = try #require(DecodedJWT(admin.access)?.string("sub"))
      #expect(try Self.post(client, "/api/admin/users/\(id)/revoke", bearer: admin.access).status == 204)
      #expect(try client.me(admin.access).status == 401)
    }
  }

  @Test("audit lists the user's security events newest first")
  func audit() throws {
    try withServer(["LATCHKEY_REFRESH_REUSE_INTERVAL": "5"]) { server in
      let admin = try Self.admin(server)
      let client = server.client()
      let email = uniqueEmail("audited")
      let id = try #require(try client.register(email).json["id"] as? String)
      let newPassword = "the second password"

      server.clock.advance(1)
      #expect(try client.login(email, "wrong password!").status == 401)
      server.clock.advance(1)
      let first = try client.signIn(email)
      server.clock.advance(1)
      let rotated = try client.rotate(first.refresh)
      server.clock.advance(10)
      RefreshTests.expectRefused(try client.refresh(cookie: first.refresh))  // reuse
      server.clock.advance(1)
      let second = try client.signIn(email)
      server.clock.advance(1)
      #expect(try client.logout(cookie: second.refresh).status == 204)
      server.clock.advance(1)
      let third = try client.signIn(email)
      server.clock.advance(1)
      let changed = try client.json(
        "POST", "/api/password", ["current_password": defaultPassword, "new_password": newPassword],
        headers: [("Authorization", "Bearer \(third.access)")])
      #expect(changed.status == 204)
      server.clock.advance(1)
      #expect(try Self.post(client, "/api/admin/users/\(id)/revoke", bearer: admin.access).status == 204)
      _ = rotated

      let response = try client.get("/api/admin/audit?user=\(id)", bearer: admin.access)
      #expect(response.status == 200)
      let events = try #require(response.json["events"] as? [[String: Any]])
      let types = events.compactMap { $0["type"] as? String }
      #expect(events.allSatisfy { $0["user_id"] as? String == id })
      for event in events {
        #expect(Set(event.keys).isSuperset(of: ["time", "type", "user_id", "session_id", "ip"]))
      }
      let times = events.compactMap {
        ($0["time"] as? String).flatMap(ISO8601DateFormatter.withFractions.date)
      }
      #expect(times.count == events.count)
      #expect(times == times.sorted(by: >), "newest first")

      // The expected events, newest first, in exactly this order.
      let expected = [
        "admin_revoke", "password_change", "login_success", "logout", "login_success",
        "refresh_reuse_detected", "login_success", "login_failure",
      ]
      let interesting = types.filter { expected.contains($0) }
      #expect(interesting == expected, "\(types)")
      #expect(events.first?["ip"] as? String == "127.0.0.1")
      let reuse = events.first { $0["type"] as? String == "refresh_reuse_detected" }
      #expect(reuse?["session_id"] as? String == DecodedJWT(first.access)?.string("sid"))

      // Another user's events are not mixed in; invalid parameters are 400.
      let other = try client.get("/api/admin/audit?user=\(UUID().uuidString)", bearer: admin.access)
      #expect(other.status == 200)
      #expect((other.json["events"] as? [Any])?.isEmpty == true)
      for query in ["user=not-a-uuid", "user=", "user=\(id)&limit=0", "user=\(id)&limit=abc"] {
        let bad = try client.get("/api/admin/audit?\(query)", bearer: admin.access)
        #expect(bad.status == 400, "\(query)")
        #expect(bad.errorCode == "invalid_request", "\(query)")
      }
      // Without a user filter: every user's events.
      let all = try client.get("/api/admin/audit", bearer: admin.access)
      #expect(all.status == 200)
      #expect(((all.json["events"] as? [Any])?.count ?? 0) >= events.count)
    }
  }
}
