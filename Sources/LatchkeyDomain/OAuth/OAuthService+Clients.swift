import FoundationEssentials
import LatchkeyText

extension OAuthService {
  /// Registers a client (`latchkey client add`, docs/oauth.md#clients). A
  /// confidential client gets a secret, returned here once and stored only
  /// as its digest.
  public func registerClient(
    name: String, isPublic: Bool, grants: [OAuthGrantType], scopes: [String], redirectURIs: [String]
  ) throws -> RegisteredClient {
    let trimmed = name.trimmingWhitespaceAndNewlines()
    guard !trimmed.isEmpty, trimmed.count <= 200 else {
      throw OAuthError.invalidRequest("a client needs a name of 1 to 200 characters")
    }
    for uri in redirectURIs where !Self.isValidRedirectURI(uri) {
      throw OAuthError.invalidRequest("a redirect URI must be absolute, without a fragment or spaces")
    }
    let id = secrets.newID()
    let rules = try ClientGrantRules.registration(
      clientID: id.uuidString.lowercased(), isPublic: isPublic, grants: grants, scopes: scopes)
    let secret = isPublic ? nil : secrets.newClientSecret()
    var uniqueURIs: [String] = []
    for uri in redirectURIs where !uniqueURIs.contains(uri) { uniqueURIs.append(uri) }
    let client = OAuthClient(
      id: id, name: trimmed, secretDigest: secret.map(secrets.clientSecretDigest),
      // A stable order, so listings do not shuffle.
      grants: OAuthGrantType.allCases.filter(rules.grants.contains), scopes: rules.scopes,
      redirectURIs: uniqueURIs, createdAt: clock.now())
    try store.transaction { tx in
      try tx.insertClient(client)
      try tx.publishClientNotices([.added(client.id)])
    }
    return RegisteredClient(client: client, secret: secret)
  }

  /// Makes sure a public client with this fixed id exists exactly as given
  /// (the demo's, docs/latchkey-js.md#demo): registered when missing,
  /// registered again when its redirect URI, grants or scopes changed (a
  /// new public URL), left alone otherwise. Several instances may do this
  /// at once: the loser of the insert race finds it in place.
  public func ensurePublicClient(
    id: UUID, name: String, grants: [OAuthGrantType], scopes: [String], redirectURIs: [String]
  ) throws {
    let wanted = OAuthClient(
      id: id, name: name, secretDigest: nil, grants: grants, scopes: scopes, redirectURIs: redirectURIs,
      createdAt: clock.now())
    try store.transaction { tx in
      if let existing = try tx.findClient(id: id) {
        if existing.grants == grants && existing.scopes == scopes && existing.redirectURIs == redirectURIs
          && existing.isPublic
        {
          return
        }
        _ = try tx.deleteClient(id: id)
      }
      try tx.insertClient(wanted)
      try tx.publishClientNotices([.added(id)])
    }
  }

  public func listClients() throws -> [OAuthClient] {
    try store.read { try $0.listClients() }
  }

  /// Deletes a client; false when there is none. Every token issued to it
  /// stops being active on every instance at once: the removal rides the
  /// revocation channel (`RevocationNotice.clientRemoved`, acknowledged like
  /// any revocation) and the client registries' channel, both published in
  /// the deleting transaction (docs/oauth.md#removing-a-client).
  public func removeClient(id: String) throws -> Bool {
    guard let uuid = UUID.parse(id) else { return false }
    let batch = try store.transaction { tx -> RevocationBatch? in
      guard try tx.deleteClient(id: uuid) else { return nil }
      var batch = RevocationBatch(removedClients: [uuid])
      // Its grants are sessions of their users: revoked (not deleted), so
      // every instance hears of them like any other revocation.
      batch.sessions = try tx.revokeSessions(.client(uuid), reason: .adminRevoke, now: clock.now())
      try auth.publish(batch, on: tx)
      try tx.publishClientNotices([.removed(uuid)])
      return batch
    }
    guard let batch else { return false }
    auth.didRevoke(batch, reason: .adminRevoke)
    counter.increment("latchkey_clients_removed_total")
    return true
  }

  /// RFC 6749 §3.1.2: an absolute URI without a fragment, of printable
  /// ASCII, and never a scheme that runs code in the browser
  /// (`AuthorizationRedirect.isRegistrable`).
  static func isValidRedirectURI(_ text: String) -> Bool {
    AuthorizationRedirect.isRegistrable(text) && URL(string: text)?.scheme?.isEmpty == false
  }
}
