import Foundation
import Testing

@testable import LatchkeyJWT

@Suite struct JSONScannerTests {
  static func isValid(_ text: String) -> Bool {
    isValid(Array(text.utf8))
  }

  static func isValid(_ bytes: [UInt8]) -> Bool {
    bytes.withUnsafeBufferPointer { buffer in
      var scanner = JSONScanner(buffer)
      do throws(JSONSyntaxError) {
        try scanner.skipValue()
        try scanner.finish()
        return true
      } catch {
        return false
      }
    }
  }

  @Test(arguments: [
    "{}", "[]", " { } ", #"{"a":1}"#, #"{"a":[1,2,{"b":null}],"c":true,"d":false}"#, "0", "-0", "1.5e-3",
    "1E+2", #""\u00e9\ud83d\udd11\n\"\\\/""#, "[[[]]]", #"{"":""}"#, "\"é🔑\"",
  ])
  func acceptsValidJSON(text: String) {
    #expect(Self.isValid(text))
    // Cross-check with Foundation so the accepted set is really JSON.
    #expect((try? JSONSerialization.jsonObject(with: Data(text.utf8), options: .fragmentsAllowed)) != nil)
  }

  @Test(arguments: [
    "", "{", "}", "[1,]", "[,1]", "{,}", #"{"a":1,}"#, #"{"a" 1}"#, #"{a:1}"#, "{'a':1}", "01", "1.", ".5",
    "-",
    "1e", "+1", "tru", "nul", "True", "[1 2]", #""abc"#, #""\x""#, #""\u12""#, #""\ud800""#, #""\udc00""#,
    #""\ud800\u0041""#, "\"a\tb\"", "{}{}", "{} x", "NaN", "Infinity",
    String(repeating: "[", count: 40) + String(repeating: "]", count: 40),
  ])
  func rejectsInvalidJSON(text: String) {
    #expect(!Self.isValid(text))
  }

  @Test func rejectsInvalidUTF8() {
    for bad: [UInt8] in [
      [0x22, 0xC3, 0x28, 0x22], [0x22, 0xC0, 0xAF, 0x22], [0x22, 0xED, 0xA0, 0x80, 0x22],
      [0x22, 0xF4, 0x90, 0x80, 0x80, 0x22], [0x22, 0xE2, 0x82, 0x22], [0x22, 0xFF, 0x22],
    ] {
      #expect(!Self.isValid(bad), "\(bad)")
    }
    #expect(Self.isValid([0x22, 0xE2, 0x82, 0xAC, 0x22]))
  }

  @Test func integersAreExact() {
    func number(_ text: String) -> JSONNumber? {
      Array(text.utf8).withUnsafeBufferPointer { buffer in
        var scanner = JSONScanner(buffer)
        return try? scanner.readNumber()
      }
    }
    guard case .integer(let max) = number("9223372036854775807") else {
      Issue.record("max")
      return
    }
    #expect(max == .max)
    guard case .integer(let min) = number("-9223372036854775808") else {
      Issue.record("min")
      return
    }
    #expect(min == .min)
    guard case .nonInteger = number("9223372036854775808") else {
      Issue.record("overflow")
      return
    }
    guard case .nonInteger = number("1.0") else {
      Issue.record("fraction")
      return
    }
    guard case .nonInteger = number("1e3") else {
      Issue.record("exponent")
      return
    }
  }
}
