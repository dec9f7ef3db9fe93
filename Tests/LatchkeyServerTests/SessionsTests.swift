import Foundation
import LatchkeyTesting
import Testing

/// `/api/sessions` and `/api/password` (docs/api.md#sessions, docs/api.md#password).
@Suite("/api/sessions and /api/password")
struct SessionsTests {
  @Test("GET /api/sessions lists live sessions newest first with the current flag")
  func list() throws {
    try withServer { server in
      let client = server.client()
      let email = uniqueEmail()
      try client.register(email)
      var logins: [Tokens] = []
      for index in 0..<3 {
        let response = try client.login(email, headers: [("User-Agent", "agent-\(index)")])
        #expect(response.status == 200)
        logins.append(
          Tokens(
            access: response.accessToken ?? "", refresh: response.refreshCookie?.value ?? "",
            response: response))
        server.clock.advance(2)
      }
      let other = try client.signIn(uniqueEmail("other"), register: true)
      let sids = logins.map { DecodedJWT($0.access)?.string("sid") }

      let response = try client.get("/api/sessions", bearer: logins[1].access)
      #expect(response.status == 200)
      #expect(response.header("cache-control") == "no-store")
      let sessions = try #require(response.json["sessions"] as? [[String: Any]])
      #expect(sessions.map { $0["id"] as? String } == sids.reversed())
      #expect(sessions.map { $0["current"] as? Bool } == [false, true, false])
      #expect(sessions.map { $0["user_agent"] as? String } == ["agent-2", "agent-1", "agent-0"])
      for session in sessions {
        // A browser session belongs to no OAuth client: only a grant's item
        // has `client_id`.
        #expect(Set(session.keys) == ["id", "created_at", "last_used_at", "user_agent", "ip", "current"])
        #expect(session["ip"] as? String == "127.0.0.1")
        let created = try #require(session["created_at"] as? String)
        #expect(ISO8601DateFormatter.withFractions.date(from: created) != nil, "\(created)")
      }
      #expect(!sessions.contains { $0["id"] as? String == DecodedJWT(other.access)?.string("sid") })

      // Logging one out removes it from the list.
      #expect(try client.logout(cookie: logins[0].refresh).status == 204)
      let after =
        try client.get("/api/sessions", bearer: logins[2].access).json["sessions"] as? [[String: Any]]
      #expect(after?.map { $0["id"] as? String } == [sids[2], sids[1]])
      #expect(after?.first?["current"] as? Bool == true)

      // Unauthenticated: 401.
      #expect(try client.get("/api/sessions", bearer: nil).status == 401)
    }
  }

  @Test("DELETE /api/sessions/{id}: own session 204 and its tokens fail; others 404")
  func delete() throws {
    try withServer { server in
      let client = server.client()
      let email = uniqueEmail()
      let keep = try client.signIn(email, register: true)
      let doomed = try client.signIn(email)
      let stranger = try client.signIn(uniqueEmail("stranger"), register: true)
      let doomedID = try #require(DecodedJWT(doomed.access)?.string("sid"))
      let strangerID = try #require(DecodedJWT(stranger.access)?.string("sid"))

      let foreign = try client.request(
        "DELETE", "/api/sessions/\(strangerID)", headers: [("Authorization", "Bearer \(keep.access)")])
      #expect(foreign.status == 404)
      #expect(foreign.errorCode == "not_found")
      #expect(try client.me(stranger.access).status == 200)

      for id in [UUID().uuidString.lowercased(), "not-a-uuid"] {
        let missing = try client.request(
          "DELETE", "/api/sessions/\(id)", headers: [("Authorization", "Bearer \(keep.access)")])
        #expect(missing.status == 404, "\(id)")
      }

      let unauthenticated = try client.request("DELETE", "/api/sessions/\(doomedID)")
      #expect(unauthenticated.status == 401)

      let deleted = try client.request(
        "DELETE", "/api/sessions/\(doomedID)", headers: [("Authorization", "Bearer \(keep.access)")])
      #expect(deleted.status == 204)
      #expect(try client.me(doomed.access).status == 401)
      RefreshTests.expectRefused(try client.refresh(cookie: doomed.refresh))
      #expect(try client.me(keep.access).status == 200)
      // Already revoked: nothing left to delete.
      let again = try client.request(
        "DELETE", "/api/sessions/\(doomedID)", headers: [("Authorization", "Bearer \(keep.access)")])
      #expect(again.status == 404)

      // A session may delete itself.
      let selfID = try #require(DecodedJWT(keep.access)?.string("sid"))
      let own = try client.request(
        "DELETE", "/api/sessions/\(selfID.uppercased())",
        headers: [("Authorization", "Bearer \(keep.access)")])
      #expect(own.status == 204)
      #expect(try client.me(keep.access).status == 401)
    }
  }

