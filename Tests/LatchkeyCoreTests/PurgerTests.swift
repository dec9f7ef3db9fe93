import Foundation
import LatchkeyPostgres
import LatchkeyTesting
import Testing

@testable import LatchkeyCore

/// The background purge deletes only rows that can no longer matter, in
/// batches, against a real PostgreSQL.
@Suite struct PurgerTests {
  func count(_ table: String, _ pool: PostgresPool) throws -> Int64 {
    try pool.withConnection { try $0.query("select count(*) from \(table)").rows.first?.int(0) ?? -1 }
  }

  @Test func purgesRevokedExpiredAndDenylistedRowsOnlyWhenHarmless() throws {
    try withServer { server in
      let service = server.app.service
      let pool = server.app.pool
      let client = ClientInfo(ip: "127.0.0.1", userAgent: "test")
      _ = try service.register(email: "purge@example.com", password: defaultPassword, client: client)
      let kept = try service.login(email: "purge@example.com", password: defaultPassword, client: client)
      let ended = try service.login(email: "purge@example.com", password: defaultPassword, client: client)
      try service.logout(
        refreshToken: ended.refreshToken.value, bearer: ended.accessToken, global: false, client: client)
      #expect(try count("sessions", pool) == 2)
      #expect(try count("access_token_denylist", pool) == 1)

      let purger = Purger(
        pool: pool, accessTTL: server.app.config.accessTTL, batch: 1, logger: Logger(enabled: false))
      let now = server.clock.now()
      // Right after the logout nothing may go: the revoked session's access
      // tokens are still within their lifetime.
      #expect(try purger.purgeOnce(now: now) == 0)
      #expect(try count("sessions", pool) == 2)

      // Past the access TTL the revoked session and its token go (batch of 1
      // per table per round); the live session stays.
      let later = now + Double(server.app.config.accessTTL) + 120
      #expect(try purger.purgeOnce(now: later) >= 1)
      _ = try purger.purgeOnce(now: later)
      #expect(try count("sessions", pool) == 1)
      #expect(try count("access_token_denylist", pool) == 0)
      #expect(
        try pool.withConnection {
          try $0.query("select count(*) from sessions where id = $1::uuid", [.uuid(kept.sessionID)]).rows
            .first?.int(0)
        } == 1)

      // Past the session's absolute lifetime everything goes.
      let end = now + Double(server.app.config.sessionMaxAge) + Double(server.app.config.accessTTL) + 120
      for _ in 0..<4 { _ = try purger.purgeOnce(now: end) }
      #expect(try count("sessions", pool) == 0)
      #expect(try count("refresh_tokens", pool) == 0)
    }
  }
}
