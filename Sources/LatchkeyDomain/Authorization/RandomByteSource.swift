/// Randomness behind a port, so user codes come from the server's CSPRNG in production and from a
/// fixed sequence in tests.
public protocol RandomByteSource: Sendable {
  /// `count` bytes, uniformly random.
  func randomBytes(count: Int) -> [UInt8]
}
