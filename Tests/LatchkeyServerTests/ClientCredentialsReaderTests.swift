import Foundation
import LatchkeyDomain
import LatchkeyHTTP
import Testing

@testable import LatchkeyServer

/// How a request's client credentials are found (docs/oauth.md#client-authentication).
@Suite struct ClientCredentialsReaderTests {
  func read(authorization: String? = nil, form: [String: String] = [:]) throws -> PresentedClient {
    let headers = authorization.map { [(name: "Authorization", value: $0)] } ?? []
    return try PresentedClient.read(
      Request(method: "POST", path: "/oauth/token", headers: headers), form: form)
  }

  func basic(_ raw: String) -> String { "Basic " + Data(raw.utf8).base64EncodedString() }

  @Test func basicCredentialsAreFormDecodedAfterBase64() throws {
    let plain = try read(authorization: basic("abc:s3cret"))
    #expect(plain.credentials == ClientCredentials(clientID: "abc", secret: "s3cret") && plain.usedBasic)
    // RFC 6749 §2.3.1: the id and secret are form-urlencoded first.
    let encoded = try read(authorization: basic("a%3Ab+c:p%25ss%3Aword+x"))
    #expect(encoded.credentials == ClientCredentials(clientID: "a:b c", secret: "p%ss:word x"))
    #expect(
      try read(authorization: "basic " + Data("x:y".utf8).base64EncodedString()).credentials?.clientID == "x")
    #expect(try read(authorization: basic("x:")).credentials == ClientCredentials(clientID: "x", secret: ""))
  }

  @Test func malformedBasicAuthenticatesNobody() throws {
    for header in ["Basic !!!", basic("no-colon"), basic(":secret"), basic("a%zz:b"), basic("a%00:b")] {
      let presented = try read(authorization: header)
      #expect(presented.credentials == nil && presented.usedBasic, "\(header)")
    }
  }

  @Test func bodyCredentialsAndPublicClients() throws {
    let post = try read(form: ["client_id": "abc", "client_secret": "s"])
    #expect(post.credentials == ClientCredentials(clientID: "abc", secret: "s") && !post.usedBasic)
    #expect(
      try read(form: ["client_id": "abc"]).credentials == ClientCredentials(clientID: "abc", secret: nil))
    #expect(try read().credentials == nil)
    // Another scheme is not client authentication.
    #expect(try read(authorization: "Bearer abc", form: ["client_id": "x"]).credentials?.clientID == "x")
    // A secret without an id authenticates nobody (401 later), like a wrong secret.
    #expect(try read(form: ["client_secret": "s"]).credentials == nil)
  }

  @Test func bothMethodsAtOnceAreRefused() {
    for form in [["client_id": "abc"], ["client_secret": "s"], ["client_id": "abc", "client_secret": "s"]] {
      #expect(throws: OAuthError.invalidRequest("use one client authentication method, not both")) {
        try read(authorization: basic("abc:s"), form: form)
      }
    }
  }
}
