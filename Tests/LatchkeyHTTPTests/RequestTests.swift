import Foundation
import LatchkeyHTTP
import LatchkeyJSON
import Testing

/// `Request` parsing helpers: JSON bodies (docs/api.md#request-bodies), cookies, bearer tokens.
@Suite struct RequestTests {
  struct Credentials: Decodable {
    let email: String
    let password: String
  }

  static let secret = "s3cr3t-Pa55word-do-not-echo"

  func post(_ body: String, contentType: String?) -> Request {
    var headers: [(name: String, value: String)] = []
    if let contentType { headers.append((name: "Content-Type", value: contentType)) }
    return Request(method: "POST", path: "/login", headers: headers, body: Array(body.utf8))
  }

  func decodeError(_ body: String, contentType: String? = "application/json") -> HTTPError? {
    do {
      _ = try post(body, contentType: contentType).decodeJSON(Credentials.self)
      return nil
    } catch {
      return error
    }
  }

  let valid = #"{"email":"a@example.com","password":"\#(secret)"}"#

  @Test func decodesWithJSONContentType() throws {
    for type in [
      "application/json", "application/json; charset=utf-8", "Application/JSON",
      "application/json;charset=UTF-8",
    ] {
      let credentials = try post(valid, contentType: type).decodeJSON(Credentials.self)
      #expect(credentials.email == "a@example.com")
      #expect(credentials.password == Self.secret)
    }
  }

  @Test func wrongOrMissingContentTypeIs415() {
    for type in [
      nil, "text/plain", "application/x-www-form-urlencoded", "application/jsonx", "", "multipart/form-data",
    ] {
      let error = decodeError(valid, contentType: type)
      #expect(error?.status == 415, "content type \(type ?? "none")")
      #expect(error?.code == "unsupported_media_type")
    }
  }

  @Test func malformedJSONIs400() {
    for body in [
      "", "{", "not json", #"{"email":"a@example.com","password":"\#(Self.secret)""#, "[1,2]", "null",
    ] {
      let error = decodeError(body)
      #expect(error?.status == 400, "body \(body)")
      #expect(error?.code == "invalid_request")
      #expect(error?.description.contains(Self.secret) == false)
    }
  }

  @Test func wrongFieldTypeIs400NamingTheFieldNotTheValue() throws {
    let error = try #require(decodeError(#"{"email":"a@example.com","password":31337424242}"#))
    #expect(error.status == 400)
    #expect(error.description.contains("password"))
    #expect(!error.description.contains("31337424242"))

    let asObject = try #require(decodeError(#"{"email":"a@example.com","password":{"v":"\#(Self.secret)"}}"#))
    #expect(asObject.status == 400)
    #expect(!asObject.description.contains(Self.secret))

    let asNull = try #require(decodeError(#"{"email":"a@example.com","password":null}"#))
    #expect(asNull.status == 400)
  }

  @Test func missingFieldIs400() throws {
    let error = try #require(decodeError(#"{"email":"a@example.com"}"#))
    #expect(error.status == 400)
    #expect(error.code == "invalid_request")
    #expect(error.description.contains("password"))
    #expect(!error.description.contains("a@example.com"))
  }

  @Test func invalidUTF8Is400() {
    var request = post("", contentType: "application/json")
    request.body = Array(#"{"email":"a@example.com","password":""#.utf8) + [0xFF, 0xFE] + Array(#""}"#.utf8)
    #expect(throws: HTTPError.self) { try request.decodeJSON(Credentials.self) }
  }

  @Test func cookiesParse() {
    let request = Request(
      method: "GET", path: "/",
      headers: [
        (name: "Cookie", value: "a=1; b = two ; quoted=\"q v\""), (name: "cookie", value: "a=shadowed; c=3"),
        (name: "Cookie", value: "novalue; =empty"),
      ])
    let cookies = request.cookies
    #expect(cookies["a"] == "1")
    #expect(cookies["b"] == "two")
    #expect(cookies["quoted"] == "q v")
    #expect(cookies["c"] == "3")
    #expect(cookies[""] == nil)
    #expect(cookies["novalue"] == nil)
  }

  @Test func bearerToken() {
    func bearer(_ value: String?) -> String? {
      Request(method: "GET", path: "/", headers: value.map { [(name: "Authorization", value: $0)] } ?? [])
        .bearerToken
    }
    #expect(bearer("Bearer abc.def") == "abc.def")
    #expect(bearer("bearer abc") == "abc")
    #expect(bearer("BEARER   abc ") == "abc")
    #expect(bearer("Basic abc") == nil)
    #expect(bearer("Bearer") == nil)
    #expect(bearer("Bearer ") == nil)
    #expect(bearer(nil) == nil)
  }

  @Test func headerLookupIsCaseInsensitive() {
    let request = Request(method: "GET", path: "/", headers: [(name: "X-Thing", value: "1")])
    #expect(request.header("x-thing") == "1")
    #expect(request.header("X-THING") == "1")
  }

  @Test func jsonTextEscapes() throws {
    let bytes = JSONText.object([("k", "quote\" back\\ nl\n tab\t ctl\u{01} é")])
    let object = try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: String])
    #expect(object["k"] == "quote\" back\\ nl\n tab\t ctl\u{01} é")
  }
}

