import Testing

@testable import LatchkeyDomain

@Suite struct AuthorizationRedirectTests {
  static let issuer = "https://id.example"

  @Test func parametersStartTheQueryWhenThereIsNone() {
    #expect(
      AuthorizationRedirect.url("https://a.example/cb", adding: [("a", "1")]) == "https://a.example/cb?a=1")
    #expect(AuthorizationRedirect.url("https://a.example/cb", adding: []) == "https://a.example/cb")
  }

  @Test func anExistingQueryIsKept() {
    #expect(
      AuthorizationRedirect.url("https://a.example/cb?tenant=7", adding: [("a", "1"), ("b", "2")])
        == "https://a.example/cb?tenant=7&a=1&b=2")
    #expect(
      AuthorizationRedirect.url("https://a.example/cb?", adding: [("a", "1")]) == "https://a.example/cb?a=1")
    #expect(
      AuthorizationRedirect.url("https://a.example/cb?x=1&", adding: [("a", "1")])
        == "https://a.example/cb?x=1&a=1")
    #expect(
      AuthorizationRedirect.url("https://a.example/cb?next=/a?b", adding: [("a", "1")])
        == "https://a.example/cb?next=/a?b&a=1")
  }

  @Test func parametersGoBeforeAFragment() {
    #expect(
      AuthorizationRedirect.url("https://a.example/cb#top", adding: [("a", "1")])
        == "https://a.example/cb?a=1#top")
    #expect(
      AuthorizationRedirect.url("https://a.example/cb?x=1#t?y", adding: [("a", "1")])
        == "https://a.example/cb?x=1&a=1#t?y")
  }

  @Test func valuesArePercentEncodedSoTheyCannotAddParameters() {
    #expect(AuthorizationRedirect.formEncode("AZaz09-._~") == "AZaz09-._~")
    #expect(AuthorizationRedirect.formEncode("a b+c&d=e#f?g/h%") == "a%20b%2Bc%26d%3De%23f%3Fg%2Fh%25")
    #expect(AuthorizationRedirect.formEncode("\u{e9}\u{1F600}") == "%C3%A9%F0%9F%98%80")
    #expect(AuthorizationRedirect.formEncode("\r\n<>\"'") == "%0D%0A%3C%3E%22%27")
    #expect(
      AuthorizationRedirect.url("https://a.example/cb", adding: [("state", "x&code=evil")])
        == "https://a.example/cb?state=x%26code%3Devil")
  }

  @Test func successCarriesCodeStateAndIssuer() {
    #expect(
      AuthorizationRedirect.success(code: "c0de", redirectURI: "myapp:/cb", state: "s 1", issuer: Self.issuer)
        == "myapp:/cb?code=c0de&state=s%201&iss=https%3A%2F%2Fid.example")
    #expect(
      AuthorizationRedirect.success(code: "c0de", redirectURI: "myapp:/cb", state: nil, issuer: Self.issuer)
        == "myapp:/cb?code=c0de&iss=https%3A%2F%2Fid.example")
  }

  @Test func errorCarriesErrorDescriptionStateAndIssuer() {
    #expect(
      AuthorizationRedirect.error(
        .accessDenied("the user denied"), redirectURI: "https://a.example/cb?k=v", state: "st",
        issuer: Self.issuer)
        == "https://a.example/cb?k=v&error=access_denied&error_description=the%20user%20denied&state=st"
        + "&iss=https%3A%2F%2Fid.example")
  }

  @Test func aValidatedRequestBuildsItsOwnRedirects() {
    let request = ValidatedAuthorization(
      clientID: "app", redirectURI: "https://a.example/cb", redirectURIWasPresented: false, scopes: [],
      state: "q", codeChallenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", prompt: .noInteraction)
    #expect(
      request.errorRedirect(.loginRequired("sign-in required"), issuer: Self.issuer)
        == "https://a.example/cb?error=login_required&error_description=sign-in%20required&state=q"
        + "&iss=https%3A%2F%2Fid.example")
    #expect(
      request.successRedirect(code: "abc", issuer: Self.issuer)
        == "https://a.example/cb?code=abc&state=q&iss=https%3A%2F%2Fid.example")
  }

  @Test(arguments: [
    "https://app.example/callback", "http://127.0.0.1:8765/cb", "http://[::1]/cb", "com.example.app:/oauth",
    "https://app.example/cb?tenant=1",
  ])
  func registrableURIs(uri: String) {
    #expect(AuthorizationRedirect.isRegistrable(uri))
  }

  @Test(arguments: [
    "", "/callback", "app.example/callback", "https://app.example/cb#frag", "https://app.example/c b",
    "javascript:alert(1)", "JavaScript:alert(1)", "data:text/html,x", "vbscript:x", "file:///etc/passwd",
    "1https://x", "https:", ":foo", "https://app.example/\u{e9}", "https://app.example/\n",
  ])
  func unregistrableURIs(uri: String) {
    #expect(!AuthorizationRedirect.isRegistrable(uri))
  }
}
