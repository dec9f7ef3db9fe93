/// What a store adapter's errors say about themselves, so the server can
/// answer 503 for a lost database without knowing which database it is.
public protocol StoreFailure: Error {
  /// The database is unreachable, the pool exhausted or a statement timed out:
  /// the client may retry.
  var isTransient: Bool { get }
  /// The client's input cannot be stored (e.g. a NUL character in text).
  var isInvalidInput: Bool { get }
}
