import Testing

@testable import LatchkeyDomain

@Suite struct UserCodeTests {
  @Test(arguments: [
    "BCDF-GHJK", "BCDFGHJK", "bcdf-ghjk", "bcdfghjk", "BcDf-gHjK", "bCdFgHjK",
  ])
  func acceptedSpellings(input: String) {
    let code = UserCode(normalizing: input)
    #expect(code?.normalized == "BCDFGHJK")
    #expect(code?.display == "BCDF-GHJK")
    #expect(code?.description == "BCDF-GHJK")
  }

  @Test(arguments: [
    "", "BCDF-GHJ", "BCDFGHJ", "BCDF-GHJKL", "BCDFGHJKL", "BCD-FGHJK", "BCDFG-HJK", "-BCDFGHJK", "BCDFGHJK-",
    "BCDF--GHJK", "BCDF GHJK", " BCDFGHJK", "BCDFGHJK ", "BCDF_GHJK", "BCDF\u{2010}GHJK",
    "ABCD-FGHJ", "BCDE-FGHJ", "BCDF-GHIJ", "BCDF-GHJO", "BCDF-GHJU", "BCDF-GHJY", "BCDF-GHJ1", "BCDF-GHJ0",
    "\u{FF22}CDF-GHJK", "\u{1D401}CDF-GHJK", "\u{0421}CDF-GHJK", "BCDF-GHJ\u{0}", "BCDFGHJ\u{301}",
  ])
  func rejectedSpellings(input: String) {
    #expect(UserCode(normalizing: input) == nil)
  }

  @Test func everyLetterOfTheAlphabetIsAcceptedInBothCases() {
    #expect(String(decoding: UserCode.alphabet, as: UTF8.self) == "BCDFGHJKLMNPQRSTVWXZ")
    for letter in UserCode.alphabet {
      let upper = String(repeating: String(UnicodeScalar(letter)), count: 8)
      #expect(UserCode(normalizing: upper)?.normalized == upper)
      #expect(UserCode(normalizing: upper.lowercased())?.normalized == upper)
    }
  }

  @Test func everyOtherASCIICharacterIsRejected() {
    let allowed = Set(UserCode.alphabet + UserCode.alphabet.map { $0 + 0x20 })
    for byte in UInt8(0)...UInt8(127) where !allowed.contains(byte) {
      let input = "BCDFGHJ" + String(UnicodeScalar(byte))
      #expect(UserCode(normalizing: input) == nil, "byte \(byte)")
    }
  }

  @Test func generatedCodesUseTheScriptedBytes() {
    // 0 → B, 19 → Z, 20 → B again (mod 20), 239 → Z: the largest byte kept.
    let random = ScriptedRandom([0, 19, 20, 239, 1, 2, 3, 4])
    let code = UserCode.generate(random: random)
    #expect(code.normalized == "BZBZCDFG")
    #expect(code.display == "BZBZ-CDFG")
    #expect(random.requestedCounts == [8])
  }

  @Test func biasedBytesAreDroppedAndMoreAreDrawn() {
    // 240...255 would favour the first 16 letters; they are skipped and only the shortfall is asked for.
    let random = ScriptedRandom([240, 0, 255, 1, 2, 3, 4, 5, 250, 6, 7, 8])
    let code = UserCode.generate(random: random)
    #expect(code.normalized == "BCDFGHJK")
    #expect(random.requestedCounts == [8, 2, 1])
  }

  @Test func generationIsUniformOverEveryKeptByte() {
    var counts = [UInt8: Int]()
    let bytes = (0..<240).map { UInt8($0) }
    let random = ScriptedRandom(bytes)
    for _ in 0..<30 {
      for letter in UserCode.generate(random: random).normalized.utf8 { counts[letter, default: 0] += 1 }
    }
    #expect(counts.count == 20)
    #expect(counts.values.allSatisfy { $0 == 12 })
  }

  @Test func verificationURICompleteCarriesTheDisplayedCode() {
    let code = UserCode(normalizing: "bcdfghjk")!
    #expect(
      code.verificationURIComplete("https://id.example/device")
        == "https://id.example/device?user_code=BCDF-GHJK")
  }
}
