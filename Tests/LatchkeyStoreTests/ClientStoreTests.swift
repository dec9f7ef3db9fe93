import Foundation
import LatchkeyDomain
import LatchkeyPostgres
import LatchkeyStore
import LatchkeyTesting
import Testing

/// The clients' SQL against a real PostgreSQL: one fresh, migrated database
/// per test.
@Suite struct ClientStoreTests {
  func withStore<T>(_ body: (PostgresStore, String) throws -> T) throws -> T {
    let url = try TestDatabase.create(prefix: "clients")
    defer { TestDatabase.drop(url) }
    _ = try Migrations.apply(url: url, directory: TestServer.migrationsDirectory)
    let pool = PostgresPool(url: url, size: 2)
    defer { pool.close() }
    return try body(PostgresStore(pool: pool), url)
  }

  func client(digest: [UInt8]? = Array(repeating: 7, count: 32), at createdAt: Double = 1000) -> OAuthClient {
    OAuthClient(
      id: UUID(), name: "billing \"svc\"", secretDigest: digest, grants: [.clientCredentials, .refreshToken],
      scopes: ["read", "write:all"], redirectURIs: ["https://app.example/cb?x=1", "http://127.0.0.1:9/cb"],
      createdAt: createdAt)
  }

  @Test func clientsRoundTripAndListOldestFirst() throws {
    try withStore { store, _ in
      let confidential = client(at: 2000.5)
      var pub = client(digest: nil, at: 1000)
      pub.grants = [.authorizationCode]
      pub.scopes = []
      pub.redirectURIs = []
      try store.transaction { tx in
        try tx.insertClient(confidential)
        try tx.insertClient(pub)
      }
      #expect(try store.read { try $0.findClient(id: confidential.id) } == confidential)
      #expect(try store.read { try $0.findClient(id: pub.id) } == pub)
      #expect(try store.read { try $0.findClient(id: UUID()) } == nil)
      #expect(try store.read { try $0.listClients() }.map(\.id) == [pub.id, confidential.id])
    }
  }

  @Test func theSchemaRefusesASecretlessConfidentialClient() throws {
    try withStore { _, url in
      let connection = try PostgresConnection(url: url)
      defer { connection.close() }
      #expect(throws: PostgresError.self) {
        try connection.query(
          """
          insert into clients (id, name, secret_digest, public, grants, scopes, redirect_uris, created_at)
          values ('00000000-0000-0000-0000-000000000001', 'x', null, false, '{}', '{}', '{}', now())
          """)
      }
    }
  }

  @Test func removalAndTokenStatus() throws {
    try withStore { store, _ in
      let c = client()
      try store.transaction { try $0.insertClient(c) }
      #expect(
        try store.read { try $0.clientTokenStatus(client: c.id, jti: "j1") }
          == .init(clientExists: true, denylisted: false))
      _ = try store.transaction { try $0.denylist(jti: "j1", expiresAt: 4_000_000_000) }
      #expect(
        try store.read { try $0.clientTokenStatus(client: c.id, jti: "j1") }
          == .init(clientExists: true, denylisted: true))
      #expect(try store.transaction { try $0.deleteClient(id: c.id) })
      #expect(try !store.transaction { try $0.deleteClient(id: c.id) })
      #expect(
        try store.read { try $0.clientTokenStatus(client: c.id, jti: "j2") }
          == .init(clientExists: false, denylisted: false))
      #expect(try store.read { try $0.listClients() }.isEmpty)
    }
  }
}