/// Which address is the client's: `LATCHKEY_TRUSTED_PROXIES` (docs/operations.md#reverse-proxies).
@Suite struct ClientAddressResolverTests {
  func resolve(_ trusted: [String], peer: String, forwarded: [String]) -> String {
    let resolver = ClientAddressResolver(trusted: trusted.compactMap(AddressRange.init(parsing:)))
    let request = Request(
      method: "GET", path: "/", headers: forwarded.map { (name: "X-Forwarded-For", value: $0) },
      peerAddress: peer)
    return resolver.clientAddress(for: request)
  }

  @Test func untrustedPeerIgnoresForwardedFor() {
    #expect(resolve([], peer: "203.0.113.9", forwarded: ["1.2.3.4"]) == "203.0.113.9")
    #expect(resolve(["10.0.0.0/8"], peer: "203.0.113.9", forwarded: ["1.2.3.4"]) == "203.0.113.9")
  }

  @Test func trustedIPv4ProxyTakesRightMostUntrustedHop() {
    let trusted = ["10.0.0.0/8", "192.168.1.1"]
    #expect(resolve(trusted, peer: "10.1.2.3", forwarded: ["198.51.100.7"]) == "198.51.100.7")
    // The left part is whatever the client wrote; the right-most untrusted hop is the one a proxy saw.
    #expect(
      resolve(trusted, peer: "10.1.2.3", forwarded: ["6.6.6.6, 198.51.100.7, 10.9.9.9"]) == "198.51.100.7")
    #expect(resolve(trusted, peer: "192.168.1.1", forwarded: ["6.6.6.6", "198.51.100.7"]) == "198.51.100.7")
    // No header: the proxy itself.
    #expect(resolve(trusted, peer: "10.1.2.3", forwarded: []) == "10.1.2.3")
  }

  @Test func trustedIPv6ProxyTakesRightMostUntrustedHop() {
    let trusted = ["fd00::/8", "::1"]
    #expect(resolve(trusted, peer: "fd12::5", forwarded: ["2001:db8::1, fd00::9"]) == "2001:db8::1")
    #expect(resolve(trusted, peer: "::1", forwarded: ["203.0.113.5"]) == "203.0.113.5")
    #expect(resolve(trusted, peer: "2001:db8::66", forwarded: ["203.0.113.5"]) == "2001:db8::66")
  }

  @Test func garbageHopFallsBackToThePeer() {
    let trusted = ["10.0.0.0/8"]
    #expect(resolve(trusted, peer: "10.0.0.1", forwarded: ["198.51.100.7, not-an-ip"]) == "10.0.0.1")
    #expect(resolve(trusted, peer: "10.0.0.1", forwarded: ["<script>"]) == "10.0.0.1")
    #expect(resolve(trusted, peer: "10.0.0.1", forwarded: ["1.2.3.4:5678"]) == "10.0.0.1")
  }

  @Test func allTrustedHopsGiveTheLeftMost() {
    let trusted = ["10.0.0.0/8"]
    #expect(resolve(trusted, peer: "10.0.0.1", forwarded: ["10.0.0.5, 10.0.0.6"]) == "10.0.0.5")
  }

  @Test func addressRanges() throws {
    let v4 = try #require(AddressRange(parsing: "192.168.0.0/16"))
    #expect(v4.contains("192.168.255.1"))
    #expect(!v4.contains("192.169.0.1"))
    #expect(v4.contains("::ffff:192.168.1.1"))  // IPv4-mapped IPv6 is the same host
    #expect(!v4.contains("fd00::1"))
    let odd = try #require(AddressRange(parsing: "10.0.0.0/9"))
    #expect(odd.contains("10.127.0.1"))
    #expect(!odd.contains("10.128.0.1"))
    let v6 = try #require(AddressRange(parsing: "2001:db8::/32"))
    #expect(v6.contains("2001:db8:ffff::1"))
    #expect(!v6.contains("2001:db9::1"))
    let everything = try #require(AddressRange(parsing: "0.0.0.0/0"))
    #expect(everything.contains("8.8.8.8"))
    #expect(AddressRange(parsing: "10.0.0.0/33") == nil)
    #expect(AddressRange(parsing: "::/129") == nil)
    #expect(AddressRange(parsing: "example.com") == nil)
    #expect(AddressRange(parsing: "10.0.0.0/x") == nil)
    #expect(AddressRange(parsing: "") == nil)
  }
}

