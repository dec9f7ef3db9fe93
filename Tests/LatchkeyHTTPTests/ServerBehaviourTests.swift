import Foundation
import LatchkeyHTTP
import LatchkeyJSON
import LatchkeyTesting
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// Threads, limits and lifecycle: blocking handlers on the worker pool,
/// saturation, idle clients, errors and CORS over the wire, graceful stop.
@Suite struct ServerBehaviourTests {
  struct Internal: Error, CustomStringConvertible {
    var description: String { "SQLSTATE 28P01 password authentication failed for user admin:hunter2" }
  }

  struct Conflict: Error {}

  // MARK: - Worker pool

  @Test func slowBlockingHandlerDelaysNeitherInlineNorOtherBlockingRoutes() throws {
    let gate = Gate()
    let server = try startServer { router in
      standardRoutes(&router)
      router.add("GET", "/slow") { _ in
        gate.hold()
        return Response.json(200, bytes: Array(#"{"slow":true}"#.utf8))
      }
    }
    defer {
      gate.release(4)
      server.stop()
    }
    let port = server.port
    let slow = Background { try fetch(port, "GET", "/slow") }
    #expect(gate.waitEntered(), "the slow handler never started")

    // The cheap routes answer while the slow one is still held.
    #expect(try fetch(port, "GET", "/inline").status == 200)
    #expect(try fetch(port, "GET", "/blocking").status == 200)
    let client = TestHTTPClient(port: port)
    for _ in 0..<5 { #expect(try client.request("GET", "/blocking").status == 200) }
    #expect(!slow.isFinished, "the slow request finished before it was released")

    // A second slow request does not wait for the first either.
    let second = Background { try fetch(port, "GET", "/slow") }
    #expect(gate.waitEntered(), "the second slow handler waited for the first")

    gate.release(2)
    #expect(try slow.value().status == 200)
    #expect(try second.value().status == 200)
  }

  @Test func slowHandlersNeverHoldTheWorkers() throws {
    let gate = Gate()
    let server = try startServer(
      configure: {
        $0.workerThreads = 1
        $0.slowWorkerThreads = 2
      },
      routes: { router in
        standardRoutes(&router)
        router.add("POST", "/hash", execution: .slow) { _ in
          gate.hold()
          return Response.json(200, bytes: Array("{}".utf8))
        }
      })
    defer {
      gate.release(8)
      server.stop()
    }
    let port = server.port
    // Every slow thread held, and one more slow request waiting for them.
    let held = (0..<2).map { _ in Background { try fetch(port, "POST", "/hash") } }
    #expect(gate.waitEntered())
    #expect(gate.waitEntered())
    let waiting = Background { try fetch(port, "POST", "/hash") }
    #expect(eventually { server.slowWorkers.queued == 1 }, "the third slow request never queued")

    // The one worker still serves the short blocking routes.
    for _ in 0..<3 { #expect(try fetch(port, "GET", "/blocking").status == 200) }
    #expect(server.workers.queued == 0)
    #expect(!waiting.isFinished)

    // One handler let go: its thread takes the waiting request. Only then
    // are the last two let go (a release meant for a held handler could
    // otherwise be taken by the newcomer).
    gate.release()
    #expect(gate.waitEntered(), "the waiting slow request never got a thread")
    gate.release(2)
    for request in held + [waiting] { #expect(try request.value().status == 200) }
  }

  @Test func saturatedWorkerQueueAnswers503() throws {
    let gate = Gate()
    let server = try startServer(
      configure: {
        $0.workerThreads = 1
        $0.workerQueueLimit = 1
      },
      routes: { router in
        standardRoutes(&router)
        router.add("GET", "/slow") { _ in
          gate.hold()
          return Response.json(200, bytes: Array("{}".utf8))
        }
      })
    defer {
      gate.release(8)
      server.stop()
    }
    let port = server.port
    let running = Background { try fetch(port, "GET", "/slow") }
    #expect(gate.waitEntered())
    let queued = Background { try fetch(port, "GET", "/slow") }
    #expect(eventually { server.workers.queued == 1 }, "the second request never queued")

    // The pool is full: refused at once, with a hint when to retry.
    for path in ["/slow", "/blocking"] {
      let refused = try fetch(port, "GET", path)
      #expect(refused.status == 503)
      #expect(refused.errorCode == "temporarily_unavailable")
      #expect(refused.header("Retry-After").flatMap(Int.init) != nil)
      #expect(refused.header("X-Content-Type-Options") == "nosniff")
      #expect(refused.header("X-Request-Id") != nil)
    }
    // A refused request on a keep-alive connection leaves it usable.
    let client = TestHTTPClient(port: port)
    #expect(try client.request("GET", "/blocking").status == 503)
    #expect(try client.request("GET", "/inline").status == 200)
    #expect(client.connectionsOpened == 1)
    // Inline routes never needed a worker.
    #expect(try fetch(port, "GET", "/inline").status == 200)

    gate.release()
    #expect(try running.value().status == 200)
    #expect(gate.waitEntered())
    gate.release()
    #expect(try queued.value().status == 200)
    #expect(try fetch(port, "GET", "/blocking").status == 200)
  }

  // MARK: - Errors over the wire

  @Test(arguments: [Execution.inline, Execution.blocking])
  func thrownErrorIsAnOpaque500(_ execution: Execution) throws {
    let logged = LockedBox<[String]>([])
    let server = try startServer(
      mapError: {
        $0 is Conflict ? HTTPError(status: 409, code: "conflict", description: "already there") : nil
      },
      onUnexpectedError: { request, error in logged.mutate { $0.append("\(request.requestID): \(error)") } },
      routes: { router in
        router.add("GET", "/boom", execution: execution) { _ in throw Internal() }
        router.add("GET", "/conflict", execution: execution) { _ in throw Conflict() }
      })
    defer { server.stop() }
    let client = TestHTTPClient(port: server.port)
    let response = try client.request("GET", "/boom", headers: [("X-Request-Id", "req-500")])
    #expect(response.status == 500)
    #expect(response.errorCode == "server_error")
    #expect(Set(response.json.keys) == ["error", "error_description"])
    for leak in ["hunter2", "SQLSTATE", "28P01", "Internal", "admin"] {
      #expect(!response.text.contains(leak))
    }
    #expect(response.header("X-Content-Type-Options") == "nosniff")
    #expect(logged.value == ["req-500: \(Internal())"])

    let mapped = try client.request("GET", "/conflict")
    #expect(mapped.status == 409)
    #expect(mapped.errorCode == "conflict")
    #expect(client.connectionsOpened == 1)
  }

  // MARK: - CORS over the wire

  @Test func corsPreflightAndDecoration() throws {
    let origin = "https://app.example.com"
    let server = try startServer(cors: [origin], routes: standardRoutes)
    defer { server.stop() }
    let port = server.port
    let preflight = try fetch(
      port, "OPTIONS", "/echo",
      headers: [
        ("Origin", origin), ("Access-Control-Request-Method", "POST"),
        ("Access-Control-Request-Headers", "content-type"),
      ])
    #expect(preflight.status == 204)
    #expect(preflight.header("Access-Control-Allow-Origin") == origin)
    #expect(preflight.header("Access-Control-Allow-Credentials") == "true")
    #expect(preflight.header("Access-Control-Allow-Methods")?.contains("POST") == true)
    #expect(preflight.header("Access-Control-Allow-Headers")?.lowercased().contains("content-type") == true)
    #expect(preflight.headers(named: "Vary") == ["Origin"])
    #expect(preflight.header("X-Content-Type-Options") == "nosniff")

    let actual = try fetch(
      port, "POST", "/echo", headers: [("Origin", origin), ("Content-Type", "application/json")],
      body: Array("{}".utf8))
    #expect(actual.status == 200)
    #expect(actual.header("Access-Control-Allow-Origin") == origin)
    #expect(actual.header("Access-Control-Allow-Credentials") == "true")

    // Every answer depends on Origin once origins are configured.
    #expect(try fetch(port, "GET", "/inline").headers(named: "Vary") == ["Origin"])

    for other in [
      "https://evil.example", "https://app.example.com.evil.example", "null", "http://app.example.com",
    ] {
      let refused = try fetch(
        port, "OPTIONS", "/echo", headers: [("Origin", other), ("Access-Control-Request-Method", "POST")])
      #expect(refused.header("Access-Control-Allow-Origin") == nil, "\(other)")
      #expect(refused.header("Access-Control-Allow-Credentials") == nil)
      let plain = try fetch(port, "GET", "/inline", headers: [("Origin", other)])
      #expect(plain.header("Access-Control-Allow-Origin") == nil, "\(other)")
      #expect(plain.headers(named: "Vary") == ["Origin"])
    }
  }

  // MARK: - Idle and slow clients

  @Test func halfSentRequestIsDroppedAfterTheIdleTimeout() throws {
    let server = try startServer(configure: { $0.idleTimeoutSeconds = 1 }, routes: standardRoutes)
    defer { server.stop() }
    let port = server.port
    let idle = try RawConnection(port: port, receiveTimeoutSeconds: 15)
    try idle.send("GET /inline HTTP/1.1\r\nHost: x\r\nX-Partial: ")
    let midBody = try RawConnection(port: port, receiveTimeoutSeconds: 15)
    try midBody.send(
      "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{")

    // Others are served meanwhile.
    for _ in 0..<3 { #expect(try fetch(port, "GET", "/inline").status == 200) }
    #expect(try fetch(port, "GET", "/blocking").status == 200)

    let started = Date()
    let first = idle.readToEnd()
    let second = midBody.readToEnd()
    let elapsed = Date().timeIntervalSince(started)
    #expect(first.closed, "the idle connection was never closed")
    #expect(second.closed, "the trickling connection was never closed")
    #expect(elapsed < 10, "closed after \(elapsed)s with a 1s idle timeout")
    // The abandoned request is no longer counted as in flight.
    #expect(eventually { server.activeRequests == 0 })
    #expect(try fetch(port, "GET", "/inline").status == 200)
  }

  @Test func handlerSlowerThanTheIdleTimeoutStillAnswers() throws {
    // A suspended connection is not idle: the client is waiting for us.
    let server = try startServer(
      configure: { $0.idleTimeoutSeconds = 1 },
      routes: { router in
        standardRoutes(&router)
        router.add("GET", "/slow") { _ in
          // Longer than the idle timeout; nothing will signal this semaphore.
          _ = DispatchSemaphore(value: 0).wait(timeout: .now() + 2.5)
          return Response.json(200, bytes: Array("{}".utf8))
        }
      })
    defer { server.stop() }
    let client = TestHTTPClient(port: server.port)
    let response = try client.request("GET", "/slow")
    #expect(response.status == 200)
    #expect(try client.request("GET", "/inline").status == 200)
    #expect(client.connectionsOpened == 1, "the answer came on a retry, not the first connection")
  }

  @Test func idleKeepAliveConnectionIsClosed() throws {
    let server = try startServer(configure: { $0.idleTimeoutSeconds = 1 }, routes: standardRoutes)
    defer { server.stop() }
    let connection = try RawConnection(port: server.port, receiveTimeoutSeconds: 15)
    try connection.send("GET /inline HTTP/1.1\r\nHost: x\r\n\r\n")
    let (bytes, closed) = connection.readToEnd()
    #expect(statusCode(of: bytes) == 200)
    #expect(closed, "an idle keep-alive connection must be closed by the idle timeout")
  }

  @Test func connectionLimitHoldsAndFreesUp() throws {
    let server = try startServer(
      configure: {
        $0.pollThreads = 1
        $0.maxConnections = 2
      }, routes: standardRoutes)
    defer { server.stop() }
    let port = server.port
    var held: [TestHTTPClient] = []
    for _ in 0..<2 {
      let client = TestHTTPClient(port: port)
      #expect(try client.request("GET", "/inline").status == 200)
      held.append(client)
    }
    // A third connection is not served while two are open...
    let third = Background { try fetch(port, "GET", "/inline") }
    #expect(third.wait(seconds: 1) == nil || (try? third.value())?.status != 200)
    // ...and is (or a retry is) once one of them goes away.
    held.removeFirst().disconnect()
    let answered = eventually(seconds: 15) {
      if let response = try? third.value(seconds: 0.05), response.status == 200 { return true }
      if third.isFinished, (try? fetch(port, "GET", "/inline"))?.status == 200 { return true }
      return false
    }
    #expect(answered)
    held.removeAll()
  }

  // MARK: - Graceful stop

  @Test func stopFinishesTheRequestInFlight() throws {
    let gate = Gate()
    let server = try startServer { router in
      standardRoutes(&router)
      router.add("POST", "/slow") { request in
        gate.hold()
        return Response.json(200, bytes: JSONText.object([("bytes", String(request.body.count))]))
      }
    }
    let port = server.port
    let held = Background {
      try fetch(
        port, "POST", "/slow", headers: [("Content-Type", "application/json")], body: Array("{}".utf8))
    }
    #expect(gate.waitEntered())
    #expect(server.activeRequests == 1)

    let stopping = Background { server.stop() }
    // New connections are refused once stop has begun (no waiting in a dead backlog).
    #expect(eventually { !portAccepts(port) }, "the listener was still accepting during the drain")
    #expect(!stopping.isFinished, "stop() returned while a request was in flight")

    gate.release()
    let response = try held.value()
    #expect(response.status == 200)
    #expect(response.json["bytes"] as? String == "2")
    #expect(stopping.wait(seconds: 15) != nil, "stop() did not return after the last request")
    #expect(server.activeRequests == 0)
  }

  @Test func requestWrittenJustBeforeStopIsServed() throws {
    // The bytes are on the socket (or the connection still in the listen
    // backlog) when stop() begins, before any poll thread has seen them:
    // that request is in flight too, and must not be cut off.
    for round in 0..<10 {
      let server = try startServer(routes: standardRoutes)
      let clients = (0..<3).map { _ in TestHTTPClient(port: server.port) }
      for client in clients {
        try client.sendRaw(Array("GET /blocking HTTP/1.1\r\nHost: x\r\n\r\n".utf8))
      }
      let stopping = Background { server.stop() }
      for (index, client) in clients.enumerated() {
        let response = try client.readResponse()
        #expect(response.status == 200, "round \(round), client \(index)")
      }
      #expect(stopping.wait(seconds: 15) != nil)
    }
  }

  @Test func stopWithNothingInFlightIsQuickAndIdempotent() throws {
    let server = try startServer(routes: standardRoutes)
    let client = TestHTTPClient(port: server.port)
    #expect(try client.request("GET", "/inline").status == 200)
    // An idle keep-alive connection does not hold up the stop.
    let started = Date()
    server.stop()
    #expect(Date().timeIntervalSince(started) < 5)
    server.stop()
    #expect(!portAccepts(server.port))
    #expect(throws: HTTPServerError.self) { try server.start() }
  }

  @Test func stopGivesUpAfterTheDrainTimeoutWithoutCrashing() throws {
    let gate = Gate()
    let server = try startServer(
      configure: { $0.drainTimeoutSeconds = 1 },
      routes: { router in
        standardRoutes(&router)
        router.add("GET", "/stuck") { _ in
          gate.hold()
          return Response.json(200, bytes: Array("{}".utf8))
        }
      })
    let port = server.port
    let held = Background { try fetch(port, "GET", "/stuck") }
    #expect(gate.waitEntered())
    let started = Date()
    server.stop()
    #expect(Date().timeIntervalSince(started) < 10)
    #expect(!portAccepts(port))
    // The handler finishing after stop() returned must not touch freed state.
    gate.release()
    _ = held.wait(seconds: 15)
    server.stop()
  }

  @Test func blockingRequestOnAnOpenConnectionDuringTheDrainIsServed() throws {
    let gate = Gate()
    let server = try startServer { router in
      standardRoutes(&router)
      router.add("GET", "/slow") { _ in
        gate.hold()
        return Response.json(200, bytes: Array("{}".utf8))
      }
    }
    let port = server.port
    let client = TestHTTPClient(port: port)
    #expect(try client.request("GET", "/inline").status == 200)
    let held = Background { try fetch(port, "GET", "/slow") }
    #expect(gate.waitEntered())
    let stopping = Background { server.stop() }
    #expect(eventually { !portAccepts(port) })
    let during = try client.request("GET", "/blocking")
    #expect(during.status == 200)
    gate.release()
    #expect(try held.value().status == 200)
    #expect(stopping.wait(seconds: 15) != nil)
  }

  @Test func startFailsCleanlyWhenThePortIsTaken() throws {
    let first = try startServer(routes: standardRoutes)
    defer { first.stop() }
    #expect(throws: HTTPServerError.self) {
      _ = try startServer(configure: { $0.port = first.port }, routes: standardRoutes)
    }
    #expect(throws: HTTPServerError.self) {
      _ = try startServer(configure: { $0.host = "localhost" }, routes: standardRoutes)
    }
    #expect(throws: HTTPServerError.self) { try first.start() }
    #expect(try fetch(first.port, "GET", "/inline").status == 200)
  }

  @Test func stoppedServerIsReleased() throws {
    weak var released: HTTPServer?
    do {
      let server = try startServer(routes: standardRoutes)
      released = server
      #expect(try fetch(server.port, "GET", "/blocking").status == 200)
      server.stop()
    }
    #expect(released == nil, "a stopped server is still referenced (MHD callbacks or worker threads)")
  }

  @Test func ipv6Loopback() throws {
    let server: HTTPServer
    do {
      server = try startServer(configure: { $0.host = "::1" }, routes: standardRoutes)
    } catch {
      return  // no IPv6 on this machine
    }
    defer { server.stop() }
    #expect(server.port != 0)
  }

  @Test func keepAliveClientIsToldToCloseDuringTheDrain() throws {
    let gate = Gate()
    let server = try startServer { router in
      standardRoutes(&router)
      router.add("GET", "/slow") { _ in
        gate.hold()
        return Response.json(200, bytes: Array("{}".utf8))
      }
    }
    let port = server.port
    let client = TestHTTPClient(port: port)
    #expect(try client.request("GET", "/inline").status == 200)
    let held = Background { try fetch(port, "GET", "/slow") }
    #expect(gate.waitEntered())
    let stopping = Background { server.stop() }
    #expect(eventually { !portAccepts(port) })

    // A request on an already-open connection during the drain is served,
    // and the answer tells the client not to reuse the connection.
    let during = try client.request("GET", "/inline")
    #expect(during.status == 200)
    #expect(during.header("Connection")?.lowercased() == "close")

    gate.release()
    #expect(try held.value().status == 200)
    #expect(stopping.wait(seconds: 15) != nil)
  }
}
