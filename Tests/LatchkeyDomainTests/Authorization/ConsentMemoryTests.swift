import Testing

@testable import LatchkeyDomain

@Suite struct ConsentMemoryTests {
  @Test func aSupersetIsCovered() {
    #expect(ConsentMemory.covers(granted: ["read", "write"], requested: ["read"]))
    #expect(ConsentMemory.covers(granted: ["read", "write"], requested: ["write", "read"]))
    #expect(ConsentMemory.covers(granted: ["read"], requested: ["read", "read"]))
    #expect(ConsentMemory.covers(granted: ["read"], requested: []))
    #expect(ConsentMemory.covers(granted: [], requested: []))
  }

  @Test func anythingNewIsNotCovered() {
    #expect(!ConsentMemory.covers(granted: ["read"], requested: ["read", "write"]))
    #expect(!ConsentMemory.covers(granted: [], requested: ["read"]))
    #expect(!ConsentMemory.covers(granted: ["read"], requested: ["READ"]))
  }

  @Test func neverConsentedIsNeverCovered() {
    #expect(!ConsentMemory.covers(granted: nil, requested: []))
    #expect(!ConsentMemory.covers(granted: nil, requested: ["read"]))
  }

  @Test func rememberingKeepsTheUnion() {
    #expect(ConsentMemory.remembering(granted: nil, requested: ["read"]) == ["read"])
    #expect(ConsentMemory.remembering(granted: ["read", "write"], requested: ["read"]) == ["read", "write"])
    #expect(ConsentMemory.remembering(granted: ["read"], requested: ["admin", "read"]) == ["read", "admin"])
    #expect(ConsentMemory.remembering(granted: nil, requested: []) == [])
    let after = ConsentMemory.remembering(granted: ["read"], requested: ["write"])
    #expect(ConsentMemory.covers(granted: after, requested: ["read", "write"]))
  }
}
