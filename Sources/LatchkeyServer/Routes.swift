import LatchkeyDomain
import LatchkeyHTTP

/// The HTTP surface (docs/api.md): decode, call `AuthService`, encode. No
/// rules live here; errors are thrown and mapped in one place
/// (`ErrorMapping`). Each feature registers its routes from its own folder.
public struct Routes: Sendable {
  let service: AuthService
  let refreshCookie: SessionCookie
  let deviceCookie: SessionCookie
  let origins: OriginGuard
  let addresses: ClientAddressResolver
  let metrics: Metrics
  let readiness: @Sendable () -> Bool
  let oauth: OAuthService
  let publicURL: String
  let keys: KeyRing
  let keyPublishDelay: Int64
  let demo: Bool
  let authorization: AuthorizationService
  let signInCookie: SessionCookie
  let antiForgery: AntiForgery
  /// The pages' forms accept posts from this server's own origin only.
  let pageOrigins: OriginGuard

  public init(
    service: AuthService, config: Configuration, metrics: Metrics, keys: KeyRing,
    clients: (any ClientRegistry)? = nil, readiness: @escaping @Sendable () -> Bool
  ) {
    self.service = service
    self.refreshCookie = .refresh(secure: config.cookieSecure)
    self.deviceCookie = .device(secure: config.cookieSecure)
    self.origins = OriginGuard(allowed: config.allowedOrigins)
    self.addresses = ClientAddressResolver(
      trusted: config.trustedProxies.compactMap(AddressRange.init(parsing:)))
    self.metrics = metrics
    self.readiness = readiness
    self.oauth = OAuthService(auth: service, clientTokenTTL: config.clientTokenTTL, clients: clients)
    self.publicURL = config.publicURL
    self.keys = keys
    self.keyPublishDelay = config.keyPublishDelay
    self.demo = config.demo
    self.authorization = AuthorizationService(
      oauth: oauth, digests: CryptoDigests(), random: CryptoRandomBytes(),
      verificationURI: config.publicURL + "/device")
    self.signInCookie = .signIn(secure: config.cookieSecure)
    self.antiForgery = AntiForgery(secret: config.jwtSecret, secure: config.cookieSecure)
    self.pageOrigins = OriginGuard(allowed: [OriginGuard.origin(of: config.publicURL)])
  }

  public func router() -> Router {
    var router = Router()
    addOperationsRoutes(to: &router)
    addSessionRoutes(to: &router)
    addAccountRoutes(to: &router)
    addAdminRoutes(to: &router)
    addOAuthRoutes(to: &router)
    addKeyRoutes(to: &router)
    addBrowserRoutes(to: &router)
    if demo { addDemoClientRoutes(to: &router) }
    return router
  }

  /// Protected routes answer without I/O while the revocation view is in
  /// sync; otherwise they run on a worker (the check reads the database).
  var protectedExecution: Execution {
    let revocations = service.revocations
    return .inlineWhen { revocations.answersWithoutIO }
  }

  func client(_ request: Request) -> ClientInfo {
    ClientInfo(ip: addresses.clientAddress(for: request), userAgent: request.header("user-agent") ?? "")
  }

  /// The identity of the `/api` group's requests (docs/api.md#protected-routes).
  var authenticate: @Sendable (Request) throws -> AuthenticatedUser {
    let service = self.service
    return { try service.authenticate(bearer: $0.bearerToken) }
  }
}
