import Foundation
import LatchkeyDomain
import LatchkeyServer
import LatchkeyTesting
import Testing

/// A user's grant to a client over HTTP (docs/oauth.md#grants): the refresh
/// token grant's rotation, grace and reuse, the grant as a session of the
/// user, and revocation and introspection of its tokens.
@Suite struct GrantTests {
  let o = OAuthTests()

  // MARK: - Refresh token grant

  @Test func refreshRotatesForAClientWithOnlyTheCodeGrant() throws {
    try FlowServer.run { flow in
      let client = try flow.client(grants: [.authorizationCode])
      let user = try flow.user()
      let first = try flow.grant(client, user)
      let sid = DecodedJWT(first.access)?.string("sid")
      let answer = try flow.refresh(client, first.refresh)
      #expect(answer.status == 200, "\(answer.text)")
      #expect(
        Set(answer.json.keys) == ["access_token", "token_type", "expires_in", "refresh_token", "scope"])
      #expect(answer.header("Cache-Control") == "no-store" && answer.header("Pragma") == "no-cache")
      #expect(answer.json["scope"] as? String == "profile email")
      let second = try flow.tokens(answer)
      #expect(second.refresh != first.refresh && second.access != first.access)
      let jwt = try #require(DecodedJWT(second.access))
      #expect(
        jwt.string("sid") == sid && jwt.string("sub") == user.id && jwt.string("client_id") == client.id)
      #expect(try flow.refresh(client, second.refresh).status == 200)
    }
  }

  @Test func theGraceWindowReturnsTheSameSuccessor() throws {
    let clock = TestClock()
    try withServer(clock: clock) { server in
      let flow = FlowServer(server)
      let client = try flow.client()
      let rs = try flow.resourceServer()
      let first = try flow.grant(client, try flow.user())
      let second = try flow.tokens(try flow.refresh(client, first.refresh))
      let again = try flow.tokens(try flow.refresh(client, first.refresh))
      #expect(again.refresh == second.refresh)
      #expect(try flow.refresh(client, second.refresh).status == 200)
      // Past the window (10 s by default), the same token is reuse.
      clock.advance(11)
      o.expectError(try flow.refresh(client, first.refresh), 400, "invalid_grant")
      #expect(try flow.isActive(second.access, as: rs) == false)
    }
  }

  @Test func reuseRevokesTheFamily() throws {
    try FlowServer.run(["LATCHKEY_REFRESH_REUSE_INTERVAL": "0"]) { flow in
      let client = try flow.client()
      let rs = try flow.resourceServer()
      let user = try flow.user()
      let first = try flow.grant(client, user)
      let second = try flow.tokens(try flow.refresh(client, first.refresh))
      #expect(try flow.isActive(second.access, as: rs))
      o.expectError(try flow.refresh(client, first.refresh), 400, "invalid_grant")
      o.expectError(try flow.refresh(client, second.refresh), 400, "invalid_grant")
      #expect(try flow.isActive(second.access, as: rs) == false)
      #expect(try flow.isActive(first.access, as: rs) == false)
      #expect(
        !(try flow.sessions(try flow.login(user).access)).contains { $0["client_id"] as? String == client.id }
      )
    }
  }

  @Test func anotherClientsRefreshTokenIsRefusedAndLeftAlone() throws {
    try FlowServer.run(["LATCHKEY_REFRESH_REUSE_INTERVAL": "0"]) { flow in
      let client = try flow.client()
      let thief = try flow.client(name: "Thief")
      let confidential = try flow.client(name: "Confidential", isPublic: false)
      let first = try flow.grant(client, try flow.user())
      o.expectError(try flow.refresh(thief, first.refresh), 400, "invalid_grant")
      o.expectError(try flow.refresh(confidential, first.refresh), 400, "invalid_grant")
      // Neither spent nor revoked it.
      #expect(try flow.refresh(client, first.refresh).status == 200)
    }
  }

  @Test func scopeMayNarrowButNeverWiden() throws {
    try FlowServer.run(["LATCHKEY_REFRESH_REUSE_INTERVAL": "0"]) { flow in
      let client = try flow.client(scopes: ["profile", "email", "calendar"])
      let first = try flow.grant(client, try flow.user(), scope: "profile email")
      o.expectError(try flow.refresh(client, first.refresh, scope: "profile calendar"), 400, "invalid_scope")
      o.expectError(try flow.refresh(client, first.refresh, scope: "admin"), 400, "invalid_scope")
      // A refused request leaves the token usable.
      let narrowed = try flow.refresh(client, first.refresh, scope: "email")
      #expect(narrowed.status == 200, "\(narrowed.text)")
      #expect(narrowed.json["scope"] as? String == "email")
      let tokens = try flow.tokens(narrowed)
      #expect(DecodedJWT(tokens.access)?.string("scope") == "email")
      // The grant itself keeps what was granted.
      let full = try flow.refresh(client, tokens.refresh)
      #expect(full.json["scope"] as? String == "profile email", "\(full.text)")
    }
  }

  @Test func grantAndCookieRefreshTokensDoNotMix() throws {
    try FlowServer.run { flow in
      let client = try flow.client()
      let user = try flow.user()
      let grant = try flow.grant(client, user)
      let refused = try flow.http.refresh(cookie: grant.refresh)
      #expect(refused.status == 401 && refused.errorCode == "invalid_grant", "\(refused.text)")
      #expect(try flow.refresh(client, grant.refresh).status == 200, "the grant survives")

      let cookie = try flow.login(user)
      o.expectError(try flow.refresh(client, cookie.refresh), 400, "invalid_grant")
      #expect(try flow.http.refresh(cookie: cookie.refresh).status == 200, "the cookie session survives")

      // Nor is the page's sign-in cookie a refresh token of either kind.
      let browser = PageBrowser(flow.server)
      _ = try flow.authorize(browser, client, user, pkce: PKCEPair())
      let signIn = try #require(browser.cookies[signInCookieName])
      #expect(try flow.http.refresh(cookie: signIn).status == 401)
      o.expectError(try flow.refresh(client, signIn), 400, "invalid_grant")
    }
  }

  // MARK: - A grant is a session

  @Test func theUserListsAndDeletesTheGrant() throws {
    try FlowServer.run { flow in
      let client = try flow.client()
      let rs = try flow.resourceServer()
      let user = try flow.user()
      let grant = try flow.grant(client, user)
      let sid = try #require(DecodedJWT(grant.access)?.string("sid"))
      let session = try flow.login(user)
      let listed = try flow.sessions(session.access)
      let item = try #require(listed.first { $0["id"] as? String == sid }, "\(listed)")
      #expect(item["client_id"] as? String == client.id && item["current"] as? Bool == false)
      #expect(listed.first { $0["current"] as? Bool == true }?["client_id"] == nil)
      #expect(try flow.isActive(grant.access, as: rs))

      let deleted = try flow.http.request(
        "DELETE", "/api/sessions/\(sid)", headers: [("Authorization", "Bearer \(session.access)")])
      #expect(deleted.status == 204)
      o.expectError(try flow.refresh(client, grant.refresh), 400, "invalid_grant")
      #expect(try flow.introspect(grant.access, as: rs).text == "{\"active\":false}")
      #expect(!(try flow.sessions(session.access)).contains { $0["id"] as? String == sid })
      // Another user cannot delete someone's grant.
      let other = try flow.grant(client, user)
      let stranger = try flow.http.signIn(uniqueEmail(), register: true)
      let otherSID = try #require(DecodedJWT(other.access)?.string("sid"))
      #expect(
        try flow.http.request(
          "DELETE", "/api/sessions/\(otherSID)", headers: [("Authorization", "Bearer \(stranger.access)")]
        ).status == 404)
      #expect(try flow.isActive(other.access, as: rs))
    }
  }

  @Test(arguments: RevokeAll.allCases)
  func everyRevokeAllEndsTheGrant(_ how: RevokeAll) throws {
    try FlowServer.run { flow in
      let client = try flow.client()
      let rs = try flow.resourceServer()
      let user = try flow.user()
      let bystander = try flow.user()
      let grant = try flow.grant(client, user)
      let kept = try flow.grant(client, bystander)
      try how.perform(on: flow, user)
      o.expectError(try flow.refresh(client, grant.refresh), 400, "invalid_grant")
      #expect(try flow.isActive(grant.access, as: rs) == false)
      #expect(try flow.isActive(kept.access, as: rs))
      #expect(try flow.refresh(client, kept.refresh).status == 200)
    }
  }

  @Test func removingTheClientEndsItsGrants() throws {
    try FlowServer.run { flow in
      let client = try flow.client()
      let kept = try flow.client(name: "Kept")
      let rs = try flow.resourceServer()
      let user = try flow.user()
      let grant = try flow.grant(client, user)
      let other = try flow.grant(kept, user)
      #expect(try flow.oauth.removeClient(id: client.id))
      #expect(try flow.isActive(grant.access, as: rs) == false)
      o.expectError(try flow.refresh(client, grant.refresh), 401, "invalid_client")
      let listed = try flow.sessions(try flow.login(user).access)
      #expect(!listed.contains { $0["client_id"] as? String == client.id }, "\(listed)")
      #expect(listed.contains { $0["client_id"] as? String == kept.id })
      #expect(try flow.isActive(other.access, as: rs))
    }
  }

  // MARK: - Introspection and revocation

  @Test func introspectingAGrantsTokens() throws {
    try FlowServer.run { flow in
      let client = try flow.client(isPublic: false, grants: [.authorizationCode])
      let rs = try flow.resourceServer()
      let user = try flow.user()
      let grant = try flow.grant(client, user, scope: "profile")
      let sid = DecodedJWT(grant.access)?.string("sid")
      let access = try flow.introspect(grant.access, as: rs)
      #expect(access.status == 200 && access.header("Cache-Control") == "no-store")
      #expect(access.json["active"] as? Bool == true && access.json["token_type"] as? String == "Bearer")
      #expect(access.json["sub"] as? String == user.id && access.json["client_id"] as? String == client.id)
      #expect(access.json["scope"] as? String == "profile" && access.json["sid"] as? String == sid)
      for claim in ["iss", "aud", "exp", "iat", "nbf", "jti"] {
        #expect(access.json[claim] != nil, "\(claim)")
      }

      let refresh = try flow.introspect(grant.refresh, as: client)
      #expect(
        Set(refresh.json.keys) == ["active", "token_type", "client_id", "sub", "exp"], "\(refresh.text)")
      #expect(
        refresh.json["active"] as? Bool == true && refresh.json["token_type"] as? String == "refresh_token")
      #expect(refresh.json["client_id"] as? String == client.id && refresh.json["sub"] as? String == user.id)
      let exp = (refresh.json["exp"] as? NSNumber)?.doubleValue ?? 0
      #expect(abs(exp - Date().timeIntervalSince1970 - 604_800) < 60)
      // Another client, even a resource server, sees nothing.
      #expect(try flow.introspect(grant.refresh, as: rs).text == "{\"active\":false}")
      // A public client may not introspect at all.
      let pub = try flow.client(name: "Public")
      o.expectError(try flow.introspect(grant.access, as: pub), 401, "invalid_client")
    }
  }

  @Test func revokingAGrantsRefreshTokenRevokesTheFamily() throws {
    try FlowServer.run { flow in
      let client = try flow.client()
      let other = try flow.client(name: "Other")
      let rs = try flow.resourceServer()
      let grant = try flow.grant(client, try flow.user())
      let rotated = try flow.tokens(try flow.refresh(client, grant.refresh))
      o.expectError(try flow.revoke(rotated.refresh, as: other), 400, "unauthorized_client")
      #expect(try flow.isActive(rotated.access, as: rs))
      let revoked = try flow.revoke(rotated.refresh, as: client)
      #expect(revoked.status == 200 && revoked.body.isEmpty)
      o.expectError(try flow.refresh(client, rotated.refresh), 400, "invalid_grant")
      #expect(try flow.isActive(rotated.access, as: rs) == false)
      #expect(try flow.isActive(grant.access, as: rs) == false)
      // Idempotent.
      #expect(try flow.revoke(rotated.refresh, as: client).status == 200)
    }
  }

  @Test func revokingAJustRotatedRefreshTokenEndsTheFamilyToo() throws {
    try FlowServer.run { flow in
      let client = try flow.client()
      let other = try flow.client(name: "Other")
      let rs = try flow.resourceServer()
      let grant = try flow.grant(client, try flow.user())
      let rotated = try flow.tokens(try flow.refresh(client, grant.refresh))
      // Still inside the reuse interval, the old token would refresh again:
      // a revocation that answers 200 must stop that.
      o.expectError(try flow.revoke(grant.refresh, as: other), 400, "unauthorized_client")
      #expect(try flow.revoke(grant.refresh, as: client).status == 200)
      o.expectError(try flow.refresh(client, grant.refresh), 400, "invalid_grant")
      o.expectError(try flow.refresh(client, rotated.refresh), 400, "invalid_grant")
      #expect(try flow.isActive(rotated.access, as: rs) == false)
    }
  }

  @Test func revokingAGrantsAccessToken() throws {
    try FlowServer.run { flow in
      let client = try flow.client()
      let other = try flow.client(name: "Other")
      let rs = try flow.resourceServer()
      let grant = try flow.grant(client, try flow.user())
      o.expectError(try flow.revoke(grant.access, as: other), 400, "unauthorized_client")
      #expect(try flow.isActive(grant.access, as: rs))
      #expect(try flow.revoke(grant.access, as: client).status == 200)
      #expect(try flow.isActive(grant.access, as: rs) == false)
    }
  }

  @Test func aGrantRevokedOnOneInstanceIsInactiveOnTheOther() throws {
    try TwoInstanceTests.withPair { a, b in
      let flowA = FlowServer(a)
      let flowB = FlowServer(b)
      let client = try flowA.client()
      let rs = try flowA.resourceServer()
      let user = try flowA.user()
      let viaDelete = try flowA.grant(client, user)
      let viaRevoke = try flowA.grant(client, user)
      #expect(try flowB.isActive(viaDelete.access, as: rs))
      #expect(try flowB.isActive(viaRevoke.access, as: rs))

      let session = try flowA.login(user)
      let sid = try #require(DecodedJWT(viaDelete.access)?.string("sid"))
      #expect(
        try flowA.http.request(
          "DELETE", "/api/sessions/\(sid)", headers: [("Authorization", "Bearer \(session.access)")]
        ).status == 204)
      #expect(try flowB.introspect(viaDelete.access, as: rs).text == "{\"active\":false}")

      #expect(try flowA.revoke(viaRevoke.refresh, as: client).status == 200)
      #expect(try flowB.introspect(viaRevoke.access, as: rs).text == "{\"active\":false}")
      o.expectError(try flowB.refresh(client, viaRevoke.refresh), 400, "invalid_grant")
    }
  }
}
