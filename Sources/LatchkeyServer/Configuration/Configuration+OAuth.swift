import FoundationEssentials

extension Configuration {
  /// `LATCHKEY_PUBLIC_URL` and `LATCHKEY_CLIENT_TOKEN_TTL`; read after the
  /// host, port and access lifetime they default from.
  mutating func readOAuthSettings(_ reader: EnvironmentReader) throws(ConfigurationError) {
    if let text = reader.string("LATCHKEY_PUBLIC_URL") {
      guard let url = Self.normalizedPublicURL(text) else {
        throw ConfigurationError(
          variable: "LATCHKEY_PUBLIC_URL",
          problem: "must be an http or https URL without a query or fragment, like https://auth.example.com")
      }
      publicURL = url
    } else {
      publicURL = Self.defaultPublicURL(host: host, port: port)
    }
    clientTokenTTL = try reader.duration("LATCHKEY_CLIENT_TOKEN_TTL", minimum: 1) ?? auth.accessTTL
  }

  /// `http://HOST:PORT`, with `localhost` for a wildcard host (no client can
  /// reach 0.0.0.0) and brackets around an IPv6 literal.
  static func defaultPublicURL(host: String, port: UInt16) -> String {
    let wildcard = ["", "0.0.0.0", "::", "[::]", "*"]
    var name = wildcard.contains(host) ? "localhost" : host
    if name.contains(":") && !name.hasPrefix("[") { name = "[\(name)]" }
    return "http://\(name):\(port)"
  }

  /// The URL without a trailing slash, so endpoint paths append cleanly; nil
  /// when it is not an absolute http(s) URL or carries a query, fragment or
  /// credentials.
  static func normalizedPublicURL(_ text: String) -> String? {
    guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
      scheme == "http" || scheme == "https", let host = components.host, !host.isEmpty,
      components.query == nil, components.fragment == nil, components.user == nil,
      components.password == nil, !text.contains(where: \.isWhitespace)
    else { return nil }
    var url = text
    while url.hasSuffix("/") { url.removeLast() }
    return url
  }
}
