import Foundation

extension OAuthService {
  /// Registers a client (`latchkey client add`, docs/oauth.md#clients). A
  /// confidential client gets a secret, returned here once and stored only
  /// as its digest.
  public func registerClient(
    name: String, isPublic: Bool, grants: [OAuthGrantType], scopes: [String], redirectURIs: [String]
  ) throws -> RegisteredClient {
    let trimmed = name.trimmingCharacters(in: .whitespacesAndNewlines)
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
    try store.transaction { try $0.insertClient(client) }
    return RegisteredClient(client: client, secret: secret)
  }

  public func listClients() throws -> [OAuthClient] {
    try store.read { try $0.listClients() }
  }

  /// Deletes a client; false when there is none. Every token issued to it
  /// stops being active on every instance at the commit: the only place a
  /// client token is accepted, introspection, reads whether its client still
  /// exists in the same round trip as the denylist (docs/oauth.md#removing-a-client).
  public func removeClient(id: String) throws -> Bool {
    guard let uuid = UUID.parse(id) else { return false }
    let removed = try store.transaction { try $0.deleteClient(id: uuid) }
    if removed { counter.increment("latchkey_clients_removed_total") }
    return removed
  }

  /// RFC 6749 §3.1.2: an absolute URI without a fragment. No whitespace, so
  /// the store can keep the list space-delimited.
  static func isValidRedirectURI(_ text: String) -> Bool {
    guard !text.isEmpty, text.count <= 2000, !text.contains(where: { $0.isWhitespace || $0 == "#" }),
      let url = URL(string: text), let scheme = url.scheme, !scheme.isEmpty
    else { return false }
    return true
  }
}
