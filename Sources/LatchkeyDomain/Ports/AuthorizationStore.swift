import FoundationEssentials

/// Where the authorization code and device flows keep their state between
/// the browser's steps and the client's token request (docs/oauth.md). Codes
/// and device codes are found by their SHA-256 only: neither is ever stored
/// in a form that could be presented.
public protocol AuthorizationStore {
  func insertAuthorizationCode(hash: [UInt8], _ code: PendingAuthorizationCode) throws
  /// The code with this hash, its row held until the transaction ends, so
  /// two exchanges of one code apply one after the other; nil when unknown.
  func lockAuthorizationCode(hash: [UInt8]) throws -> PendingAuthorizationCode?
  func markAuthorizationCodeUsed(hash: [UInt8], now: Double) throws

  /// The scopes `user` consented to for `client`; nil when never.
  func consentedScopes(user: UUID, client: UUID) throws -> [String]?
  func saveConsent(user: UUID, client: UUID, scopes: [String], now: Double) throws

  /// Stores a new device authorization; false (and nothing stored) when its
  /// user code is already held by another authorization that has not
  /// expired, so the caller draws another code.
  func insertDeviceAuthorization(id: UUID, deviceCodeHash: [UInt8], _ authorization: DeviceAuthorization)
    throws -> Bool
  /// Found by the device code's hash, its row held until the transaction ends.
  func lockDeviceAuthorization(deviceCodeHash: [UInt8]) throws -> StoredDeviceAuthorization?
  /// Found by its user code among those not yet expired at `now`, its row
  /// held until the transaction ends.
  func lockDeviceAuthorization(userCode: UserCode, now: Double) throws -> StoredDeviceAuthorization?
  /// Saves a changed status, interval or poll time.
  func updateDeviceAuthorization(id: UUID, _ authorization: DeviceAuthorization) throws
}

/// A device authorization and the key the store keeps it under.
public struct StoredDeviceAuthorization: Sendable, Equatable {
  public var id: UUID
  public var authorization: DeviceAuthorization

  public init(id: UUID, authorization: DeviceAuthorization) {
    self.id = id
    self.authorization = authorization
  }
}
