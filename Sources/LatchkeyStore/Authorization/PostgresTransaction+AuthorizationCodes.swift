import FoundationEssentials
import LatchkeyDomain
import LatchkeyPostgres

/// Authorization codes and consents. A client id travels as text (the
/// domain's `clientID`, a UUID's lowercase spelling), is kept as `uuid` and
/// read back as PostgreSQL writes it: lowercase, the same spelling. Scope
/// lists travel space-delimited, as the clients'.
extension PostgresTransaction: AuthorizationStore {
  public func insertAuthorizationCode(hash: [UInt8], _ code: PendingAuthorizationCode) throws {
    _ = try db.query(
      """
      insert into authorization_codes (
        code_hash, client_id, redirect_uri, redirect_uri_presented, code_challenge, user_id, scopes, grant_id,
        issued_at, expires_at, used_at, sign_in_session_id)
      values ($1::bytea, $2::uuid, $3, $4, $5, $6::uuid, string_to_array($7, ' '), $8::uuid, to_timestamp($9),
        to_timestamp($10), to_timestamp($11::float8), $12::uuid)
      """,
      [
        .bytes(hash), .text(code.clientID), .text(code.redirectURI), .bool(code.redirectURIWasPresented),
        .text(code.codeChallenge), .uuid(code.userID), .text(code.scopes.joined(separator: " ")),
        .uuid(code.grantID), .double(code.issuedAt), .double(code.expiresAt),
        code.usedAt.map(PostgresBind.double) ?? .null, code.signInSessionID.map(PostgresBind.uuid) ?? .null,
      ])
  }

  public func lockAuthorizationCode(hash: [UInt8]) throws -> PendingAuthorizationCode? {
    let result = try db.query(
      """
      select client_id, redirect_uri, redirect_uri_presented, code_challenge, user_id,
        array_to_string(scopes, ' ') as scopes, grant_id, extract(epoch from issued_at)::float8 as issued_at,
        extract(epoch from expires_at)::float8 as expires_at, extract(epoch from used_at)::float8 as used_at,
        sign_in_session_id
      from authorization_codes where code_hash = $1::bytea
      for update
      """,
      [.bytes(hash)])
    guard let row = result.rows.first else { return nil }
    guard let clientID = row.string("client_id"), let redirectURI = row.string("redirect_uri"),
      let presented = row.bool("redirect_uri_presented"), let challenge = row.string("code_challenge"),
      let userID = row.uuid("user_id"), let grantID = row.uuid("grant_id"),
      let issuedAt = row.double("issued_at"), let expiresAt = row.double("expires_at")
    else { throw UnexpectedRow(what: "authorization code") }
    return PendingAuthorizationCode(
      clientID: clientID, redirectURI: redirectURI, redirectURIWasPresented: presented,
      codeChallenge: challenge, userID: userID, scopes: Self.scopes(row), grantID: grantID,
      issuedAt: issuedAt, expiresAt: expiresAt, usedAt: row.double("used_at"),
      signInSessionID: row.uuid("sign_in_session_id"))
  }

  public func markAuthorizationCodeUsed(hash: [UInt8], now: Double) throws {
    _ = try db.query(
      "update authorization_codes set used_at = to_timestamp($2) where code_hash = $1::bytea",
      [.bytes(hash), .double(now)])
  }

  public func consentedScopes(user: UUID, client: UUID) throws -> [String]? {
    try db.query(
      """
      select array_to_string(scopes, ' ') as scopes from consents
      where user_id = $1::uuid and client_id = $2::uuid
      """,
      [.uuid(user), .uuid(client)]
    ).rows.first.map(Self.scopes)
  }

  /// Replaces what was consented before: the consent page asks for the
  /// whole set it shows.
  public func saveConsent(user: UUID, client: UUID, scopes: [String], now: Double) throws {
    _ = try db.query(
      """
      insert into consents (user_id, client_id, scopes, granted_at)
      values ($1::uuid, $2::uuid, string_to_array($3, ' '), to_timestamp($4))
      on conflict (user_id, client_id) do update set scopes = excluded.scopes, granted_at = excluded.granted_at
      """,
      [.uuid(user), .uuid(client), .text(scopes.joined(separator: " ")), .double(now)])
  }

  /// A `scopes` column read as space-delimited text.
  static func scopes(_ row: PostgresRow) -> [String] {
    (row.string("scopes") ?? "").split(separator: " ").map(String.init)
  }
}
