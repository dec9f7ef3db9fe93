import Foundation
import LatchkeyHTTP
import LatchkeyJSON
import Testing

/// Routing, 404/405, preflight, error mapping and the headers every response
/// carries, driven through `Responder.respond(to:)` without a socket.
@Suite struct RouterTests {
  struct Boom: Error, CustomStringConvertible {
    var description: String { "connection to 10.0.0.7 failed: password=hunter2 in /etc/latchkey.conf" }
  }

  struct Busy: Error {}

  static func json(_ response: Response) -> [String: Any] {
    (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any] ?? [:]
  }

  func responder(
    cors: Set<String> = [], mapError: @escaping Responder.ErrorMapper = { _ in nil },
    onUnexpectedError: @escaping @Sendable (Request, any Error) -> Void = { _, _ in }
  ) -> Responder {
    var router = Router()
    router.add("GET", "/healthz", execution: .inline) { _ in Response.json(200, bytes: Array("{}".utf8)) }
    router.add("GET", "/users/me", execution: .inline) { _ in
      Response.json(200, bytes: Array(#"{"me":1}"#.utf8))
    }
    router.add("GET", "/users/{id}", execution: .inline) { request in
      Response.json(200, bytes: JSONText.object([("id", request.parameters["id"] ?? "")]))
    }
    router.add("DELETE", "/users/{id}") { request in
      Response.json(200, bytes: JSONText.object([("deleted", request.parameters["id"] ?? "")]))
    }
    router.add("POST", "/orgs/{org}/members/{member}") { request in
      Response.json(
        200,
        bytes: JSONText.object([
          ("org", request.parameters["org"] ?? ""), ("member", request.parameters["member"] ?? ""),
          ("route", request.routePattern),
        ]))
    }
    router.add("POST", "/login") { _ in Response.noContent() }
    router.add("GET", "/boom") { _ in throw Boom() }
    router.add("GET", "/busy") { _ in throw Busy() }
    router.add("GET", "/teapot") { _ in
      throw HTTPError(
        status: 418, code: "teapot", description: "short and stout", headers: [.init("X-Extra", "1")])
    }
    return Responder(
      router: router, cors: CORSPolicy(allowedOrigins: cors), mapError: mapError,
      onUnexpectedError: onUnexpectedError)
  }

  func request(
    _ method: String, _ path: String, headers: [(name: String, value: String)] = [],
    requestID: String = "rid-1"
  ) -> Request {
    Request(method: method, path: path, headers: headers, requestID: requestID)
  }

  @Test func literalAndParameterRoutesMatch() {
    let responder = responder()
    let literal = responder.respond(to: request("GET", "/users/me"))
    #expect(literal.status == 200)
    #expect(Self.json(literal)["me"] as? Int == 1)

    let parameter = responder.respond(to: request("GET", "/users/42"))
    #expect(Self.json(parameter)["id"] as? String == "42")

    // A literal route for one method does not hide the parameter route of another.
    let delete = responder.respond(to: request("DELETE", "/users/me"))
    #expect(delete.status == 200)
    #expect(Self.json(delete)["deleted"] as? String == "me")

    let nested = responder.respond(to: request("POST", "/orgs/acme/members/7"))
    let body = Self.json(nested)
    #expect(body["org"] as? String == "acme")
    #expect(body["member"] as? String == "7")
    #expect(body["route"] as? String == "/orgs/{org}/members/{member}")
  }

  @Test func routerMatchReportsParameters() {
    var router = Router()
    router.add("GET", "/a/{x}/b/{y}") { _ in Response.noContent() }
    guard case .found(let route, let parameters) = router.match(method: "GET", path: "/a/1/b/two") else {
      Issue.record("no match")
      return
    }
    #expect(route.pattern == "/a/{x}/b/{y}")
    #expect(parameters == ["x": "1", "y": "two"])
    #expect(!route.execution.runsInline)
    guard case .notFound = router.match(method: "GET", path: "/a/1/b") else {
      Issue.record("a shorter path must not match")
      return
    }
    guard case .notFound = router.match(method: "GET", path: "/a/1/b/2/c") else {
      Issue.record("a longer path must not match")
      return
    }
  }

  @Test func unknownPathIs404JSON() {
    let response = responder().respond(to: request("GET", "/nope"))
    #expect(response.status == 404)
    #expect(Self.json(response)["error"] as? String == "not_found")
    #expect(response.header("Content-Type") == "application/json")
    #expect(response.header("X-Content-Type-Options") == "nosniff")
    #expect(response.header("X-Request-Id") == "rid-1")
    #expect(responder().respond(to: request("GET", "/users/1/extra")).status == 404)
    #expect(responder().respond(to: request("GET", "/")).status == 404)
  }

  @Test func wrongMethodIs405WithAllow() throws {
    let response = responder().respond(to: request("PUT", "/login"))
    #expect(response.status == 405)
    #expect(Self.json(response)["error"] as? String == "method_not_allowed")
    let allow = try #require(response.header("Allow"))
    #expect(
      Set(allow.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }) == ["POST", "OPTIONS"])
    #expect(response.header("X-Content-Type-Options") == "nosniff")

    let users = responder().respond(to: request("POST", "/users/9"))
    #expect(users.status == 405)
    let methods = Set(
      (users.header("Allow") ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
    #expect(methods == ["GET", "HEAD", "DELETE", "OPTIONS"])
  }

  @Test func headIsServedByTheGetRoute() {
    let response = responder().respond(to: request("HEAD", "/healthz"))
    #expect(response.status == 200)
  }

  @Test func optionsOnAKnownPathAnswersWithAllow() throws {
    let response = responder().respond(to: request("OPTIONS", "/login"))
    #expect(response.status == 204)
    let allow = try #require(response.header("Allow"))
    #expect(allow.contains("POST"))
    #expect(response.header("Access-Control-Allow-Origin") == nil)
    #expect(response.header("X-Content-Type-Options") == "nosniff")
    #expect(responder().respond(to: request("OPTIONS", "/unknown")).status == 404)
  }

  @Test func httpErrorsKeepTheirStatusAndHeaders() {
    let response = responder().respond(to: request("GET", "/teapot"))
    #expect(response.status == 418)
    #expect(Self.json(response)["error"] as? String == "teapot")
    #expect(Self.json(response)["error_description"] as? String == "short and stout")
    #expect(response.header("X-Extra") == "1")
    #expect(response.header("X-Content-Type-Options") == "nosniff")
  }

  @Test func unexpectedErrorIsAnOpaque500() {
    let seen = LockedBox<[String]>([])
    let responder = responder(onUnexpectedError: { request, error in
      seen.mutate { $0.append("\(request.routePattern) \(error)") }
    })
    let response = responder.respond(to: request("GET", "/boom"))
    #expect(response.status == 500)
    let body = String(decoding: response.body, as: UTF8.self)
    #expect(Self.json(response)["error"] as? String == "server_error")
    #expect(!body.contains("hunter2"))
    #expect(!body.contains("10.0.0.7"))
    #expect(!body.contains("Boom"))
    #expect(response.header("X-Content-Type-Options") == "nosniff")
    // The cause goes to the log hook, with the route it happened on.
    #expect(seen.value.count == 1)
    #expect(seen.value.first?.hasPrefix("/boom ") == true)
  }

  @Test func mapErrorTranslatesDomainErrors() {
    let responder = responder(mapError: { error in
      error is Busy ? HTTPError.unavailable(retryAfter: 3, "busy") : nil
    })
    let busy = responder.respond(to: request("GET", "/busy"))
    #expect(busy.status == 503)
    #expect(Self.json(busy)["error"] as? String == "temporarily_unavailable")
    #expect(busy.header("Retry-After") == "3")
    // What it does not map stays a 500.
    #expect(responder.respond(to: request("GET", "/boom")).status == 500)
  }

  @Test func requestIDHeaderOnlyWhenKnown() {
    let response = responder().respond(to: request("GET", "/healthz", requestID: ""))
    #expect(response.header("X-Request-Id") == nil)
    #expect(response.header("X-Content-Type-Options") == "nosniff")
  }

  @Test func corsDecoratesAllowedOriginsOnly() throws {
    let origin = "https://app.example.com"
    let responder = responder(cors: [origin])
    let allowed = responder.respond(to: request("GET", "/healthz", headers: [("Origin", origin)]))
    #expect(allowed.header("Access-Control-Allow-Origin") == origin)
    #expect(allowed.header("Access-Control-Allow-Credentials") == "true")
    #expect(allowed.headers(named: "Vary") == ["Origin"])

    let other = responder.respond(
      to: request("GET", "/healthz", headers: [("Origin", "https://evil.example")]))
    #expect(other.header("Access-Control-Allow-Origin") == nil)
    #expect(other.header("Access-Control-Allow-Credentials") == nil)

    // Errors are decorated too, so the web app can read them.
    let missing = responder.respond(to: request("GET", "/nope", headers: [("Origin", origin)]))
    #expect(missing.status == 404)
    #expect(missing.header("Access-Control-Allow-Origin") == origin)
  }

  @Test func corsPreflight() throws {
    let origin = "https://app.example.com"
    let responder = responder(cors: [origin])
    let preflight = responder.respond(
      to: request(
        "OPTIONS", "/login",
        headers: [
          ("Origin", origin), ("Access-Control-Request-Method", "POST"),
          ("Access-Control-Request-Headers", "content-type"),
        ]))
    #expect(preflight.status == 204)
    #expect(preflight.header("Access-Control-Allow-Origin") == origin)
    #expect(preflight.header("Access-Control-Allow-Credentials") == "true")
    #expect(preflight.header("Access-Control-Allow-Methods")?.contains("POST") == true)
    let allowedHeaders = try #require(preflight.header("Access-Control-Allow-Headers")).lowercased()
    #expect(allowedHeaders.contains("content-type"))
    #expect(allowedHeaders.contains("authorization"))
    #expect(preflight.header("Access-Control-Allow-Origin") != "*")
    // One Vary: Origin, not one per decoration pass.
    #expect(preflight.headers(named: "Vary") == ["Origin"])

    let refused = responder.respond(
      to: request(
        "OPTIONS", "/login",
        headers: [("Origin", "https://evil.example"), ("Access-Control-Request-Method", "POST")]
      ))
    #expect(refused.header("Access-Control-Allow-Origin") == nil)
    #expect(refused.header("Access-Control-Allow-Methods") == nil)
    #expect(refused.header("Access-Control-Allow-Credentials") == nil)
  }

  @Test func corsWithNoOriginsConfiguredAddsNothing() {
    let response = responder().respond(
      to: request("GET", "/healthz", headers: [("Origin", "https://app.example.com")]))
    #expect(response.header("Access-Control-Allow-Origin") == nil)
  }

  @Test func planSeparatesAnswersFromHandlers() {
    let responder = responder()
    guard case .run(let route, let routed) = responder.plan(request("GET", "/users/5")) else {
      Issue.record("expected a handler")
      return
    }
    #expect(route.execution.runsInline)
    #expect(routed.parameters["id"] == "5")
    #expect(routed.routePattern == "/users/{id}")
    guard case .answer(let answer) = responder.plan(request("GET", "/missing")) else {
      Issue.record("expected an immediate answer")
      return
    }
    #expect(answer.status == 404)
  }
}

/// A value shared with `@Sendable` closures.
final class LockedBox<T>: @unchecked Sendable {
  private let lock = NSLock()
  private var stored: T

  init(_ value: T) { stored = value }

  var value: T {
    lock.lock()
    defer { lock.unlock() }
    return stored
  }

  func mutate(_ body: (inout T) -> Void) {
    lock.lock()
    body(&stored)
    lock.unlock()
  }
}
