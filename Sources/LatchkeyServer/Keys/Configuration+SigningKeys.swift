import LatchkeyDomain

extension Configuration {
  /// The key lifecycle's timing. A retired key stays published for the longest token lifetime plus
  /// the leeway after it stopped signing.
  public var signingKeyPolicy: SigningKeyPolicy {
    SigningKeyPolicy(
      publishDelay: Double(keyPublishDelay), rotationInterval: Double(keyRotationInterval),
      longestTokenLifetime: Double(max(auth.accessTTL, clientTokenTTL)))
  }
}
