import FoundationEssentials
import LatchkeyDomain
import LatchkeyPostgres

/// OAuth clients. Lists travel as space-delimited text (no grant, scope or
/// redirect URI contains a space) and are kept as `text[]`.
extension PostgresTransaction: ClientStore {
  private static let columns = """
    id, name, secret_digest, array_to_string(grants, ' ') as grants, array_to_string(scopes, ' ') as scopes,
    array_to_string(redirect_uris, ' ') as redirect_uris, extract(epoch from created_at)::float8 as created_at
    """

  public func insertClient(_ client: OAuthClient) throws {
    _ = try db.query(
      """
      insert into clients (id, name, secret_digest, public, grants, scopes, redirect_uris, created_at)
      values ($1::uuid, $2, $3::bytea, $4, string_to_array($5, ' '), string_to_array($6, ' '),
        string_to_array($7, ' '), to_timestamp($8))
      """,
      [
        .uuid(client.id), .text(client.name), client.secretDigest.map(PostgresBind.bytes) ?? .null,
        .bool(client.isPublic), .text(client.grants.map(\.rawValue).joined(separator: " ")),
        .text(client.scopes.joined(separator: " ")), .text(client.redirectURIs.joined(separator: " ")),
        .double(client.createdAt),
      ])
  }

  public func findClient(id: UUID) throws -> OAuthClient? {
    try db.query("select \(Self.columns) from clients where id = $1::uuid", [.uuid(id)]).rows.first.map(
      Self.client)
  }

  public func listClients() throws -> [OAuthClient] {
    try db.query("select \(Self.columns) from clients order by created_at, id").rows.map(Self.client)
  }

  public func deleteClient(id: UUID) throws -> Bool {
    try db.query("delete from clients where id = $1::uuid", [.uuid(id)]).affectedRows == 1
  }

  public func clientTokenStatus(client: UUID, jti: String) throws -> ClientTokenStatus {
    let result = try db.query(
      """
      select exists (select 1 from clients where id = $1::uuid) as client_exists,
        exists (select 1 from access_token_denylist where jti = $2) as denylisted
      """,
      [.uuid(client), .text(jti)])
    guard let row = result.rows.first, let exists = row.bool("client_exists"),
      let denylisted = row.bool("denylisted")
    else { throw UnexpectedRow(what: "client token status") }
    return ClientTokenStatus(clientExists: exists, denylisted: denylisted)
  }

  public func publishClientNotices(_ notices: [ClientNotice]) throws {
    guard !notices.isEmpty else { return }
    // Delivered only if this transaction commits.
    _ = try db.query(
      "select pg_notify($1, payload) from unnest(string_to_array($2, E'\\n')) as payload",
      [.text(ClientChannels.clients), .text(notices.map(\.payload).joined(separator: "\n"))])
  }

  /// The client throttle keys whose failure window is still open at `now`
  /// (a window opened at `since` or later), with when it opened: what a
  /// client registry loads on a resync.
  public func openClientFailureWindows(since: Double) throws -> [(key: String, windowStartedAt: Double)] {
    try db.query(
      """
      select key, extract(epoch from window_started_at)::float8 as window_started_at from login_throttle
      where key like 'client%' and failures > 0 and window_started_at > to_timestamp($1)
      """,
      [.double(since)]
    ).rows.compactMap { row in
      guard let key = row.string("key"), let started = row.double("window_started_at") else { return nil }
      return (key, started)
    }
  }

  private static func client(_ row: PostgresRow) throws -> OAuthClient {
    guard let id = row.uuid("id"), let name = row.string("name"), let created = row.double("created_at")
    else {
      throw UnexpectedRow(what: "client")
    }
    func list(_ column: String) -> [String] {
      (row.string(column) ?? "").split(separator: " ").map(String.init)
    }
    // A grant this version does not know (written by a newer one) is left
    // out rather than failing every read of the client.
    return OAuthClient(
      id: id, name: name, secretDigest: row.bytes("secret_digest"),
      grants: list("grants").compactMap(OAuthGrantType.init(rawValue:)), scopes: list("scopes"),
      redirectURIs: list("redirect_uris"), createdAt: created)
  }
}

/// The NOTIFY channel of the client registries and their listeners' name in
/// `pg_stat_activity`.
public enum ClientChannels {
  public static let clients = "latchkey_clients"
  public static let listenerName = "latchkey-client-listener"
}
