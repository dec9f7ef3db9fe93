import CLibCrypto

/// A failed cryptographic operation. It names the operation and, for library failures, OpenSSL's reason
/// text; never key material, plaintext or signatures, so it is safe to log.
public struct CryptoError: Error, Sendable, Equatable, CustomStringConvertible {
  public enum Reason: String, Sendable {
    /// OpenSSL refused or failed the call.
    case library
    /// Bytes that are not a key of the expected type (wrong length, not on the curve, wrong algorithm).
    case invalidKey
    /// A signature of the wrong length or malformed encoding.
    case invalidSignature
    /// A sealed box that is too short, or whose tag does not authenticate it.
    case authenticationFailed
    /// A parameter outside the supported range (key length, output length).
    case invalidParameter
  }

  public let reason: Reason
  public let operation: String
  public let detail: String

  public init(_ reason: Reason, operation: String, detail: String = "") {
    self.reason = reason
    self.operation = operation
    self.detail = detail
  }

  public var description: String {
    detail.isEmpty
      ? "crypto: \(operation): \(reason.rawValue)" : "crypto: \(operation): \(reason.rawValue) (\(detail))"
  }
}

/// The one place that turns OpenSSL's status codes into Swift errors. It always empties the thread's
/// OpenSSL error queue on failure, so a stale entry never surfaces in an unrelated later call.
enum OpenSSL {
  static func check(
    _ status: Int32, _ operation: StaticString, reason: CryptoError.Reason = .library
  ) throws(CryptoError) {
    guard status == 1 else { throw failure(operation, reason: reason) }
  }

  static func check<T>(
    _ value: T?, _ operation: StaticString, reason: CryptoError.Reason = .library
  ) throws(CryptoError) -> T {
    guard let value else { throw failure(operation, reason: reason) }
    return value
  }

  static func failure(_ operation: StaticString, reason: CryptoError.Reason = .library) -> CryptoError {
    let code = ERR_peek_last_error()
    var detail = ""
    if code != 0, let text = ERR_reason_error_string(code) {
      detail = String(cString: text)
    }
    ERR_clear_error()
    return CryptoError(reason, operation: "\(operation)", detail: detail)
  }

  /// A NUL-terminated name that outlives the call: OSSL_PARAM keeps the pointer it is given, which a
  /// Swift String argument does not guarantee; static strings live in the binary.
  static func name(_ text: StaticString) -> UnsafeMutablePointer<CChar> {
    UnsafeMutableRawPointer(mutating: text.utf8Start).assumingMemoryBound(to: CChar.self)
  }
}
