import Foundation
import LatchkeyHTTP
import LatchkeyJSON
import LatchkeyTesting
import Testing

/// The middleware chain, cache policy, typed methods and statuses,
/// authenticated route groups and the request-id rule, without a socket
/// unless the point is the server's own answers.
@Suite struct MiddlewareTests {
  struct User: Sendable, Equatable {
    var name: String
  }

  struct NoToken: Error {}

  /// Authenticates `Authorization: Bearer good` as alice.
  static let authenticate: @Sendable (Request) throws -> User = { request in
    guard request.bearerToken == "good" else { throw NoToken() }
    return User(name: "alice")
  }

  static let mapError: Responder.ErrorMapper = { error in
    guard error is NoToken else { return nil }
    return HTTPError(
      status: .unauthorized, code: "invalid_token", description: "missing bearer token",
      headers: [HTTPError.HeaderField("WWW-Authenticate", "Bearer")])
  }

  func router() -> Router {
    var router = Router()
    router.add(.get, "/public", execution: .inline) { _ in Response.json(.ok, bytes: Array("{}".utf8)) }
    router.add(.post, "/token", execution: .inline, cache: .noStore) { _ in
      Response.json(.ok, bytes: Array(#"{"access_token":"t"}"#.utf8))
    }
    router.group(execution: .inline, cache: .noStore, authenticate: Self.authenticate) { api in
      api.add(.get, "/api/me") { _, user in
        Response.json(.ok, bytes: JSONText.object([("name", user.name)]))
      }
      api.add(.delete, "/api/things/{id}", execution: .blocking) { request, user in
        Response.json(
          .ok, bytes: JSONText.object([("id", request.parameters["id"] ?? ""), ("by", user.name)]))
      }
    }
    return router
  }

  static func json(_ response: Response) -> [String: Any] {
    (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any] ?? [:]
  }

  // MARK: - Methods and statuses

  @Test func methodsAndStatusesConvertBothWays() {
    let method: HTTPMethod = "GET"
    #expect(method == .get)
    #expect(HTTPMethod("PATCH").rawValue == "PATCH")
    #expect(Request(method: "DELETE", path: "/").httpMethod == .delete)
    #expect(HTTPMethod("get") != .get, "methods are case-sensitive")
    let status: HTTPStatus = 404
    #expect(status == .notFound)
    #expect(HTTPStatus.serviceUnavailable.code == 503)
    var response = Response(status: .created)
    #expect(response.status == 201)
    response.httpStatus = .noContent
    #expect(response.status == 204)
    #expect(HTTPError(status: .conflict, code: "c", description: "d").status == 409)
  }

  // MARK: - Chain

  @Test func everyAnswerPassesTheStandardChain() {
    let responder = Responder(router: router(), cors: CORSPolicy(allowedOrigins: ["https://app.example"]))
    for (method, path) in [("GET", "/public"), ("GET", "/nowhere"), ("PUT", "/public"), ("GET", "/api/me")] {
      let response = responder.respond(
        to: Request(
          method: method, path: path, headers: [("Origin", "https://app.example")], requestID: "r-1"))
      #expect(response.header("X-Content-Type-Options") == "nosniff", "\(method) \(path)")
      #expect(response.header("X-Request-Id") == "r-1", "\(method) \(path)")
      #expect(response.header("Access-Control-Allow-Origin") == "https://app.example", "\(method) \(path)")
      #expect(response.headers(named: "X-Content-Type-Options").count == 1)
    }
    // A refusal made by the server itself goes the same way.
    let refused = responder.finish(
      HTTPError.unavailable(retryAfter: 1, "server is busy").response, for: Request(method: "GET", path: "/x")
    )
    #expect(refused.header("X-Content-Type-Options") == "nosniff")
  }

  struct Tagging: Middleware {
    var tag: String
    func respond(to request: Request, next: (Request) -> Response) -> Response {
      var request = request
      request.headers.append((name: "x-seen", value: tag))
      var response = next(request)
      response.addHeader("X-Order", tag)
      return response
    }
  }

  @Test func customMiddlewareRunsInOrderAroundTheHandler() {
    var router = Router()
    router.add(.get, "/seen", execution: .inline) { request in
      Response.json(
        .ok,
        bytes: JSONText.object([
          ("seen", request.headers.filter { $0.name == "x-seen" }.map(\.value).joined(separator: ","))
        ]))
    }
    let responder = Responder(router: router, middleware: [Tagging(tag: "outer"), Tagging(tag: "inner")])
    let response = responder.respond(to: Request(method: "GET", path: "/seen"))
    #expect(Self.json(response)["seen"] as? String == "outer,inner")
    #expect(response.headers(named: "X-Order") == ["inner", "outer"])
    #expect(response.header("X-Content-Type-Options") == nil, "a custom chain replaces the standard one")
  }

  // MARK: - Cache policy

  @Test func noStoreRoutesAndResponsesGetBothHeaders() {
    let responder = Responder(router: router(), mapError: Self.mapError)
    let token = responder.respond(to: Request(method: "POST", path: "/token"))
    #expect(token.header("Cache-Control") == "no-store")
    #expect(token.header("Pragma") == "no-cache")
    // A route's policy covers its errors too.
    let refused = responder.respond(to: Request(method: "GET", path: "/api/me"))
    #expect(refused.status == 401)
    #expect(refused.header("Cache-Control") == "no-store")
    let plain = responder.respond(to: Request(method: "GET", path: "/public"))
    #expect(plain.header("Cache-Control") == nil)
    var marked = Response.json(.ok, bytes: [])
    marked.cache = .noStore
    let finished = responder.finish(marked, for: Request(method: "GET", path: "/x"))
    #expect(finished.header("Cache-Control") == "no-store")
    #expect(finished.header("Pragma") == "no-cache")
  }

  // MARK: - Authenticated groups

  @Test func groupHandlersReceiveTheIdentity() {
    let responder = Responder(router: router(), mapError: Self.mapError)
    let me = responder.respond(
      to: Request(method: "GET", path: "/api/me", headers: [("Authorization", "Bearer good")]))
    #expect(me.status == 200)
    #expect(Self.json(me)["name"] as? String == "alice")
    let deleted = responder.respond(
      to: Request(method: "DELETE", path: "/api/things/7", headers: [("Authorization", "Bearer good")]))
    #expect(Self.json(deleted)["id"] as? String == "7")
    #expect(Self.json(deleted)["by"] as? String == "alice")
  }

  @Test func authenticatorErrorsGoThroughErrorMapping() {
    let responder = Responder(router: router(), mapError: Self.mapError)
    for token in [nil, "Bearer bad"] {
      let headers = token.map { [("Authorization", $0)] } ?? []
      let response = responder.respond(to: Request(method: "GET", path: "/api/me", headers: headers))
      #expect(response.status == 401)
      #expect(response.header("WWW-Authenticate") == "Bearer")
      #expect(Self.json(response)["error"] as? String == "invalid_token")
    }
  }

  @Test func groupCarriesItsExecutionAndRoutesMayOverride() {
    let router = router()
    guard case .found(let me, _) = router.match(method: "GET", path: "/api/me"),
      case .found(let delete, _) = router.match(method: "DELETE", path: "/api/things/1")
    else {
      Issue.record("group routes missing")
      return
    }
    #expect(me.execution.runsInline)
    #expect(!delete.execution.runsInline)
    #expect(me.cache == .noStore)
  }

  // MARK: - Request ids

  @Test(arguments: [
    ("abc-DEF_1.2", "abc-DEF_1.2"), (String(repeating: "a", count: 64), String(repeating: "a", count: 64)),
  ])
  func acceptableRequestIDsAreKept(_ value: String, _ expected: String) {
    #expect(RequestID.accepted(value) == expected)
  }

  @Test(arguments: [
    nil, "", String(repeating: "a", count: 65), "a b", "a\nb", "ü", "a/b", "<script>", "id;x", "a\u{0}b",
  ])
  func unacceptableRequestIDsAreReplaced(_ value: String?) {
    #expect(RequestID.accepted(value) == nil)
  }

  // MARK: - Over the wire

  @Test func theServersOwnRefusalsCarryTheStandardHeaders() throws {
    let server = try startServer(configure: { $0.maxBodyBytes = 8 }, routes: standardRoutes)
    defer { server.stop() }
    let tooLarge = try fetch(
      server.port, "POST", "/echo", headers: [("Content-Type", "application/json")],
      body: Array(#"{"a":"0123456789"}"#.utf8))
    #expect(tooLarge.status == 413)
    #expect(tooLarge.header("X-Content-Type-Options") == "nosniff")
    #expect(tooLarge.header("X-Request-Id") != nil)
    let refused = try fetch(
      server.port, "POST", "/echo", headers: [("Content-Length", "1"), ("Transfer-Encoding", "chunked")])
    #expect(refused.status == 400)
    #expect(refused.header("X-Content-Type-Options") == "nosniff")
  }
}
