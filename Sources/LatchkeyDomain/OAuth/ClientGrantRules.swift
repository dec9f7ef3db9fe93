/// The pure rules of client registration and of the client-credentials grant (RFC 6749 §3.3, §4.4,
/// §5.2): which grant a client may use and which scopes it gets.
public enum ClientGrantRules {
  /// Scopes as RFC 6749 §3.3 writes them: tokens of printable ASCII except `"` and `\`, separated by
  /// single spaces. Nil for an omitted parameter; repeated tokens count once, in first-seen order.
  public static func parseScope(_ text: String?) throws(OAuthError) -> [String]? {
    guard let text else { return nil }
    var scopes: [String] = []
    for token in text.split(separator: " ", omittingEmptySubsequences: false) {
      guard !token.isEmpty else { throw .invalidScope("scope must be space-delimited tokens") }
      guard token.utf8.allSatisfy(isScopeCharacter) else {
        throw .invalidScope("scope has an invalid character")
      }
      let scope = String(token)
      if !scopes.contains(scope) { scopes.append(scope) }
    }
    return scopes
  }

  /// A registration's scopes must themselves be valid scope tokens.
  public static func isValidScopeToken(_ token: String) -> Bool {
    !token.isEmpty && token.utf8.allSatisfy(isScopeCharacter)
  }

  /// The scopes to grant: every requested one must be registered; omitted means all registered ones.
  public static func grantedScopes(requested: String?, registered: [String]) throws(OAuthError) -> [String] {
    guard let requested = try parseScope(requested) else { return registered }
    for scope in requested where !registered.contains(scope) {
      throw .invalidScope("scope not registered for this client")
    }
    return requested
  }

  /// Which grant a `grant_type` value names, among those the server offers. Unknown values, the
  /// password and implicit grants, and grants not (yet) offered are all `unsupported_grant_type`.
  public static func grantType(_ value: String?, offered: Set<OAuthGrantType>) throws(OAuthError)
    -> OAuthGrantType
  {
    guard let value, !value.isEmpty else { throw .invalidRequest("grant_type is required") }
    guard let grant = OAuthGrantType(rawValue: value), offered.contains(grant) else {
      throw .unsupportedGrantType("grant_type not supported")
    }
    return grant
  }

  /// The client may use `grant`: it is registered for it, and client credentials are for confidential
  /// clients only (RFC 6749 §4.4).
  public static func authorize(_ client: OAuthClientRegistration, for grant: OAuthGrantType)
    throws(OAuthError)
  {
    if grant == .clientCredentials && client.isPublic {
      throw .unauthorizedClient("public clients cannot use client_credentials")
    }
    guard client.grants.contains(grant) else {
      throw .unauthorizedClient("grant not allowed for this client")
    }
  }

  /// The client may use the refresh token grant: registered for it, or for a grant that issues
  /// refresh tokens (authorization code, device flow), whose tokens it may then refresh without
  /// registering `refresh_token` as well.
  public static func authorizeRefresh(_ client: OAuthClientRegistration) throws(OAuthError) {
    guard !client.grants.isDisjoint(with: [.refreshToken, .authorizationCode, .deviceCode]) else {
      throw .unauthorizedClient("grant not allowed for this client")
    }
  }

  /// The whole client-credentials check for an authenticated client: the grant, then the scopes.
  /// Returns the scopes to put in the token.
  public static func clientCredentials(
    client: OAuthClientRegistration, requestedScope: String?
  ) throws(OAuthError) -> [String] {
    try authorize(client, for: .clientCredentials)
    return try grantedScopes(requested: requestedScope, registered: client.scopes)
  }

  /// A registration `latchkey client add` may store: valid scopes, at least one grant (a confidential
  /// client without `--grant` gets client credentials), and no client credentials for a public client.
  public static func registration(
    clientID: String, isPublic: Bool, grants: [OAuthGrantType], scopes: [String]
  ) throws(OAuthError) -> OAuthClientRegistration {
    var grantSet = Set(grants)
    if grantSet.isEmpty {
      guard !isPublic else { throw .invalidRequest("a public client needs at least one grant") }
      grantSet = [.clientCredentials]
    }
    if isPublic && grantSet.contains(.clientCredentials) {
      throw .invalidRequest("a public client cannot have client_credentials")
    }
    for scope in scopes where !isValidScopeToken(scope) {
      throw .invalidScope("invalid scope token")
    }
    var unique: [String] = []
    for scope in scopes where !unique.contains(scope) { unique.append(scope) }
    return OAuthClientRegistration(clientID: clientID, isPublic: isPublic, grants: grantSet, scopes: unique)
  }

  /// `%x21 / %x23-5B / %x5D-7E`.
  private static func isScopeCharacter(_ byte: UInt8) -> Bool {
    byte == 0x21 || (byte >= 0x23 && byte <= 0x5B) || (byte >= 0x5D && byte <= 0x7E)
  }
}