  @Test("LATCHKEY_MAX_SESSIONS: a login beyond the cap revokes the least recently used session")
  func sessionCap() throws {
    try withServer(["LATCHKEY_MAX_SESSIONS": "2", "LATCHKEY_REFRESH_REUSE_INTERVAL": "0"]) { server in
      let client = server.client()
      let email = uniqueEmail()
      let oldest = try client.signIn(email, register: true)
      server.clock.advance(1)
      let middle = try client.signIn(email)
      server.clock.advance(1)
      // Using the oldest makes the middle one the least recently used.
      let used = try client.rotate(oldest.refresh)
      server.clock.advance(1)
      let newest = try client.signIn(email)
      #expect(try client.me(middle.access).status == 401)
      RefreshTests.expectRefused(try client.refresh(cookie: middle.refresh))
      #expect(try client.me(used.access).status == 200)
      #expect(try client.me(newest.access).status == 200)
      let sessions =
        try client.get("/api/sessions", bearer: newest.access).json["sessions"] as? [[String: Any]]
      #expect(sessions?.count == 2)
    }
  }

  @Test("POST /api/password: wrong current 401, short new 400; success keeps only this session")
  func changePassword() throws {
    try withServer(["LATCHKEY_PASSWORD_MIN_LENGTH": "10"]) { server in
      let client = server.client()
      let email = uniqueEmail()
      let current = try client.signIn(email, register: true)
      let other = try client.signIn(email)
      let newPassword = "a brand new passphrase"
      func change(_ body: [String: Any], bearer: String?) throws -> TestResponse {
        try client.json(
          "POST", "/api/password", body, headers: bearer.map { [("Authorization", "Bearer \($0)")] } ?? [])
      }

      let wrong = try change(
        ["current_password": "not it at all", "new_password": newPassword], bearer: current.access)
      #expect(wrong.status == 401)
      #expect(wrong.errorCode == "invalid_credentials")
      let short = try change(
        ["current_password": defaultPassword, "new_password": "short"], bearer: current.access)
      #expect(short.status == 400)
      #expect(short.errorCode == "invalid_request")
      let missing = try change(["current_password": defaultPassword], bearer: current.access)
      #expect(missing.status == 400)
      let anonymous = try change(
        ["current_password": defaultPassword, "new_password": newPassword], bearer: nil)
      #expect(anonymous.status == 401)
      // None of the failures changed anything.
      #expect(try client.me(other.access).status == 200)
      #expect(try client.login(email, newPassword).status == 401)

      let changed = try change(
        ["current_password": defaultPassword, "new_password": newPassword], bearer: current.access)
      #expect(changed.status == 204)

      // Other sessions are gone, access and refresh alike.
      #expect(try client.me(other.access).status == 401)
      RefreshTests.expectRefused(try client.refresh(cookie: other.refresh))
      // The session that made the change lives on.
      #expect(try client.me(current.access).status == 200)
      let rotated = try client.rotate(current.refresh)
      #expect(try client.me(rotated.access).status == 200)

      #expect(try client.login(email, defaultPassword).status == 401)
      #expect(try client.login(email, newPassword).status == 200)
    }
  }
}

extension ISO8601DateFormatter {
  static var withFractions: ISO8601DateFormatter {
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    return formatter
  }
}
