import Foundation
import LatchkeyDomain
import LatchkeyPostgres
import LatchkeyStore
import LatchkeyTesting
import Testing

@testable import LatchkeyServer

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
        refreshToken: ended.grant.refreshToken.value, bearer: ended.grant.accessToken, global: false,
        client: client)
      #expect(try count("sessions", pool) == 2)
      #expect(try count("access_token_denylist", pool) == 1)

      // The purger runs on the injected clock, which the test moves.
      let purger = Purger(
        store: server.app.store, accessTTL: server.app.config.auth.accessTTL, clock: server.clock, batch: 1,
        logger: .disabled)
      // Right after the logout nothing may go: the revoked session's access
      // tokens are still within their lifetime.
      #expect(try purger.purgeOnce() == 0)
      #expect(try count("sessions", pool) == 2)

      // Past the access TTL the revoked session and its token go (batch of 1
      // per table per round); the live session stays.
      server.clock.advance(Double(server.app.config.auth.accessTTL) + 120)
      #expect(try purger.purgeOnce() >= 1)
      _ = try purger.purgeOnce()
      #expect(try count("sessions", pool) == 1)
      #expect(try count("access_token_denylist", pool) == 0)
      #expect(
        try pool.withConnection {
          try $0.query("select count(*) from sessions where id = $1::uuid", [.uuid(kept.grant.sessionID)])
            .rows
            .first?.int(0)
        } == 1)

      // Past the session's absolute lifetime everything goes.
      server.clock.advance(Double(server.app.config.auth.sessionMaxAge))
      for _ in 0..<4 { _ = try purger.purgeOnce() }
      #expect(try count("sessions", pool) == 0)
      #expect(try count("refresh_tokens", pool) == 0)
    }
  }

  @Test func aBacklogIsWorkedOffInOneCallBatchByBatch() throws {
    try withServer { server in
      let service = server.app.service
      let pool = server.app.pool
      let client = ClientInfo(ip: "127.0.0.1", userAgent: "test")
      _ = try service.register(email: "backlog@example.com", password: defaultPassword, client: client)
      for _ in 0..<5 {
        let ended = try service.login(email: "backlog@example.com", password: defaultPassword, client: client)
        try service.logout(
          refreshToken: ended.grant.refreshToken.value, bearer: nil, global: false, client: client)
      }
      #expect(try count("sessions", pool) == 5)
      server.clock.advance(Double(server.app.config.auth.accessTTL) + 120)
      // Batches of one: a single round would leave four revoked sessions behind.
      let purger = Purger(
        store: server.app.store, accessTTL: server.app.config.auth.accessTTL, clock: server.clock, batch: 1,
        logger: .disabled)
      #expect(try purger.purgeUntilCaughtUp() >= 5)
      #expect(try count("sessions", pool) == 0)
    }
  }
}
