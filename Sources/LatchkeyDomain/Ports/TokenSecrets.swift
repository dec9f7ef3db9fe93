import FoundationEssentials

/// The secret-dependent primitives of sessions: random values, refresh
/// token hashing and successor derivation, device-cookie tags.
public protocol TokenSecrets: Sendable {
  /// A new refresh token: 256 bits from a CSPRNG, base64url.
  func newRefreshToken() -> String
  /// Whether `token` has a refresh token's shape, so anything else is
  /// refused without a store round trip.
  func isWellFormedRefreshToken(_ token: String) -> Bool
  /// What the store keeps instead of the token (it cannot be presented).
  func refreshHash(_ token: String) -> [UInt8]
  /// The token's successor, derived with a server secret, so racers inside
  /// the grace window get the same successor without the store ever holding
  /// a usable token.
  func successor(of token: String) -> String
  /// A unique access-token id.
  func newJTI() -> String
  func newID() -> UUID
  /// Random bytes, base64url (device-cookie nonces).
  func newNonce() -> String
  /// A MAC over `message` under the device-cookie key, base64url.
  func deviceTag(_ message: String) -> String
  /// A new OAuth client secret: 256 bits from a CSPRNG, base64url.
  func newClientSecret() -> String
  /// What the store keeps instead of a client secret. A plain SHA-256 is
  /// enough for 256 random bits (argon2 is for guessable passwords).
  func clientSecretDigest(_ secret: String) -> [UInt8]
  /// Compares two secrets in constant time.
  func equal(_ a: String, _ b: String) -> Bool
}
