import LatchkeyDomain
import LatchkeyPostgres

/// The signing-key table, its lock and its change notice.
extension PostgresTransaction: SigningKeyStore {
  public func signingKeys() throws -> [StoredSigningKey] {
    try db.query(
      """
      select kid, alg, extract(epoch from created_at)::float8 as created_at,
        extract(epoch from activates_at)::float8 as activates_at, sealed_private_key, public_key
      from signing_keys
      """
    ).rows.compactMap(Self.signingKey)
  }

  public func insertSigningKey(_ key: StoredSigningKey) throws {
    _ = try db.query(
      """
      insert into signing_keys (kid, alg, created_at, activates_at, sealed_private_key, public_key)
      values ($1, $2, to_timestamp($3), to_timestamp($4), $5, $6)
      """,
      [
        .text(key.record.kid), .text(key.record.algorithm.rawValue), .double(key.record.createdAt),
        .double(key.record.activatesAt), .bytes(key.sealedPrivateKey), .bytes(key.publicKey),
      ])
  }

  public func deleteSigningKeys(kids: [String]) throws {
    // A handful of keys at most, a few times a day: one statement each keeps the SQL plain.
    for kid in kids {
      _ = try db.query("delete from signing_keys where kid = $1", [.text(kid)])
    }
  }

  public func lockSigningKeys() throws {
    // A transaction-scoped advisory lock: released by COMMIT or ROLLBACK whatever happens, and it
    // works through a transaction-mode pooler, unlike a session lock.
    _ = try db.query("select pg_advisory_xact_lock($1::int8)", [.int(SigningKeyChannel.lockKey)])
  }

  public func publishSigningKeysChanged() throws {
    _ = try db.query("select pg_notify($1, 'changed')", [.text(SigningKeyChannel.name)])
  }

  /// Rows with an algorithm this version does not know are skipped rather than failing every read.
  private static func signingKey(_ row: PostgresRow) -> StoredSigningKey? {
    guard let kid = row.string("kid"), let algorithm = row.string("alg").flatMap(SigningKeyAlgorithm.init),
      let createdAt = row.double("created_at"), let activatesAt = row.double("activates_at"),
      let sealed = row.bytes("sealed_private_key"), let publicKey = row.bytes("public_key")
    else { return nil }
    return StoredSigningKey(
      record: SigningKeyRecord(
        kid: kid, algorithm: algorithm, createdAt: createdAt, activatesAt: activatesAt),
      sealedPrivateKey: sealed, publicKey: publicKey)
  }
}

/// The NOTIFY channel that tells every instance the key table changed, and the advisory lock that
/// serialises key creation.
public enum SigningKeyChannel {
  public static let name = "latchkey_keys"
  /// "LatchKys" in ASCII; distinct from the migrator's lock.
  public static let lockKey: Int64 = 0x4C61_7463_684B_7973
}
