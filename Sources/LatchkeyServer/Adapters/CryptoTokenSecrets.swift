import FoundationEssentials
import LatchkeyCrypto
import LatchkeyDomain

/// The session secrets on libcrypto: CSPRNG values, SHA-256 token hashes,
/// and HMAC-SHA256 under keys derived from the signing secret, one key per
/// purpose so a value made for one can never pass as another.
public struct CryptoTokenSecrets: TokenSecrets {
  private let successorKey: [UInt8]
  private let deviceKey: [UInt8]

  public init(secret: [UInt8]) {
    successorKey = HMACSHA256.mac(key: secret, message: Array("latchkey refresh successor v1".utf8))
    deviceKey = HMACSHA256.mac(key: secret, message: Array("latchkey device cookie v1".utf8))
  }

  public func newRefreshToken() -> String { SecureRandom.token(byteCount: 32) }

  /// 43 base64url characters carrying 256 bits.
  public func isWellFormedRefreshToken(_ token: String) -> Bool {
    token.utf8.count == 43 && Base64URL.decode(token)?.count == 32
  }

  public func refreshHash(_ token: String) -> [UInt8] { SHA256.hash(Array(token.utf8)) }

  public func successor(of token: String) -> String {
    Base64URL.encode(HMACSHA256.mac(key: successorKey, message: Array("successor:".utf8) + Array(token.utf8)))
  }

  public func newJTI() -> String { SecureRandom.token(byteCount: 16) }

  public func newID() -> UUID { SecureRandom.uuid() }

  public func newNonce() -> String { SecureRandom.token(byteCount: 16) }

  public func deviceTag(_ message: String) -> String {
    Base64URL.encode(HMACSHA256.mac(key: deviceKey, message: Array(message.utf8)))
  }

  public func newClientSecret() -> String { SecureRandom.token(byteCount: 32) }

  public func clientSecretDigest(_ secret: String) -> [UInt8] { SHA256.hash(Array(secret.utf8)) }

  public func equal(_ a: String, _ b: String) -> Bool { ConstantTime.equals(Array(a.utf8), Array(b.utf8)) }
}
