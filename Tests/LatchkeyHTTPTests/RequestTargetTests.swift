import Foundation
import LatchkeyHTTP
import LatchkeyTesting
import Testing

/// The request target is decoded strictly and routed by segment: nothing is
/// ever routed on a prefix cut off at a NUL, nor on an encoded separator.
@Suite struct RequestTargetTests {
  @Test(arguments: [
    ("/", [""], "/"),
    ("/healthz", ["healthz"], "/healthz"),
    ("/items/a%20b", ["items", "a b"], "/items/a b"),
    ("/items/a%2Fb", ["items", "a/b"], "/items/a/b"),
    ("/api%2Fme", ["api/me"], "/api/me"),
    ("/caf%C3%A9?x=%41", ["café"], "/café"),
    ("/login/", ["login", ""], "/login/"),
    ("/%2e%2e/x", ["..", "x"], "/../x"),
    ("//a//", ["", "a", "", ""], "//a//"),
    ("/a b/~!$&'()*+,;=:@", ["a b", "~!$&'()*+,;=:@"], "/a b/~!$&'()*+,;=:@"),
  ])
  func decodesBySegment(_ raw: String, _ segments: [String], _ path: String) throws {
    let target = try RequestTarget.parse(Array(raw.utf8))
    #expect(target.segments == segments)
    #expect(target.path == path)
  }

  /// Plain printable ASCII takes a shortcut: it must decode exactly as the same byte sent
  /// percent-encoded does, in every position of a segment.
  @Test func plainBytesDecodeAsTheirEscapes() throws {
    for byte in UInt8(0x20)..<0x7F
    where ![UInt8(ascii: "/"), UInt8(ascii: "?"), UInt8(ascii: "%")].contains(byte) {
      let hex = String(byte, radix: 16, uppercase: true)
      for (plain, escaped) in [
        ([byte], "%" + hex), ([UInt8(ascii: "a"), byte], "a%" + hex),
        ([byte, UInt8(ascii: "b")], "%" + hex + "b"),
      ] {
        let raw = try RequestTarget.parse(Array("/x/".utf8) + plain + Array("//y?q=1".utf8))
        let decoded = try RequestTarget.parse(Array("/x/\(escaped)//y?q=1".utf8))
        #expect(raw == decoded, "\(byte)")
        #expect(raw.segments.count == 4)
      }
    }
  }

  @Test(arguments: [
    "/healthz%00x", "/api/me%00", "/%00", "/a?b=%00", "/bad%zz", "/bad%4", "/bad%", "/x%0Ay", "/x%7F",
    "/%C0%AE%C0%AE/x", "/%C0%AF", "/%E0%80%AE", "/%FF", "/%ED%A0%80", "healthz", "", "*", "?x",
  ])
  func refuses(_ raw: String) {
    #expect(throws: HTTPError.self) { try RequestTarget.parse(Array(raw.utf8)) }
  }

  @Test func refusesARawNUL() {
    #expect(throws: HTTPError.self) {
      try RequestTarget.parse(Array("/healthz".utf8) + [0] + Array("x".utf8))
    }
    #expect(throws: HTTPError.self) { try RequestTarget.parse(Array("/".utf8) + [0xC0, 0xAE]) }
  }

  @Test func encodedSlashNeverRoutesAsASeparator() {
    var router = Router()
    router.add("GET", "/api/me", execution: .inline) { _ in Response.noContent() }
    router.add("GET", "/items/{id}", execution: .inline) { _ in Response.noContent() }
    guard case .notFound = router.match(method: "GET", segments: ["api/me"]) else {
      Issue.record("/api%2Fme routed")
      return
    }
    guard case .found(_, let parameters) = router.match(method: "GET", segments: ["items", "a/b"]) else {
      Issue.record("an encoded slash in a parameter did not route")
      return
    }
    #expect(parameters["id"] == "a/b")
  }

  @Test func routesMatchByBytesNotByUnicodeEquivalence() {
    var router = Router()
    router.add("GET", "/api/Keys", execution: .inline) { _ in Response.noContent() }
    router.add("GET", "/caf\u{E9}", execution: .inline) { _ in Response.noContent() }
    // U+212A KELVIN SIGN is canonically equivalent to "K"; a decomposed é to "é".
    for segments in [["api", "\u{212A}eys"], ["cafe\u{301}"]] {
      guard case .notFound = router.match(method: "GET", segments: segments) else {
        Issue.record("\(segments) routed")
        continue
      }
    }
    guard case .found = router.match(method: "GET", segments: ["api", "Keys"]) else {
      Issue.record("the exact path did not route")
      return
    }
    // A combining mark after "/" does not hide the separator.
    #expect(Request(method: "GET", path: "/a/\u{301}b").pathSegments == ["a", "\u{301}b"])
  }

  // MARK: - Over the wire

  func rawStatus(_ port: UInt16, _ requestLine: [UInt8]) throws -> Int? {
    let connection = try RawConnection(port: port, receiveTimeoutSeconds: 10)
    try connection.send(requestLine + Array("\r\nHost: x\r\nConnection: close\r\n\r\n".utf8))
    return statusCode(of: connection.readToEnd().bytes)
  }

  func server() throws -> HTTPServer {
    try startServer { router in
      standardRoutes(&router)
      router.add("GET", "/healthz", execution: .inline) { _ in Response.noContent() }
      router.add("GET", "/api/me", execution: .inline) { _ in Response.noContent() }
    }
  }

  @Test func nulInThePathIsRefusedNotRoutedOnAPrefix() throws {
    let server = try server()
    defer { server.stop() }
    let port = server.port
    #expect(try rawStatus(port, Array("GET /healthz HTTP/1.1".utf8)) == 204)
    #expect(try rawStatus(port, Array("GET /healthz%00x HTTP/1.1".utf8)) == 400)
    #expect(try rawStatus(port, Array("GET /api/me%00 HTTP/1.1".utf8)) == 400)
    #expect(try rawStatus(port, Array("GET /healthz?x=%00 HTTP/1.1".utf8)) == 400)
    #expect(try rawStatus(port, Array("GET /healthz".utf8) + [0] + Array("x HTTP/1.1".utf8)) == 400)
    #expect(try rawStatus(port, Array("GET".utf8) + [0] + Array("X /healthz HTTP/1.1".utf8)) != 204)
    #expect(eventually { server.activeRequests == 0 })
  }

  @Test func encodedSeparatorsAndOverlongFormsAreNeverRouted() throws {
    let server = try server()
    defer { server.stop() }
    let port = server.port
    #expect(try rawStatus(port, Array("GET /api%2Fme HTTP/1.1".utf8)) == 404)
    #expect(try rawStatus(port, Array("GET /api%2fme HTTP/1.1".utf8)) == 404)
    #expect(try rawStatus(port, Array("GET /api%C0%AFme HTTP/1.1".utf8)) == 400)
    #expect(try rawStatus(port, Array("GET /api/%C0%AE%C0%AE/api/me HTTP/1.1".utf8)) == 400)
    #expect(try rawStatus(port, Array("GET /items/%FF HTTP/1.1".utf8)) == 400)
    #expect(try rawStatus(port, Array("GET /items/bad%zz HTTP/1.1".utf8)) == 400)
    // Encoded as data inside a parameter: fine.
    let response = try fetch(port, "GET", "/items/a%2Fb")
    #expect(response.status == 200)
    #expect(response.json["id"] as? String == "a/b")
    #expect(try fetch(port, "GET", "/items/caf%C3%A9").json["id"] as? String == "café")
  }
}
