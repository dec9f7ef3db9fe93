import FoundationEssentials
import LatchkeyDomain

/// The authorization server's metadata (RFC 8414), built once from the
/// configured public URL: never from a request's `Host`, which a client
/// controls.
struct OAuthMetadata: Encodable {
  let issuer: String
  let token_endpoint: String
  let jwks_uri: String
  let revocation_endpoint: String
  let introspection_endpoint: String
  let grant_types_supported: [String]
  let token_endpoint_auth_methods_supported = ["client_secret_basic", "client_secret_post", "none"]
  let revocation_endpoint_auth_methods_supported = ["client_secret_basic", "client_secret_post", "none"]
  /// Introspection is for confidential clients only.
  let introspection_endpoint_auth_methods_supported = ["client_secret_basic", "client_secret_post"]
  let response_types_supported = ["code"]
  /// PKCE with S256 only (RFC 7636; `plain` is refused).
  let code_challenge_methods_supported = ["S256"]
  let authorization_endpoint: String
  let device_authorization_endpoint: String
  /// Redirects carry `iss` (RFC 9207).
  let authorization_response_iss_parameter_supported = true
  let response_modes_supported = ["query"]

  init(issuer: String, publicURL: String) {
    self.issuer = issuer
    authorization_endpoint = publicURL + "/oauth/authorize"
    device_authorization_endpoint = publicURL + "/oauth/device_authorization"
    token_endpoint = publicURL + "/oauth/token"
    jwks_uri = publicURL + "/.well-known/jwks.json"
    revocation_endpoint = publicURL + "/oauth/revoke"
    introspection_endpoint = publicURL + "/oauth/introspect"
    grant_types_supported = OAuthGrantType.allCases.filter(AuthorizationService.offeredGrants.contains).map(
      \.rawValue)
  }

  var json: [UInt8] {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    return [UInt8]((try? encoder.encode(self)) ?? Data("{}".utf8))
  }
}
