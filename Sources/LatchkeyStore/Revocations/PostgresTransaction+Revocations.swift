import LatchkeyDomain
import LatchkeyPostgres

/// How instances tell each other about revocations: NOTIFY on one channel,
/// the payloads in the domain's wire format (`RevocationNotice`).
extension PostgresTransaction {
  public func publish(_ notices: [RevocationNotice]) throws {
    guard !notices.isEmpty else { return }
    // A notice is delivered only if this transaction commits.
    _ = try db.query(
      "select pg_notify($1, payload) from unnest(string_to_array($2, E'\\n')) as payload",
      [.text(RevocationChannels.revocations), .text(notices.map(\.payload).joined(separator: "\n"))])
  }

  /// The constant bound on `tokens_valid_after` lets even a generic
  /// (prepared) plan use the partial index of moved cut-offs (sql/0004).
  public func revocationSnapshot(revokedSince: Double, tokensExpiringAfter: Double) throws
    -> RevocationSnapshot
  {
    let sessions = try db.query(
      """
      select id, extract(epoch from revoked_at)::float8 as revoked_at from sessions
      where revoked_at > to_timestamp($1)
      """,
      [.double(revokedSince)]
    ).rows.compactMap { row in row.uuid("id").map { ($0, row.double("revoked_at") ?? revokedSince) } }
    let tokens = try db.query(
      """
      select jti, extract(epoch from expires_at)::float8 as expires_at from access_token_denylist
      where expires_at > to_timestamp($1)
      """,
      [.double(tokensExpiringAfter)]
    ).rows.compactMap { row in row.string("jti").map { ($0, row.double("expires_at") ?? .infinity) } }
    let users = try db.query(
      """
      select id, extract(epoch from tokens_valid_after)::float8 as cutoff from users
      where tokens_valid_after > '1970-01-01T00:00:00Z' and tokens_valid_after > to_timestamp($1)
      """,
      [.double(revokedSince)]
    ).rows.compactMap { row in row.uuid("id").map { ($0, row.double("cutoff") ?? revokedSince) } }
    return RevocationSnapshot(sessions: sessions, tokens: tokens, userCutoffs: users)
  }
}

/// The NOTIFY channels and the listener's identity in `pg_stat_activity`.
public enum RevocationChannels {
  public static let revocations = "latchkey_revocations"
  public static let acks = "latchkey_revocation_acks"
  /// The listeners' application_name: counting them gives the number of
  /// instances whose revocation views are live.
  public static let listenerName = "latchkey-revocation-listener"

  /// Instances whose revocation listener is connected to this database.
  public static func liveListeners(on db: PostgresConnection) throws -> Int {
    let rows = try db.query(
      """
      select count(*) as listeners from pg_stat_activity
      where application_name = $1 and datname = current_database()
      """,
      [.text(listenerName)]
    ).rows
    return Int(rows.first?.int("listeners") ?? 1)
  }

  /// Sends acknowledgements on the ack channel, one NOTIFY per ack.
  public static func sendAcks(_ acks: [RevocationAck], on db: PostgresConnection) throws {
    guard !acks.isEmpty else { return }
    _ = try db.query(
      "select pg_notify($1, payload) from unnest(string_to_array($2, E'\\n')) as payload",
      [.text(Self.acks), .text(acks.map(\.payload).joined(separator: "\n"))])
  }
}
