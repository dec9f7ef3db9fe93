import LatchkeyDomain
import LatchkeyStore

extension SigningKeyService {
  /// The key service for this configuration: keys sealed under the JWT secret, the lifecycle's timing
  /// from the settings. `algorithm` is what new keys get; nil (HS256) yields nil.
  public static func configured(
    _ config: Configuration, algorithm: SigningKeyAlgorithm?, store: PostgresStore,
    clock: any WallClock = SystemClock()
  ) throws -> SigningKeyService? {
    guard let algorithm else { return nil }
    return SigningKeyService(
      store: store, lifecycle: SigningKeyLifecycle(policy: config.signingKeyPolicy),
      minter: try VaultSigningKeyMinter(config: config), clock: clock, algorithm: algorithm)
  }
}
