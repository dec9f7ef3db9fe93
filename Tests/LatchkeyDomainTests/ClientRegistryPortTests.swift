import Foundation
import Synchronization
import Testing

@testable import LatchkeyDomain

/// Client authentication and introspection through the registry port: with
/// a registry that knows the clients and no failure on record, a success and
/// an introspection touch no store; failures and removals are published.
@Suite struct ClientRegistryPortTests {
  /// A registry answering from memory, as the server's does in sync.
  final class MemoryRegistry: ClientRegistry {
    struct State {
      var clients: [UUID: OAuthClient] = [:]
      var suspects: Set<String> = []
    }
    let state = Mutex(State())

    func client(id: UUID) throws -> OAuthClient? { state.withLock { $0.clients[id] } }
    func mayHaveFailures(_ keys: [String]) -> Bool { state.withLock { !$0.suspects.isDisjoint(with: keys) } }
    func failed(_ keys: [String]) { state.withLock { $0.suspects.formUnion(keys) } }
  }

  /// A revocation checker answering from a `RevocationSet`, as the view does.
  final class SetChecker: RevocationChecker {
    let set = Mutex(RevocationSet(accessTTL: 900))
    var answersWithoutIO: Bool { true }
    func isRevoked(_ token: AuthenticatedUser) throws -> Bool { set.withLock { $0.isRevoked(token) } }
    func revoked(_ batch: RevocationBatch) { set.withLock { $0.apply(batch, now: 0) } }
    func isClientTokenRevoked(jti: String, client: UUID) throws -> Bool {
      set.withLock { $0.isClientTokenRevoked(jti: jti, client: client) }
    }
    func isClientRemoved(_ client: UUID) -> Bool { set.withLock { $0.isClientRemoved(client) } }
  }

  struct Setup {
    let store = InMemoryStore()
    let registry = MemoryRegistry()
    let checker = SetChecker()
    let secrets = FakeSecrets()
    let oauth: OAuthService
    let address = "2001:db8::1"

    init() {
      var settings = AuthSettings()
      settings.loginMaxFailuresPerAccount = 2
      let auth = AuthService(
        settings: settings, store: store, hasher: FakeHasher(), codec: FakeCodec(), secrets: secrets,
        revocations: checker, clock: ManualClock())
      oauth = OAuthService(auth: auth, clientTokenTTL: 600, clients: registry)
    }

    func add() throws -> RegisteredClient {
      let added = try oauth.registerClient(
        name: "svc", isPublic: false, grants: [], scopes: ["read"], redirectURIs: [])
      registry.state.withLock { $0.clients[added.client.id] = added.client }
      return added
    }

    func credentials(_ client: RegisteredClient, secret: String? = nil) -> ClientCredentials {
      ClientCredentials(clientID: client.client.clientID, secret: secret ?? client.secret)
    }
  }

  @Test func aSuccessAndAnIntrospectionTouchNoStore() throws {
    let s = Setup()
    let client = try s.add()
    let caller = try s.add()
    let before = s.store.snapshot.transactions
    let token = try s.oauth.token(
      grantType: "client_credentials", scope: nil, credentials: s.credentials(client), address: s.address)
    let answer = try s.oauth.introspect(
      token: token.accessToken, credentials: s.credentials(caller), address: s.address)
    guard case .client(let claims) = answer else {
      Issue.record("expected an active client token, got \(answer)")
      return
    }
    #expect(claims.clientID == client.client.clientID)
    #expect(s.store.snapshot.transactions == before)
  }

  @Test func anUnknownIdAndAWrongSecretCostTheSameStoreWork() throws {
    let s = Setup()
    let client = try s.add()
    func storeWork(_ credentials: ClientCredentials, address: String) -> Int {
      let before = s.store.snapshot.transactions
      #expect(throws: OAuthService.authenticationFailed) {
        try s.oauth.token(
          grantType: "client_credentials", scope: nil, credentials: credentials, address: address)
      }
      return s.store.snapshot.transactions - before
    }
    let unknown = storeWork(ClientCredentials(clientID: UUID().uuidString, secret: "x"), address: "192.0.2.1")
    let wrong = storeWork(s.credentials(client, secret: "x"), address: "192.0.2.2")
    // One read of the client, one transaction recording the failure.
    #expect(unknown == 2 && wrong == 2)
  }

  @Test func aClientTheRegistryHasNotHeardOfIsFoundInTheStore() throws {
    let s = Setup()
    let added = try s.oauth.registerClient(
      name: "new", isPublic: false, grants: [], scopes: [], redirectURIs: [])
    _ = try s.oauth.token(
      grantType: "client_credentials", scope: nil, credentials: s.credentials(added), address: s.address)
  }

  @Test func registrationPublishesTheNewClient() throws {
    let s = Setup()
    let client = try s.add()
    #expect(s.store.snapshot.clientNotices == [.added(client.client.id)])
  }

  @Test func aFailureIsPublishedAndThenEveryAttemptReadsTheCounters() throws {
    let s = Setup()
    let client = try s.add()
    #expect(throws: OAuthError.self) {
      try s.oauth.token(
        grantType: "client_credentials", scope: nil, credentials: s.credentials(client, secret: "no"),
        address: s.address)
    }
    let keys = ["client:" + client.client.clientID, "client-address:" + s.address]
    #expect(s.store.snapshot.clientNotices.suffix(2) == keys.map { .failure(key: $0) })
    #expect(s.registry.mayHaveFailures(keys))
    // A success after a failure resets the client's budget (a write), so a
    // second failure does not throttle the right secret.
    _ = try s.oauth.token(
      grantType: "client_credentials", scope: nil, credentials: s.credentials(client), address: s.address)
    #expect(s.store.snapshot.throttle[keys[0]] == nil)
    #expect(throws: OAuthError.self) {
      try s.oauth.token(
        grantType: "client_credentials", scope: nil, credentials: s.credentials(client, secret: "no"),
        address: s.address)
    }
    _ = try s.oauth.token(
      grantType: "client_credentials", scope: nil, credentials: s.credentials(client), address: s.address)
  }

  @Test func removalIsARevocationNoticeAndARegistryNotice() throws {
    let s = Setup()
    let gone = try s.add()
    let caller = try s.add()
    let token = try s.oauth.token(
      grantType: "client_credentials", scope: nil, credentials: s.credentials(gone), address: s.address)
    #expect(try s.oauth.removeClient(id: gone.client.clientID))
    #expect(s.store.snapshot.published == [.clientRemoved(gone.client.id)])
    #expect(s.store.snapshot.clientNotices.last == .removed(gone.client.id))
    // The registry has not heard yet; the revocation checker has (the
    // removing instance applies its own batch): both answers already refuse.
    #expect(try s.registry.client(id: gone.client.id) != nil)
    #expect(
      try s.oauth.introspect(token: token.accessToken, credentials: s.credentials(caller), address: s.address)
        == .inactive)
    #expect(throws: OAuthService.authenticationFailed) {
      try s.oauth.token(
        grantType: "client_credentials", scope: nil, credentials: s.credentials(gone), address: s.address)
    }
  }
}
