import Foundation
import LatchkeyText
import Testing

@testable import LatchkeyDomain

@Suite struct UUIDParsingTests {
  @Test func agreesWithFoundationOnCanonicalForms() {
    for _ in 0..<200 {
      let id = UUID()
      #expect(UUID.parse(id.uuidString) == id)
      #expect(UUID.parse(id.uuidString.lowercased()) == id)
    }
  }

  @Test func rejectsEverythingElse() {
    let valid = "8865bb05-af4e-4862-aa46-2a3027be3867"
    #expect(UUID.parse(valid) != nil)
    for bad in [
      "", "8865bb05af4e4862aa462a3027be3867", "8865bb05-af4e-4862-aa46-2a3027be386", valid + "0",
      "8865bb05-af4e-4862-aa46_2a3027be3867", "g865bb05-af4e-4862-aa46-2a3027be3867",
      "{8865bb05-af4e-4862-aa46-2a3027be3867}", " 8865bb05-af4e-4862-aa46-2a3027be3867",
      "8865bb05-af4e-4862-aa46-2a3027be386é",
    ] {
      #expect(UUID.parse(bad) == nil, "\(bad)")
    }
  }

  @Test func lowercasedStringIsFoundationsLowercased() {
    for _ in 0..<200 {
      let id = UUID()
      #expect(id.lowercasedString == id.uuidString.lowercased())
    }
    let edge = UUID(uuid: (0, 0xFF, 0x0F, 0xF0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 0xAB, 0xCD))
    #expect(edge.lowercasedString == edge.uuidString.lowercased())
  }
}
