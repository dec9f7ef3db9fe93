@testable import LatchkeyDomain

/// The key table in memory. Transactions are serial already, so the lock is a no-op; a change
/// notice is counted in the transaction's state, so it is kept only when the transaction commits.
extension InMemoryStore.Transaction {
  func signingKeys() throws -> [StoredSigningKey] { state.signingKeys }

  func insertSigningKey(_ key: StoredSigningKey) throws {
    precondition(!state.signingKeys.contains { $0.record.kid == key.record.kid }, "duplicate kid")
    state.signingKeys.append(key)
  }

  func deleteSigningKeys(kids: [String]) throws {
    state.signingKeys.removeAll { kids.contains($0.record.kid) }
  }

  func lockSigningKeys() throws {}

  func publishSigningKeysChanged() throws { state.signingKeyChanges += 1 }
}
