import FoundationEssentials
import LatchkeyConcurrency
import LatchkeyDomain
import LatchkeyPostgres
import LatchkeyServer
import LatchkeyStore

extension CommandLine {
  static let clientUsage = """
    usage: latchkey client add NAME [--scope "a b c"] [--grant GRANT]... [--public] [--redirect-uri URI]...
           latchkey client list
           latchkey client remove ID
    """

  /// `latchkey client ...` (docs/oauth.md#clients). Output is JSON, one
  /// object per line; a secret is printed once, by `add`, and never again.
  static func client(_ arguments: [String], _ environment: [String: String]) throws -> Int32 {
    guard let verb = arguments.first else {
      printError(clientUsage)
      return 2
    }
    let rest = Array(arguments.dropFirst())
    let request: ClientCommand
    switch (verb, rest.count) {
    case ("add", 1...):
      guard let add = ClientCommand.parseAdd(rest) else {
        printError(clientUsage)
        return 2
      }
      request = add
    case ("list", 0): request = .list
    case ("remove", 1): request = .remove(rest[0])
    default:
      printError(clientUsage)
      return 2
    }
    let config = try Configuration.loadForDatabaseTools(from: environment)
    _ = try Migrations.apply(
      url: config.databaseURL, directory: Migrations.directory(configured: config.migrationsDirectory))
    let pool = PostgresPool(url: config.databaseURL, size: 1)
    defer { pool.close() }
    let store = PostgresStore(pool: pool)
    // A removal returns once every serving instance has applied it.
    var waiter: RevocationAckWaiter? = nil
    if case .remove = request {
      waiter = RevocationAckWaiter(listenURL: config.databaseListenURL, store: store)
      waiter?.start()
    }
    defer { waiter?.stop() }
    let service = try oauthService(store, config, revocations: waiter)
    do {
      return try request.run(on: service)
    } catch let error as OAuthError {
      printError("latchkey: \(error.errorDescription)")
      return 2
    }
  }

  /// The OAuth service over the database alone: these commands sign no
  /// token, so the codec and secrets get a throwaway key.
  private static func oauthService(
    _ store: PostgresStore, _ config: Configuration, revocations: (any RevocationChecker)? = nil
  ) throws -> OAuthService {
    let unused = Array(repeating: UInt8(0), count: 32)
    let auth = AuthService(
      settings: config.auth, store: store,
      hasher: Argon2PasswordHashing(
        parameters: config.argon2Parameters, pool: BoundedThreadPool(threads: 1, queueLimit: 1)),
      codec: try JWTAccessTokenCodec(
        secret: unused, previousSecrets: [], issuer: config.auth.issuer, audience: config.auth.audience),
      secrets: CryptoTokenSecrets(secret: unused), revocations: revocations)
    return OAuthService(auth: auth, clientTokenTTL: config.auth.accessTTL)
  }
}

enum ClientCommand {
  case add(name: String, scopes: [String], grants: [OAuthGrantType], isPublic: Bool, redirectURIs: [String])
  case list
  case remove(String)

  static func parseAdd(_ arguments: [String]) -> ClientCommand? {
    var name: String?
    var scopes: [String] = []
    var grants: [OAuthGrantType] = []
    var isPublic = false
    var uris: [String] = []
    var rest = arguments[...]
    while let argument = rest.popFirst() {
      switch argument {
      case "--public": isPublic = true
      case "--scope":
        guard let value = rest.popFirst() else { return nil }
        scopes += value.split(separator: " ").map(String.init)
      case "--grant":
        guard let value = rest.popFirst(), let grant = OAuthGrantType(rawValue: value) else { return nil }
        grants.append(grant)
      case "--redirect-uri":
        guard let value = rest.popFirst() else { return nil }
        uris.append(value)
      default:
        guard name == nil, !argument.hasPrefix("--") else { return nil }
        name = argument
      }
    }
    guard let name else { return nil }
    return .add(name: name, scopes: scopes, grants: grants, isPublic: isPublic, redirectURIs: uris)
  }

  func run(on service: OAuthService) throws -> Int32 {
    switch self {
    case .add(let name, let scopes, let grants, let isPublic, let uris):
      let added = try service.registerClient(
        name: name, isPublic: isPublic, grants: grants, scopes: scopes, redirectURIs: uris)
      print(Self.jsonLine(Added(client_id: added.client.clientID, client_secret: added.secret)))
    case .list:
      for client in try service.listClients() {
        print(
          Self.jsonLine(
            Listed(
              created: ListingTime.seconds(client.createdAt), grants: client.grants.map(\.rawValue),
              id: client.clientID, name: client.name, public: client.isPublic,
              redirect_uris: client.redirectURIs, scopes: client.scopes)))
      }
    case .remove(let id):
      guard try service.removeClient(id: id) else {
        CommandLine.printError("latchkey: no client with this id")
        return 1
      }
      print(Self.jsonLine(Removed(removed: id.lowercased())))
    }
    return 0
  }

  // The printed shapes; a nil secret leaves its member out.
  private struct Added: Encodable {
    var client_id: String
    var client_secret: String?
  }

  private struct Listed: Encodable {
    var created: String
    var grants: [String]
    var id: String
    var name: String
    var `public`: Bool
    var redirect_uris: [String]
    var scopes: [String]
  }

  private struct Removed: Encodable {
    var removed: String
  }

  /// Sorted keys and unescaped slashes: the bytes JSONSerialization printed with the same options
  /// (the escaping is the same code), without needing full Foundation.
  static func jsonLine(_ value: some Encodable) -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    let data = try? encoder.encode(value)
    return data.map { String(decoding: $0, as: UTF8.self) } ?? "{}"
  }
}
