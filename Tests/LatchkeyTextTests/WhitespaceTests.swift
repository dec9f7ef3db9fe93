import Foundation
import LatchkeyText
import Testing

/// The trimming replaced Foundation's `trimmingCharacters(in:)`: it must give the same strings.
@Suite struct WhitespaceTests {
  @Test func theSetsAreFoundations() {
    for value in 0...0x10FFFF {
      guard let scalar = Unicode.Scalar(value) else { continue }
      #expect(scalar.isTrimmableWhitespace == CharacterSet.whitespaces.contains(scalar), "U+\(value)")
      #expect(
        scalar.isTrimmableWhitespaceOrNewline == CharacterSet.whitespacesAndNewlines.contains(scalar),
        "U+\(value)")
    }
  }

  @Test func trimmingMatchesFoundation() {
    var samples = [
      "", " ", "\t", " a ", "\r\n", "a \r\n", " \u{301}a ", "\u{2028}x\u{85}", "\u{200B}y\u{3000}",
      "é\u{A0}", "\t\r\n x \r\n", " 😀 ", "a\u{301} ", "  \u{2029}",
    ]
    // Random strings from an alphabet of trimmable, combining and ordinary scalars.
    let alphabet: [Unicode.Scalar] = [
      " ", "\t", "\n", "\r", "\u{0B}", "\u{85}", "\u{A0}", "\u{2028}", "\u{200B}", "\u{301}", "a", "é", "😀",
      "\u{FEFF}", "\u{3000}",
    ]
    var generator = SystemRandomNumberGenerator()
    for _ in 0..<5000 {
      var scalars = String.UnicodeScalarView()
      for _ in 0..<Int.random(in: 0...8, using: &generator) {
        scalars.append(alphabet.randomElement(using: &generator)!)
      }
      samples.append(String(scalars))
    }
    for sample in samples {
      #expect(sample.trimmingWhitespace() == sample.trimmingCharacters(in: .whitespaces))
      #expect(
        sample.trimmingWhitespaceAndNewlines() == sample.trimmingCharacters(in: .whitespacesAndNewlines))
      let sub = sample.dropFirst(0)
      #expect(sub.trimmingWhitespace() == sub.trimmingCharacters(in: .whitespaces))
    }
  }
}
