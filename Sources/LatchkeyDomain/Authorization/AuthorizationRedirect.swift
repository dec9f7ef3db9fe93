/// Builds the `Location` that returns the browser to a client, and says which URIs may be registered
/// as redirect URIs at all.
public enum AuthorizationRedirect {
  /// An error response (RFC 6749 §4.1.2.1) with the issuer (RFC 9207), so a client talking to several
  /// servers can tell which one answered and a mix-up attack fails.
  public static func error(_ error: AuthorizationError, redirectURI: String, state: String?, issuer: String)
    -> String
  {
    var parameters = [("error", error.code), ("error_description", error.errorDescription)]
    if let state { parameters.append(("state", state)) }
    parameters.append(("iss", issuer))
    return url(redirectURI, adding: parameters)
  }

  /// A success response (RFC 6749 §4.1.2) with the issuer (RFC 9207).
  public static func success(code: String, redirectURI: String, state: String?, issuer: String) -> String {
    var parameters = [("code", code)]
    if let state { parameters.append(("state", state)) }
    parameters.append(("iss", issuer))
    return url(redirectURI, adding: parameters)
  }

  /// `uri` with `parameters` added to its query. A query the registered URI already has is kept
  /// (RFC 6749 §3.1.2 allows one), and the parameters go before any fragment so they stay in the query.
  public static func url(_ uri: String, adding parameters: [(String, String)]) -> String {
    guard !parameters.isEmpty else { return uri }
    let encoded = parameters.map { formEncode($0.0) + "=" + formEncode($0.1) }.joined(separator: "&")
    var base = Substring(uri)
    var fragment: Substring = ""
    if let hash = uri.firstIndex(of: "#") {
      base = uri[..<hash]
      fragment = uri[hash...]
    }
    let separator: String
    if let question = base.firstIndex(of: "?") {
      let query = base[base.index(after: question)...]
      separator = query.isEmpty || query.hasSuffix("&") ? "" : "&"
    } else {
      separator = "?"
    }
    return base + separator + encoded + fragment
  }

  /// Whether `uri` may be registered: an absolute URI of printable ASCII without spaces, without a
  /// fragment (RFC 6749 §3.1.2), and not a scheme that runs code in the browser.
  public static func isRegistrable(_ uri: String) -> Bool {
    let bytes = Array(uri.utf8)
    guard !bytes.isEmpty, bytes.count <= 2000,
      bytes.allSatisfy({ $0 > 0x20 && $0 < 0x7F }), !bytes.contains(UInt8(ascii: "#")),
      let colon = bytes.firstIndex(of: UInt8(ascii: ":")), colon > 0, colon + 1 < bytes.count
    else { return false }
    let scheme = bytes[..<colon]
    guard isAlpha(scheme[scheme.startIndex]),
      scheme.allSatisfy({ isAlpha($0) || isDigit($0) || $0 == 0x2B || $0 == 0x2D || $0 == 0x2E })
    else { return false }
    let name = String(decoding: scheme, as: UTF8.self).lowercased()
    return !["javascript", "data", "vbscript", "file", "blob"].contains(name)
  }

  /// `application/x-www-form-urlencoded` as RFC 6749 Appendix B asks: every byte but the unreserved
  /// ones percent-encoded, so a `state` holding `&`, `#` or `=` cannot add or cut parameters. A space
  /// becomes `%20`, which every decoder reads, rather than `+`, which some read literally.
  static func formEncode(_ text: String) -> String {
    let hex = Array("0123456789ABCDEF".utf8)
    var out: [UInt8] = []
    out.reserveCapacity(text.utf8.count)
    for byte in text.utf8 {
      if isAlpha(byte) || isDigit(byte) || byte == 0x2D || byte == 0x2E || byte == 0x5F || byte == 0x7E {
        out.append(byte)
      } else {
        out.append(contentsOf: [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]])
      }
    }
    return String(decoding: out, as: UTF8.self)
  }

  private static func isAlpha(_ byte: UInt8) -> Bool {
    (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
  }

  private static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }
}
