import FoundationEssentials
import LatchkeyDomain
import LatchkeyHTTP
import LatchkeyText

/// Finds a request's client credentials (docs/oauth.md#client-authentication):
/// HTTP Basic (`client_secret_basic`: id and secret form-urlencoded, then
/// base64, RFC 6749 §2.3.1), or `client_id` (+ `client_secret`) in the body.
/// Using both is refused: a request authenticates one way.
struct PresentedClient {
  var credentials: ClientCredentials?
  /// Whether HTTP Basic was tried: its failures carry `WWW-Authenticate`.
  var usedBasic: Bool

  static func read(_ request: Request, form: [String: String]) throws -> PresentedClient {
    let inBody = form["client_id"] != nil || form["client_secret"] != nil
    guard let authorization = request.header("authorization"), Self.isBasic(authorization) else {
      // A secret without an id authenticates nobody: 401, as a wrong secret.
      return PresentedClient(
        credentials: form["client_id"].map { ClientCredentials(clientID: $0, secret: form["client_secret"]) },
        usedBasic: false)
    }
    guard !inBody else {
      throw OAuthError.invalidRequest("use one client authentication method, not both")
    }
    guard let credentials = Self.decodeBasic(authorization) else {
      // Malformed Basic credentials authenticate nobody; the answer is the
      // same as for a wrong secret.
      return PresentedClient(credentials: nil, usedBasic: true)
    }
    return PresentedClient(credentials: credentials, usedBasic: true)
  }

  static func isBasic(_ header: String) -> Bool {
    header.count > 6 && header.prefix(6).lowercased() == "basic "
  }

  /// `Basic base64(urlencode(id) ":" urlencode(secret))`; nil when malformed.
  static func decodeBasic(_ header: String) -> ClientCredentials? {
    let encoded = header.dropFirst(6).trimmingWhitespace()
    guard let data = Data(base64Encoded: encoded), let colon = data.firstIndex(of: UInt8(ascii: ":")),
      let id = formDecode(data[data.startIndex..<colon]), !id.isEmpty,
      let secret = formDecode(data[(colon + 1)...])
    else { return nil }
    return ClientCredentials(clientID: id, secret: secret)
  }

  /// `+` is a space, `%XX` a byte; the result must be UTF-8 without a NUL.
  static func formDecode(_ raw: Data) -> String? {
    let bytes = [UInt8](raw)
    var out: [UInt8] = []
    var index = 0
    while index < bytes.count {
      switch bytes[index] {
      case UInt8(ascii: "+"):
        out.append(UInt8(ascii: " "))
        index += 1
      case UInt8(ascii: "%"):
        guard index + 2 < bytes.count, let high = ASCIIHex.value(bytes[index + 1]),
          let low = ASCIIHex.value(bytes[index + 2])
        else {
          return nil
        }
        out.append(high << 4 | low)
        index += 3
      default:
        out.append(bytes[index])
        index += 1
      }
    }
    guard !out.contains(0) else { return nil }
    return String(validating: out, as: UTF8.self)
  }
}
