import LatchkeyHTTP
import Testing

@Suite struct FormBodyTests {
  func parse(_ text: String) throws -> [String: String] {
    try FormBody.parse(Array(text.utf8))
  }

  @Test func parsesOAuthStyleBodies() throws {
    #expect(
      try parse("grant_type=refresh_token&refresh_token=abc.def-ghi_~&scope=read+write")
        == ["grant_type": "refresh_token", "refresh_token": "abc.def-ghi_~", "scope": "read write"])
    #expect(
      try parse("redirect_uri=https%3A%2F%2Fapp.example%2Fcb%3Fa%3D1") == [
        "redirect_uri": "https://app.example/cb?a=1"
      ])
    #expect(
      try parse("name=caf%C3%A9&plus=%2B&space=a%20b") == ["name": "café", "plus": "+", "space": "a b"])
  }

  @Test func emptyPiecesAndValues() throws {
    #expect(try parse("") == [:])
    #expect(try parse("&&a=1&&") == ["a": "1"])
    #expect(try parse("a=&b") == ["a": "", "b": ""])
    #expect(try parse("a==b") == ["a": "=b"])
  }

  @Test(arguments: [
    "a=1&a=2", "a=1&a", "a%3D=1&a%3d=2", "=x", "%zz=1", "a=%4", "a=%", "a=%G0", "a=%00", "a%00=1", "a=%FF",
    "a=%C0%AE", "a=%ED%A0%80", "a=%C3",
  ])
  func refusesMalformedBodies(_ text: String) {
    #expect(throws: HTTPError.self) { try parse(text) }
  }

  @Test func refusesRawInvalidUTF8AndNUL() {
    #expect(throws: HTTPError.self) { try FormBody.parse([UInt8(ascii: "a"), UInt8(ascii: "="), 0xFF]) }
    #expect(throws: HTTPError.self) { try FormBody.parse([UInt8(ascii: "a"), UInt8(ascii: "="), 0]) }
  }

  @Test func isBounded() throws {
    let many = (0..<65).map { "k\($0)=v" }.joined(separator: "&")
    #expect(throws: HTTPError.self) { try parse(many) }
    #expect(try parse((0..<64).map { "k\($0)=v" }.joined(separator: "&")).count == 64)
    #expect(throws: HTTPError.self) {
      try FormBody.parse(Array(repeating: UInt8(ascii: "a"), count: 16 * 1024 + 1))
    }
  }

  @Test func errorsNeverEchoNamesOrValues() {
    for text in ["secret=hunter2&secret=x", "hunter2=%zz", "p=hunter2%FF"] {
      do throws(HTTPError) {
        _ = try FormBody.parse(Array(text.utf8))
        Issue.record("accepted \(text)")
      } catch {
        #expect(error.status == 400)
        #expect(!error.description.contains("hunter2") && !error.description.contains("secret"))
      }
    }
  }

  @Test func encodeRoundTrips() throws {
    let fields = [(name: "a b", value: "x+y&z=é"), (name: "empty", value: ""), (name: "~._-", value: "%")]
    let parsed = try FormBody.parse(FormBody.encode(fields))
    #expect(parsed == ["a b": "x+y&z=é", "empty": "", "~._-": "%"])
  }

  @Test func requestDecodeFormChecksTheContentType() throws {
    let body = Array("a=1".utf8)
    let form = Request(
      method: "POST", path: "/t",
      headers: [("Content-Type", "application/x-www-form-urlencoded; charset=UTF-8")],
      body: body)
    #expect(try form.decodeForm() == ["a": "1"])
    let json = Request(
      method: "POST", path: "/t", headers: [("Content-Type", "application/json")], body: body)
    #expect(throws: HTTPError.self) { try json.decodeForm() }
    do throws(HTTPError) {
      _ = try json.decodeForm()
    } catch {
      #expect(error.status == 415)
    }
  }

  @Test func unrecognizedParametersAreIgnoredEvenWhenRepeated() throws {
    let body = Array("x=1&x=2&=null&grant_type=client_credentials&y".utf8)
    #expect(try FormBody.parse(body, recognized: ["grant_type"]) == ["grant_type": "client_credentials"])
    #expect(throws: HTTPError.self) { try FormBody.parse(Array("a=1&a=2".utf8), recognized: ["a"]) }
    // An unrecognized parameter is skipped unread; a recognized one is decoded strictly.
    #expect(try FormBody.parse(Array("x=%zz&a=1".utf8), recognized: ["a"]) == ["a": "1"])
    #expect(throws: HTTPError.self) { try FormBody.parse(Array("a=%zz".utf8), recognized: ["a"]) }
    #expect(throws: HTTPError.self) { try FormBody.parse(Array("a=%00".utf8), recognized: ["a"]) }
    #expect(try FormBody.parse(Array("a=%00".utf8), recognized: ["a"], allowNUL: true) == ["a": "\u{0}"])
  }
}
