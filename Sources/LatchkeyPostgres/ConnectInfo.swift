import CLibPQ
import FoundationEssentials
import LatchkeyText

/// libpq connection keywords built from a URL plus our settings.
///
/// The URL goes in as an expanded `dbname`: keywords before it are defaults the URL may override
/// (keepalives), keywords after it are ours and win (`options` carrying statement_timeout, which
/// is appended to any `options` the URL already has).
struct ConnectInfo {
  let keywords: [String]
  let values: [String]
  let password: String?

  init(url: String, statementTimeoutMilliseconds: Int, connectTimeoutSeconds: Int) throws(PostgresError) {
    var errorMessage: UnsafeMutablePointer<CChar>?
    guard let parsed = PQconninfoParse(url, &errorMessage) else {
      if let errorMessage { PQfreemem(errorMessage) }
      // libpq's parse errors quote pieces of the URL, which may be the password: say less.
      throw PostgresError(kind: .connection, serverMessage: "invalid database URL")
    }
    defer { PQconninfoFree(parsed) }
    var urlOptions: String?
    var password: String?
    var option = parsed
    while let keyword = option.pointee.keyword {
      if let value = option.pointee.val {
        switch String(cString: keyword) {
        case "options": urlOptions = String(cString: value)
        case "password": password = String(cString: value)
        default: break
        }
      }
      option += 1
    }
    self.password = password

    var options = urlOptions.map { $0 + " " } ?? ""
    options += "-c statement_timeout=\(max(0, statementTimeoutMilliseconds))"
    let pairs: [(String, String)] = [
      // Defaults: a silently dead peer (no FIN, e.g. a failover) is noticed in ~25s, not hours.
      ("keepalives", "1"),
      ("keepalives_idle", "10"),
      ("keepalives_interval", "5"),
      ("keepalives_count", "3"),
      ("fallback_application_name", "latchkey"),
      ("dbname", url),
      ("connect_timeout", String(max(1, connectTimeoutSeconds))),
      ("options", options),
    ]
    keywords = pairs.map(\.0)
    values = pairs.map(\.1)
  }

  /// Removes the password and the URL from a libpq message before it is stored in an error.
  func scrub(_ message: String, url: String) -> String {
    var text = message.replacingAll(url, with: "<url>")
    if let password, !password.isEmpty { text = text.replacingAll(password, with: "***") }
    return text
  }
}

extension String {
  /// libpq messages are multi-line with tab-indented hints; one line reads better in logs.
  var singleLine: String {
    split(whereSeparator: { $0 == "\n" || $0 == "\t" || $0 == "\r" })
      .map { $0.trimmingWhitespace() }
      .filter { !$0.isEmpty }
      .joined(separator: " ")
  }

  fileprivate func replacingAll(_ target: String, with replacement: String) -> String {
    guard !target.isEmpty else { return self }
    return components(separatedBy: target).joined(separator: replacement)
  }
}
