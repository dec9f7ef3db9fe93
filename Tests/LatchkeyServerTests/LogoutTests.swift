import Foundation
import LatchkeyTesting
import Testing

/// `POST /logout`, plain and global (docs/api.md#logout).
@Suite("POST /logout")
struct LogoutTests {
  static func expectCleared(_ response: TestResponse, _ comment: Comment? = nil) {
    #expect(response.status == 204, comment)
    let cookie = response.refreshCookie
    #expect(cookie?.name == plainCookieName, comment)
    #expect(cookie?.value == "", comment)
    #expect(cookie?.maxAge == 0, comment)
    #expect(cookie?.attributes["path"] == "/", comment)
    #expect(response.body.isEmpty, comment)
  }

  @Test("204, clears the cookie, and the session's tokens stop working at once")
  func logout() throws {
    try withServer { server in
      let client = server.client()
      let email = uniqueEmail()
      let tokens = try client.signIn(email, register: true)
      let other = try client.signIn(email)
      #expect(try client.me(tokens.access).status == 200)

      Self.expectCleared(try client.logout(cookie: tokens.refresh, bearer: tokens.access))
      let me = try client.me(tokens.access)
      #expect(me.status == 401)
      #expect(me.errorCode == "invalid_token")
      RefreshTests.expectRefused(try client.refresh(cookie: tokens.refresh))
      // Another session of the same user is untouched.
      #expect(try client.me(other.access).status == 200)
      #expect(try client.rotate(other.refresh).access.isEmpty == false)
    }
  }

  @Test("the cookie alone revokes the session and its access tokens")
  func cookieOnly() throws {
    try withServer { server in
      let client = server.client()
      let tokens = try client.signIn(uniqueEmail(), register: true)
      let rotated = try client.rotate(tokens.refresh)
      Self.expectCleared(try client.logout(cookie: rotated.refresh))
      #expect(try client.me(tokens.access).status == 401)
      #expect(try client.me(rotated.access).status == 401)
      RefreshTests.expectRefused(try client.refresh(cookie: rotated.refresh))
    }
  }

  @Test("the bearer token alone revokes its session")
  func bearerOnly() throws {
    try withServer { server in
      let client = server.client()
      let tokens = try client.signIn(uniqueEmail(), register: true)
      Self.expectCleared(try client.logout(bearer: tokens.access))
      #expect(try client.me(tokens.access).status == 401)
      RefreshTests.expectRefused(try client.refresh(cookie: tokens.refresh))
    }
  }

  @Test("idempotent: 204 without a cookie, with a revoked one, and with garbage")
  func idempotent() throws {
    try withServer { server in
      let client = server.client()
      let tokens = try client.signIn(uniqueEmail(), register: true)
      Self.expectCleared(try client.logout())
      Self.expectCleared(try client.logout(cookie: tokens.refresh))
      Self.expectCleared(try client.logout(cookie: tokens.refresh))
      Self.expectCleared(try client.logout(cookie: tokens.refresh, bearer: tokens.access))
      Self.expectCleared(try client.logout(cookie: "garbage", bearer: "garbage"))
    }
  }

  @Test("scope=global revokes every session of the user and no one else's")
  func global() throws {
    try withServer { server in
      let client = server.client()
      let email = uniqueEmail()
      let first = try client.signIn(email, register: true)
      let second = try client.signIn(email)
      let bystander = try client.signIn(uniqueEmail("bystander"), register: true)

      Self.expectCleared(try client.logout(cookie: first.refresh, global: true))
      for tokens in [first, second] {
        #expect(try client.me(tokens.access).status == 401)
        RefreshTests.expectRefused(try client.refresh(cookie: tokens.refresh))
      }
      #expect(try client.me(bystander.access).status == 200)

      // A login after the global logout works, even within the same second.
      let again = try client.signIn(email)
      #expect(try client.me(again.access).status == 200)
      #expect(try client.rotate(again.refresh).access.isEmpty == false)
    }
  }

  @Test("scope=global with only a bearer token works")
  func globalWithBearer() throws {
    try withServer { server in
      let client = server.client()
      let email = uniqueEmail()
      let first = try client.signIn(email, register: true)
      let second = try client.signIn(email)
      Self.expectCleared(try client.logout(bearer: second.access, global: true))
      #expect(try client.me(first.access).status == 401)
      #expect(try client.me(second.access).status == 401)
      RefreshTests.expectRefused(try client.refresh(cookie: first.refresh))
    }
  }

  @Test("scope=global needs a valid cookie or bearer token, else 401")
  func globalNeedsCredentials() throws {
    try withServer { server in
      let client = server.client()
      let tokens = try client.signIn(uniqueEmail(), register: true)
      for response in [
        try client.logout(global: true),
        try client.logout(cookie: "garbage", global: true),
        try client.logout(cookie: String(repeating: "A", count: 43), bearer: "not.a.token", global: true),
      ] {
        #expect(response.status == 401)
        #expect(response.errorCode != nil)
      }
      // Nothing was revoked by those attempts.
      #expect(try client.me(tokens.access).status == 200)
      // A revoked session's credentials are no longer valid for a global logout.
      Self.expectCleared(try client.logout(cookie: tokens.refresh, bearer: tokens.access))
      let stale = try client.logout(cookie: tokens.refresh, bearer: tokens.access, global: true)
      #expect(stale.status == 401)
    }
  }
}
