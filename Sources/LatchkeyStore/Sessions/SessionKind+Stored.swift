import FoundationEssentials
import LatchkeyDomain
import LatchkeyPostgres

/// A session's kind as the `sessions` row keeps it: `kind` text, and for a
/// grant `client_id` and `scopes` (space-delimited on the wire, `text[]` in
/// the table, as the clients' lists).
extension SessionKind {
  /// The columns a statement selects to read a kind back with `init(row:)`,
  /// for `sessions` aliased `s`.
  static let columns = "s.kind, s.client_id, array_to_string(s.scopes, ' ') as scopes"

  /// `kind`, `client_id` and `scopes`, in this order.
  var binds: [PostgresBind] {
    switch self {
    case .browser: [.text("browser"), .null, .null]
    case .signIn: [.text("signin"), .null, .null]
    case .grant(let client, let scopes):
      [.text("grant"), .uuid(client), .text(scopes.joined(separator: " "))]
    }
  }

  /// A kind this version does not know (a newer one wrote it) is an error,
  /// not a guess: a guess could accept a token where it does not belong.
  init(row: PostgresRow) throws {
    switch row.string("kind") {
    case "browser": self = .browser
    case "signin": self = .signIn
    case "grant":
      guard let client = row.uuid("client_id") else { throw UnexpectedRow(what: "grant session") }
      self = .grant(
        client: client, scopes: (row.string("scopes") ?? "").split(separator: " ").map(String.init))
    default: throw UnexpectedRow(what: "session kind")
    }
  }
}

extension RefreshHolder {
  /// The condition on `sessions` (aliased `s`) matching the sessions whose
  /// tokens this holder may present (`accepts`, in SQL), and its binds,
  /// numbered from `first`.
  func condition(firstBind first: Int) -> (String, [PostgresBind]) {
    switch self {
    case .browser: ("s.kind = 'browser'", [])
    case .client(let id): ("s.kind = 'grant' and s.client_id = $\(first)::uuid", [.uuid(id)])
    }
  }
}
