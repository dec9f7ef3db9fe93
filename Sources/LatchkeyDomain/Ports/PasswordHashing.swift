/// Password hashing as the services need it. A hash costs tens of
/// milliseconds and megabytes, so implementations run it in a bounded
/// number of slots (and may refuse with a "busy" error when too many wait);
/// `withSlot` lets a service do the throttle check, the verification and
/// the recording of its verdict inside one slot, so the attempts that passed
/// a check without a recorded verdict never outnumber the slots.
public protocol PasswordHashing: Sendable {
  /// Runs `body` on one of the slots and returns its result.
  func withSlot<T: Sendable>(_ body: @escaping @Sendable () throws -> T) throws -> T
  /// Hashes on the calling thread; call inside `withSlot`.
  func hashInSlot(_ password: String) throws -> String
  /// Verifies on the calling thread; call inside `withSlot`.
  func verifyInSlot(_ password: String, encoded: String) -> Bool
  /// True when `encoded` was made with weaker parameters than today's.
  func needsRehash(_ encoded: String) -> Bool
  /// A valid hash of nothing, verified when there is no account, so an
  /// unknown email costs the same as a wrong password.
  var dummyHash: String { get }
}

extension PasswordHashing {
  public func hash(_ password: String) throws -> String {
    try withSlot { try self.hashInSlot(password) }
  }

  public func verify(_ password: String, encoded: String) throws -> Bool {
    try withSlot { self.verifyInSlot(password, encoded: encoded) }
  }
}
