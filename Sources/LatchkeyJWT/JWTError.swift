/// Why a token was refused. The description never includes token contents, so it is safe to log.
public struct JWTError: Error, Sendable, Equatable, CustomStringConvertible {
  public enum Reason: String, Sendable {
    case tooLarge
    case malformed
    case unsupportedAlgorithm
    case unknownKey
    /// A user token where a client's is expected, or the reverse (`typ` "JWT" against "at+jwt").
    case wrongType
    case badSignature
    case expired
    case notYetValid
    case wrongIssuer
    case wrongAudience
    case missingClaim
    case invalidClaim
  }

  public let reason: Reason

  public init(_ reason: Reason) {
    self.reason = reason
  }

  public var description: String { "jwt: \(reason.rawValue)" }
}