/// Cookie separators are found as Unicode scalars, whatever precedes them.
@Suite struct CookieSeparatorTests {
  @Test func aPrependingScalarDoesNotHideTheSeparator() {
    // U+0600 joins the `;` after it into one Character.
    let request = Request(method: "GET", path: "/", headers: [("Cookie", "a=x\u{600};b=y; c\u{600}=z")])
    #expect(request.cookies["a"] == "x\u{600}")
    #expect(request.cookies["b"] == "y")
    #expect(request.cookies["c\u{600}"] == "z")
    #expect(request.cookies.values.allSatisfy { !$0.unicodeScalars.contains(";") })
  }
}

/// `cookie(_:)` reads bytes where `cookies` reads scalars; both must give
/// the same answer for every name, whatever the header holds.
@Suite struct SingleCookieTests {
  @Test func agreesWithTheDictionary() {
    let headers: [[(name: String, value: String)]] = [
      [
        ("cookie", "a=1; b = two ; quoted=\"q v\""), ("cookie", "a=shadowed; c=3"),
        ("cookie", "novalue; =empty"),
      ],
      [("cookie", "a=x\u{600};b=y; c\u{600}=z")],
      [("cookie", "\u{3000}a\u{3000}=\u{3000}v\u{3000}; b=\u{A0}\"q\"\u{A0}; c=\"\u{3000}")],
      [("cookie", "\t a \t=\t\"\" ; b=\"; c=\"x\"\"; d==e; e=f=g; ;;  ; =")],
      [("cookie", "K=kelvin; \u{212A}=sign; e\u{301}=acute; \u{E9}=composed")],
      [("cookie", "")], [],
    ]
    let names = [
      "a", "b", "c", "d", "e", "quoted", "novalue", "", "K", "\u{212A}", "\u{E9}", "e\u{301}", "c\u{600}",
    ]
    for list in headers {
      let request = Request(method: "GET", path: "/", headers: list)
      let cookies = request.cookies
      for name in names {
        #expect(request.cookie(name) == cookies[name], "\(name) in \(list)")
      }
    }
  }
}

/// JSONText scans eight bytes at a time: every byte that needs escaping is
/// found at every offset of a word, and nothing else is.
@Suite struct JSONTextScanTests {
  @Test func findsEscapesAtEveryOffset() {
    func reference(_ text: String) -> String {
      var out = "\""
      for byte in text.utf8 {
        switch byte {
        case 0x22: out += "\\\""
        case 0x5C: out += "\\\\"
        case 0x0A: out += "\\n"
        case 0x0D: out += "\\r"
        case 0x09: out += "\\t"
        case 0..<0x20: out += String(format: "\\u%04x", byte)
        default: out += String(decoding: [byte], as: UTF8.self)
        }
      }
      return out + "\""
    }
    let specials: [UInt8] = [0x00, 0x01, 0x09, 0x0A, 0x1F, 0x22, 0x5C]
    let plain: [UInt8] = [0x20, 0x21, 0x23, 0x5B, 0x5D, 0x7E, 0x7F, 0x41]
    for length in 1..<24 {
      for position in 0..<length {
        for special in specials {
          var bytes = (0..<length).map { plain[$0 % plain.count] }
          bytes[position] = special
          let text = String(decoding: bytes, as: UTF8.self)
          #expect(JSONText.escaped(text) == reference(text), "\(bytes)")
        }
      }
      let clean = String(decoding: (0..<length).map { plain[$0 % plain.count] }, as: UTF8.self)
      #expect(JSONText.escaped(clean) == "\"" + clean + "\"")
    }
    let accented = "é€😀 é€😀 é€😀"
    #expect(JSONText.escaped(accented) == "\"" + accented + "\"")
  }
}

/// A fixed-key shape writes what `object` writes for the same pairs.
@Suite struct JSONTextShapeTests {
  @Test func rendersLikeObject() {
    let keys = ["id", "e\"mail", "role", "session_id"]
    let shape = JSONText.Shape(keys)
    for values in [
      ["a", "b", "c", "d"], ["", "quote\" back\\ nl\n", "é€😀", "\u{01}"],
      ["8865bb05-af4e-4862-aa46-2a3027be3867", "user@example.com", "user", "x"],
    ] {
      #expect(shape.render(values) == JSONText.object(Array(zip(keys, values))))
    }
    #expect(JSONText.Shape(["only"]).render(["v"]) == JSONText.object([("only", "v")]))
    #expect(JSONText.Shape([]).render([]) == JSONText.object([]))
  }
}
