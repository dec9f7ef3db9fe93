import Foundation
import LatchkeyHTTP
import LatchkeyTesting
import Synchronization
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// Stopping a server while clients keep connecting and requests are in
/// flight, many times over. libmicrohttpd's own quiesce raced its poll
/// threads for the listen socket's epoll registration and aborted the
/// process now and then ("Failed to remove listen FD from epoll set");
/// one abort here fails the whole test run.
@Suite struct StopUnderLoadTests {
  @Test func stopUnderLoadNeverAbortsAndServesWhatWasAccepted() throws {
    let cycles = Int(ProcessInfo.processInfo.environment["LATCHKEY_STOP_CYCLES"] ?? "200")!
    for cycle in 0..<cycles {
      // Eight poll threads widen the race window the old stop lost.
      let server = try startServer(configure: { $0.pollThreads = 8 }, routes: standardRoutes)
      let port = server.port
      let stopping = Atomic<Bool>(false)
      let answered = Atomic<Int>(0)
      let wrong = Atomic<Int>(0)
      // Clients on fresh connections until the stop: each request either gets
      // a full 200 or its connection is refused or closed unanswered (it came
      // after the listener closed); never a broken or other answer.
      let clients = (0..<3).map { index in
        Background {
          while !stopping.load(ordering: .relaxed) {
            let client = TestHTTPClient(port: port)
            client.timeoutSeconds = 10
            defer { client.disconnect() }
            do {
              let response = try client.request("GET", index == 0 ? "/inline" : "/blocking")
              if response.status == 200 {
                answered.add(1, ordering: .relaxed)
              } else {
                wrong.add(1, ordering: .relaxed)
                Issue.record("cycle \(cycle): answered \(response.status) \(response.text)")
              }
            } catch TestHTTPError.connect, TestHTTPError.closed {
              // Refused or closed before an answer began: allowed after the stop.
              if !stopping.load(ordering: .relaxed) {
                wrong.add(1, ordering: .relaxed)
                Issue.record("cycle \(cycle): refused before the stop")
              }
            } catch {
              wrong.add(1, ordering: .relaxed)
              Issue.record("cycle \(cycle): \(error)")
            }
          }
        }
      }
      // Some traffic before the stop, so poll threads are busy when it comes.
      #expect(eventually { answered.load(ordering: .relaxed) >= 3 }, "cycle \(cycle): no traffic")
      stopping.store(true, ordering: .relaxed)
      let started = Date()
      server.stop()
      #expect(Date().timeIntervalSince(started) < 10, "cycle \(cycle): the stop took too long")
      for client in clients { #expect((try? client.value(seconds: 20)) != nil, "cycle \(cycle)") }
      #expect(wrong.load(ordering: .relaxed) == 0, "cycle \(cycle): a request got a wrong answer")
      #expect(server.activeRequests == 0)
    }
  }
}

/// Bytes that are not HTTP on the plain port: answered or closed quickly,
/// not left to the 30 s idle timeout.
@Suite struct NonHTTPBytesTests {
  /// The start of a TLS 1.2/1.3 ClientHello (record type 0x16, version 3.1),
  /// padded with random bytes as a real one is (random, session id, ciphers).
  static func clientHello() -> [UInt8] {
    var bytes: [UInt8] = [0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xFC, 0x03, 0x03]
    bytes += (0..<505).map { _ in UInt8.random(in: 0...255) }
    return bytes
  }

  @Test(arguments: [
    clientHello(), [0x00, 0x01, 0x02, 0xFF], Array("\u{16}\u{03}\u{01}".utf8), Array("GET /inline".utf8),
  ])
  func nonHTTPBytesGetAnAnswerOrACloseWithinTwoSeconds(_ bytes: [UInt8]) throws {
    let server = try startServer(routes: standardRoutes)
    defer { server.stop() }
    let connection = try RawConnection(port: server.port, receiveTimeoutSeconds: 10)
    let started = Date()
    try connection.send(bytes)
    let (answer, closed) = connection.readToEnd()
    let elapsed = Date().timeIntervalSince(started)
    #expect(closed, "the connection was left open")
    #expect(answer.isEmpty || statusCode(of: answer) == 400, "answered \(answer.prefix(40))")
    #expect(elapsed < 2, "took \(elapsed)s")
    #expect(eventually { server.activeRequests == 0 })
  }

  @Test func keptAliveConnectionKeepsTheIdleTimeout() throws {
    // After a first request the short first-request timeout no longer applies.
    let server = try startServer(configure: { $0.idleTimeoutSeconds = 4 }, routes: standardRoutes)
    defer { server.stop() }
    let client = TestHTTPClient(port: server.port)
    #expect(try client.request("GET", "/inline").status == 200)
    // Idle for longer than the first-request timeout, well within the idle one.
    let quiet = DispatchSemaphore(value: 0)
    _ = quiet.wait(timeout: .now() + 1.8)
    #expect(try client.request("GET", "/inline").status == 200)
    #expect(client.connectionsOpened == 1, "the kept-alive connection was closed early")
  }

  @Test func slowButLiveFirstRequestIsServed() throws {
    // Bytes that keep arriving restart the first-request clock.
    let server = try startServer(routes: standardRoutes)
    defer { server.stop() }
    let connection = try RawConnection(port: server.port, receiveTimeoutSeconds: 10)
    let pause = DispatchSemaphore(value: 0)
    for part in ["GET /inl", "ine HTTP/1.1\r\n", "Host: x\r\n", "Connection: close\r\n\r\n"] {
      try connection.send(part)
      _ = pause.wait(timeout: .now() + 0.6)
    }
    #expect(statusCode(of: connection.readToEnd().bytes) == 200)
  }
}

/// The connection limit with the acceptor in front of MHD: clients past it
/// wait in the backlog, and a stop at the limit does not wait for them.
@Suite struct ConnectionLimitStopTests {
  @Test func stopAtTheConnectionLimitIsQuick() throws {
    let server = try startServer(
      configure: {
        $0.pollThreads = 1
        $0.maxConnections = 2
      }, routes: standardRoutes)
    let port = server.port
    var held: [TestHTTPClient] = []
    for _ in 0..<2 {
      let client = TestHTTPClient(port: port)
      #expect(try client.request("GET", "/inline").status == 200)
      held.append(client)
    }
    // Past the limit: connected (the kernel's backlog) but not served.
    let waiting = try (0..<4).map { _ in try RawConnection(port: port, receiveTimeoutSeconds: 10) }
    for connection in waiting { try connection.send("GET /inline HTTP/1.1\r\nHost: x\r\n\r\n") }
    let started = Date()
    server.stop()
    #expect(Date().timeIntervalSince(started) < 5, "the stop waited for connections MHD never took")
    for connection in waiting { #expect(statusCode(of: connection.readToEnd().bytes) == nil) }
    held.removeAll()
  }
}
