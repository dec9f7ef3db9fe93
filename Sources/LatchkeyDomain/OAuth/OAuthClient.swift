import FoundationEssentials

/// A registered OAuth client as the store keeps it. The secret exists only
/// as a digest: it is shown once, at registration.
public struct OAuthClient: Sendable, Equatable {
  public var id: UUID
  public var name: String
  /// SHA-256 of the secret; nil for a public client.
  public var secretDigest: [UInt8]?
  public var grants: [OAuthGrantType]
  public var scopes: [String]
  public var redirectURIs: [String]
  public var createdAt: Double

  public init(
    id: UUID, name: String, secretDigest: [UInt8]?, grants: [OAuthGrantType], scopes: [String],
    redirectURIs: [String], createdAt: Double
  ) {
    self.id = id
    self.name = name
    self.secretDigest = secretDigest
    self.grants = grants
    self.scopes = scopes
    self.redirectURIs = redirectURIs
    self.createdAt = createdAt
  }

  public var isPublic: Bool { secretDigest == nil }

  /// The `client_id` clients send and tokens carry.
  public var clientID: String { id.uuidString.lowercased() }

  /// What the grant rules need of it.
  public var registration: OAuthClientRegistration {
    OAuthClientRegistration(clientID: clientID, isPublic: isPublic, grants: Set(grants), scopes: scopes)
  }
}

/// The credentials a request presented (RFC 6749 §2.3.1), already taken out
/// of the `Authorization` header or the body by the server.
public struct ClientCredentials: Sendable, Equatable {
  public var clientID: String
  /// Nil when none was sent (a public client identifies itself by id alone).
  public var secret: String?

  public init(clientID: String, secret: String?) {
    self.clientID = clientID
    self.secret = secret
  }
}

/// A new registration: the client, and its secret in the clear, which is
/// shown once and never stored (nil for a public client).
public struct RegisteredClient: Sendable {
  public var client: OAuthClient
  public var secret: String?
}
