import Foundation
import Testing

@testable import LatchkeyPostgres

/// The hand-written parser behind `PostgresRow.uuid` accepts exactly what
/// Foundation's does for 36-character text, and `uuid` falls back to
/// Foundation for anything else.
@Suite struct RowUUIDTests {
  @Test func agreesWithFoundation() {
    var texts: [String] = []
    for _ in 0..<100 {
      let id = UUID()
      texts += [id.uuidString, id.uuidString.lowercased()]
    }
    let valid = "8865bb05-af4e-4862-aa46-2a3027be3867"
    texts += [
      "", valid + "0", String(valid.dropLast()), "8865bb05af4e4862aa462a3027be3867",
      "8865bb05-af4e-4862-aa46_2a3027be3867", "g865bb05-af4e-4862-aa46-2a3027be3867",
      "8865bb05-af4e-4862-aa46-2a3027be386é", " 865bb05-af4e-4862-aa46-2a3027be3867",
      "8865bb05-af4e-4862-aa4-62a3027be3867",
    ]
    let columns = PostgresColumns(names: ["u"])
    for text in texts {
      #expect(PostgresRow(columns: columns, values: [text]).uuid(0) == UUID(uuidString: text), "\(text)")
    }
    #expect(PostgresRow(columns: columns, values: [nil]).uuid(0) == nil)
  }
}
