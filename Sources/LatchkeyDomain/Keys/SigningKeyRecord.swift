/// The asymmetric algorithms a signing key can have. HS256 has no key rows: its secret is configured.
public enum SigningKeyAlgorithm: String, Sendable, CaseIterable {
  case es256 = "ES256"
  case edDSA = "EdDSA"
}

/// What the lifecycle needs of one stored signing key. Times are Unix seconds.
public struct SigningKeyRecord: Sendable, Equatable {
  public var kid: String
  public var algorithm: SigningKeyAlgorithm
  public var createdAt: Double
  /// When it may start signing, fixed when the key is created (`SigningKeyLifecycle.activationTime`):
  /// stored rather than recomputed, so instances agree even while their configured delays differ.
  public var activatesAt: Double

  public init(kid: String, algorithm: SigningKeyAlgorithm, createdAt: Double, activatesAt: Double) {
    self.kid = kid
    self.algorithm = algorithm
    self.createdAt = createdAt
    self.activatesAt = activatesAt
  }
}

/// A key's place in its life: published before it signs, published after it stops
/// until its last token has expired, then removed.
public enum SigningKeyState: String, Sendable, CaseIterable {
  /// Published, not signing yet.
  case next
  /// The one key that signs.
  case active
  /// Published and verifying, no longer signing.
  case retired
  /// Every token it signed has expired: unpublished, may be deleted.
  case gone
}

/// What the key table needs now, as decided by `SigningKeyLifecycle.plan`.
public enum SigningKeyAction: Sendable, Equatable {
  case none
  /// No key can sign: create one of this algorithm, active at once (first start).
  case createActive(SigningKeyAlgorithm)
  /// Start a rotation: create a `next` key of this algorithm, active after the publish delay.
  case createNext(SigningKeyAlgorithm)
}

/// The timing rules of the key lifecycle, from configuration.
public struct SigningKeyPolicy: Sendable, Equatable {
  /// How long a new key is published before it signs; at least the JWKS `max-age`.
  public var publishDelay: Double
  /// How often the active key is replaced automatically; 0 turns automatic rotation off.
  public var rotationInterval: Double
  /// The longest lifetime of any token a key signs (user or client access tokens).
  public var longestTokenLifetime: Double
  /// The verifiers' clock leeway.
  public var leeway: Double

  public init(
    publishDelay: Double, rotationInterval: Double, longestTokenLifetime: Double, leeway: Double = 30
  ) {
    self.publishDelay = max(0, publishDelay)
    self.rotationInterval = max(0, rotationInterval)
    self.longestTokenLifetime = max(0, longestTokenLifetime)
    self.leeway = max(0, leeway)
  }

  /// How long a retired key stays published after it stopped signing.
  public var retention: Double { longestTokenLifetime + leeway }
}
