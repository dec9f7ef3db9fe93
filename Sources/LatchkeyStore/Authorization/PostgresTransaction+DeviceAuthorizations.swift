import FoundationEssentials
import LatchkeyDomain
import LatchkeyPostgres

/// Device flow authorizations (RFC 8628).
extension PostgresTransaction {
  private static let deviceColumns = """
    id, user_code, client_id, array_to_string(scopes, ' ') as scopes,
    extract(epoch from issued_at)::float8 as issued_at, extract(epoch from expires_at)::float8 as expires_at,
    interval_seconds, extract(epoch from last_polled_at)::float8 as last_polled_at, status, user_id,
    approved_session_id
    """

  /// One statement. `user_code` is unique over every row (sql/0005): an
  /// expired holder of the same code is deleted first, in `expired`, which
  /// the insert's condition reads so that it runs to completion before the
  /// insert checks the index (a row this statement deleted is no conflict).
  /// An unexpired holder is a conflict, and nothing is stored. Two
  /// concurrent inserts of one code meet in the unique index: the second
  /// waits for the first to commit, then conflicts (or, if the first rolled
  /// back, goes in); both deleting one expired row queue on its row lock,
  /// and the second finds it gone. Expiry is judged at the new
  /// authorization's `issuedAt`, its "now".
  public func insertDeviceAuthorization(
    id: UUID, deviceCodeHash: [UInt8], _ authorization: DeviceAuthorization
  ) throws -> Bool {
    let (status, user) = Self.stored(authorization.status)
    return try db.query(
      """
      with expired as (
        delete from device_authorizations where user_code = $3 and expires_at <= to_timestamp($6)
        returning id
      )
      insert into device_authorizations (
        id, device_code_hash, user_code, client_id, scopes, issued_at, expires_at, interval_seconds,
        last_polled_at, status, user_id, approved_session_id)
      select $1::uuid, $2::bytea, $3, $4::uuid, string_to_array($5, ' '), to_timestamp($6), to_timestamp($7),
        $8::int4, to_timestamp($9::float8), $10, $11::uuid, $12::uuid
      where (select count(*) from expired) >= 0
      on conflict (user_code) do nothing
      """,
      [
        .uuid(id), .bytes(deviceCodeHash), .text(authorization.userCode.normalized),
        .text(authorization.clientID), .text(authorization.scopes.joined(separator: " ")),
        .double(authorization.issuedAt), .double(authorization.expiresAt),
        .int(Int64(authorization.interval)),
        authorization.lastPolledAt.map(PostgresBind.double) ?? .null, .text(status),
        user.map(PostgresBind.uuid) ?? .null, authorization.approvedSessionID.map(PostgresBind.uuid) ?? .null,
      ]
    ).affectedRows == 1
  }

  public func lockDeviceAuthorization(deviceCodeHash: [UInt8]) throws -> StoredDeviceAuthorization? {
    try db.query(
      "select \(Self.deviceColumns) from device_authorizations where device_code_hash = $1::bytea for update",
      [.bytes(deviceCodeHash)]
    ).rows.first.map(Self.deviceAuthorization)
  }

  public func lockDeviceAuthorization(userCode: UserCode, now: Double) throws -> StoredDeviceAuthorization? {
    try db.query(
      """
      select \(Self.deviceColumns) from device_authorizations
      where user_code = $1 and expires_at > to_timestamp($2)
      for update
      """,
      [.text(userCode.normalized), .double(now)]
    ).rows.first.map(Self.deviceAuthorization)
  }

  /// Who approved is kept once the code is redeemed (`.redeemed` does not
  /// carry it), for the record.
  public func updateDeviceAuthorization(id: UUID, _ authorization: DeviceAuthorization) throws {
    let (status, user) = Self.stored(authorization.status)
    _ = try db.query(
      """
      update device_authorizations
      set status = $2, user_id = case when $2 = 'redeemed' then user_id else $3::uuid end,
        interval_seconds = $4::int4, last_polled_at = to_timestamp($5::float8),
        approved_session_id = coalesce($6::uuid, approved_session_id)
      where id = $1::uuid
      """,
      [
        .uuid(id), .text(status), user.map(PostgresBind.uuid) ?? .null, .int(Int64(authorization.interval)),
        authorization.lastPolledAt.map(PostgresBind.double) ?? .null,
        authorization.approvedSessionID.map(PostgresBind.uuid) ?? .null,
      ])
  }

  private static func stored(_ status: DeviceAuthorization.Status) -> (String, UUID?) {
    switch status {
    case .pending: ("pending", nil)
    case .approved(let user): ("approved", user)
    case .denied: ("denied", nil)
    case .redeemed: ("redeemed", nil)
    }
  }

  private static func deviceAuthorization(_ row: PostgresRow) throws -> StoredDeviceAuthorization {
    guard let id = row.uuid("id"), let code = row.string("user_code").flatMap(UserCode.init(normalizing:)),
      let clientID = row.string("client_id"), let issuedAt = row.double("issued_at"),
      let expiresAt = row.double("expires_at"), let interval = row.int("interval_seconds")
    else { throw UnexpectedRow(what: "device authorization") }
    let status: DeviceAuthorization.Status
    switch row.string("status") {
    case "pending": status = .pending
    case "approved":
      guard let user = row.uuid("user_id") else { throw UnexpectedRow(what: "approved device authorization") }
      status = .approved(userID: user)
    case "denied": status = .denied
    case "redeemed": status = .redeemed
    default: throw UnexpectedRow(what: "device authorization status")
    }
    return StoredDeviceAuthorization(
      id: id,
      authorization: DeviceAuthorization(
        clientID: clientID, scopes: scopes(row), userCode: code, issuedAt: issuedAt, expiresAt: expiresAt,
        interval: Int(interval), lastPolledAt: row.double("last_polled_at"), status: status,
        approvedSessionID: row.uuid("approved_session_id")))
  }
}
