import Foundation
import LatchkeyCrypto
import Testing

@Suite struct Base64URLTests {
  @Test func knownEncodings() {
    #expect(Base64URL.encode([UInt8]()) == "")
    #expect(Base64URL.encode([0x66]) == "Zg")
    #expect(Base64URL.encode([0x66, 0x6F]) == "Zm8")
    #expect(Base64URL.encode([0x66, 0x6F, 0x6F]) == "Zm9v")
    #expect(Base64URL.encode(Array("foobar".utf8)) == "Zm9vYmFy")
    // The two characters that differ from standard base64.
    #expect(Base64URL.encode([0xFB, 0xFF, 0xBF]) == "-_-_")
  }

  @Test func decodesKnownValues() {
    #expect(Base64URL.decode("") == [])
    #expect(Base64URL.decode("Zg") == [0x66])
    #expect(Base64URL.decode("Zm8") == [0x66, 0x6F])
    #expect(Base64URL.decode("Zm9v") == [0x66, 0x6F, 0x6F])
    #expect(Base64URL.decode("-_-_") == [0xFB, 0xFF, 0xBF])
    #expect(Base64URL.decode("xZm9vx".dropFirst().dropLast()) == [0x66, 0x6F, 0x6F])
  }

  @Test(arguments: 0..<70)
  func roundTripsEveryLength(length: Int) {
    let input = SecureRandom.bytes(length)
    let encoded = Base64URL.encode(input)
    #expect(encoded.utf8.count == (length * 4 + 2) / 3)
    #expect(!encoded.contains("="))
    #expect(Base64URL.decode(encoded) == input)
    // Agrees with Foundation's codec after translating the alphabet.
    let foundation =
      input.isEmpty
      ? ""
      : Data(input).base64EncodedString()
        .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
        .replacingOccurrences(of: "=", with: "")
    #expect(encoded == foundation)
  }

  @Test(arguments: [
    "Zg==", "Zm8=", "Zg=", "=", "Zm9v\n", " Zm9v", "Zm 9v", "Zm9v\t", "ab+c", "ab/c", "Zm9v*", "Z", "Zm9vY",
    "Zh", "Zm9", "Zm-", "é", "Zm9v\0",
  ])
  func rejectsInvalid(text: String) {
    #expect(Base64URL.decode(text) == nil)
  }

  @Test func rejectsNonCanonicalTrailingBits() {
    // "Zg" is the canonical encoding of 0x66; "Zh".."Zv" decode to the same byte with stray low bits.
    #expect(Base64URL.decode("Zg") != nil)
    for last in "hijklmnopqrstuv" {
      #expect(Base64URL.decode("Z\(last)") == nil)
    }
    #expect(Base64URL.decode("Zm8") != nil)
    #expect(Base64URL.decode("Zm9") == nil)
    #expect(Base64URL.decode("Zm-") == nil)
  }

  @Test func appendWritesAfterExistingBytes() {
    var output = Array("x.".utf8)
    Base64URL.append(Array("foob".utf8), to: &output)
    #expect(String(decoding: output, as: UTF8.self) == "x.Zm9vYg")
  }
}
