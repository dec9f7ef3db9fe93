import CLatchkeyShims
import CMicroHTTPD
import Dispatch
import FoundationEssentials
import LatchkeyConcurrency
import Synchronization

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

public enum HTTPServerError: Error, CustomStringConvertible {
  case startFailed(String)
  public var description: String {
    switch self {
    case .startFailed(let why): return "http: \(why)"
    }
  }
}

/// The HTTP/1.1 server: an acceptor thread hands connections to
/// libmicrohttpd's epoll thread pool, in front of a `Responder`. Handlers
/// marked `.blocking` run on `BoundedThreadPool` threads while MHD keeps the
/// connection suspended, `.slow` ones on a pool of their own. The C side lives in `MHDBridge.swift`; the graceful
/// stop's bookkeeping in `DrainStateMachine`.
///
/// The C daemon pointer lives inside the `lifecycle` mutex; MHD's own
/// threads reach the server only through its callbacks, which touch the
/// `Mutex`- and `Atomic`-guarded state.
public final class HTTPServer: Sendable {
  public let configuration: HTTPServerConfiguration
  let responder: Responder
  let observer: RequestObserver?
  public let workers: BoundedThreadPool
  /// `.slow` handlers' threads: a flood of them leaves `workers` free.
  public let slowWorkers: BoundedThreadPool

  /// What `start()` sets up and `stop()` takes down.
  private struct Running {
    var daemon: OpaquePointer
    var listenSocket: Int32
    var wakeDescriptor: Int32
    /// MHD's callbacks reach the server through an unretained pointer, so a
    /// running server keeps itself alive until `stop()`.
    var retained: Unmanaged<HTTPServer>
  }

  private struct Lifecycle {
    var running: Running?
    var started = false
  }

  private let lifecycle = Mutex(Lifecycle())
  private let drain = Mutex(DrainStateMachine())
  /// Wakes the drain loop in `stop()` when the last request ends.
  private let drainWakeup = DispatchSemaphore(value: 0)
  /// Signalled by the acceptor thread with how many connections it handed
  /// to MHD in all, when it ends.
  private let acceptorDone = Mutex<Int?>(nil)
  private let acceptorEnded = DispatchSemaphore(value: 0)
  private let requestCounter = Atomic<UInt64>(0)
  private let requestIDPrefix = String(UInt32.random(in: 0...UInt32.max), radix: 36)

  public init(configuration: HTTPServerConfiguration, responder: Responder, observer: RequestObserver? = nil)
  {
    self.configuration = configuration
    self.responder = responder
    self.observer = observer
    self.workers = BoundedThreadPool(
      threads: configuration.workerThreads, queueLimit: configuration.workerQueueLimit,
      name: "lk-worker")
    self.slowWorkers = BoundedThreadPool(
      threads: configuration.slowWorkerThreads, queueLimit: configuration.slowWorkerQueueLimit,
      name: "lk-slow")
  }

  deinit {
    // Only reached when never started or stopped: end the worker threads.
    workers.shutdown()
    slowWorkers.shutdown()
  }

  /// The bound port (differs from the configured one when that was 0).
  /// Atomic rather than under `lifecycle`, which `stop()` holds for the drain.
  public var port: UInt16 { boundPort.load(ordering: .acquiring) }
  private let boundPort = Atomic<UInt16>(0)

  public func start() throws(HTTPServerError) {
    try lifecycle.withLock { (state: inout Lifecycle) throws(HTTPServerError) in
      guard state.running == nil else { throw .startFailed("already started") }
      // The workers are gone and the drain stays over: a server runs once.
      guard !state.started else { throw .startFailed("a stopped server cannot be started again") }
      state.running = try launch()
      state.started = true
      boundPort.store(latchkey_socket_port(state.running!.listenSocket), ordering: .releasing)
    }
  }

  private func launch() throws(HTTPServerError) -> Running {
    var errorText: UnsafePointer<CChar>? = nil
    let listenSocket = configuration.host.withCString {
      latchkey_listen($0, configuration.port, 1024, &errorText)
    }
    guard listenSocket >= 0 else {
      throw .startFailed(errorText.map { String(cString: $0) } ?? "could not listen")
    }
    let wake = latchkey_wake_fd()
    guard wake >= 0 else {
      close(listenSocket)
      throw .startFailed("could not create the acceptor's wake-up descriptor")
    }
    let retained = Unmanaged.passRetained(self)
    guard let daemon = startDaemon(context: retained.toOpaque(), errorText: &errorText) else {
      retained.release()
      close(listenSocket)
      close(wake)
      throw .startFailed(errorText.map { String(cString: $0) } ?? "could not start")
    }
    // The acceptor only passes the daemon to MHD_add_connection, which MHD
    // allows from any thread; stop() waits for it to end before stopping MHD.
    nonisolated(unsafe) let acceptingDaemon = daemon
    // Holds the server only while accepting: stop() waits for it to end.
    NativeThread.start(name: "lk-accept", stackSize: 1 << 18) { [self] in
      let limit = UInt32(clamping: configuration.maxConnections)
      let count = Int(latchkey_accept_loop(acceptingDaemon, listenSocket, wake, limit))
      acceptorDone.withLock { $0 = count }
      acceptorEnded.signal()
    }
    return Running(daemon: daemon, listenSocket: listenSocket, wakeDescriptor: wake, retained: retained)
  }

  /// Graceful stop: no new connections, in-flight requests finish (up to the
  /// drain timeout), then the daemon and the workers end. Answers given
  /// during the drain carry `Connection: close`. Safe to call more than once.
  public func stop() {
    lifecycle.withLock { state in
      guard let running = state.running else { return }
      state.running = nil
      guard drain.withLock({ $0.stopRequested() }) else { return }
      // The acceptor takes what is already in the backlog (clients that
      // connected before the stop may have sent their request: they are
      // served), then the socket closes at once, so a client connecting
      // during the drain is refused (and can go to another instance) instead
      // of waiting in a backlog nobody reads.
      latchkey_wake(running.wakeDescriptor)
      acceptorEnded.wait()
      close(running.listenSocket)
      close(running.wakeDescriptor)
      let handedOver = acceptorDone.withLock { $0 } ?? 0
      let now = DispatchTime.now().uptimeNanoseconds
      drain.withLock { $0.acceptorStopped(handedOver: handedOver, now: now) }

      let conclusion = awaitDrain(deadline: .now() + configuration.drainTimeoutSeconds)
      workers.shutdown()
      slowWorkers.shutdown()
      switch conclusion {
      case .stopDaemon:
        MHD_stop_daemon(running.daemon)
        running.retained.release()
      case .abandonDaemon:
        // Handlers still run: MHD_stop_daemon would abort on their suspended
        // connections, and their resume would touch a freed daemon. The
        // daemon (and this server) stay; the process is about to exit.
        break
      }
    }
  }

  /// Quiet checks a few ms apart (or sooner when the last request ends)
  /// until the drain is over or the deadline passes.
  private func awaitDrain(deadline: DispatchTime) -> DrainStateMachine.Conclusion {
    while DispatchTime.now() < deadline {
      let now = DispatchTime.now().uptimeNanoseconds
      let result = drain.withLock {
        $0.quietCheck(now: now, hasPendingBytes: { latchkey_socket_pending_bytes($0) > 0 })
      }
      if case .drained(let conclusion) = result { return conclusion }
      _ = drainWakeup.wait(timeout: min(deadline, .now() + 0.002))
    }
    return drain.withLock { $0.deadlinePassed() }
  }

  public var activeRequests: Int { drain.withLock { $0.inFlight } }

  // MARK: - Events from the MHD bridge

  func nextRequestID() -> String {
    let number = requestCounter.add(1, ordering: .relaxed).newValue
    return Self.requestID(prefix: requestIDPrefix, number: number)
  }

  /// "\(prefix)-\(String(number, radix: 36))", written into one string without interpolation's
  /// intermediate ones (this runs for every request).
  static func requestID(prefix: String, number: UInt64) -> String {
    var digits: (UInt64, UInt64) = (0, 0)  // 13 base-36 digits at most, filled from the end
    var count = 0
    withUnsafeMutableBytes(of: &digits) { buffer in
      var rest = number
      repeat {
        let digit = UInt8(rest % 36)
        count += 1
        buffer[16 - count] = digit < 10 ? UInt8(ascii: "0") + digit : UInt8(ascii: "a") + digit - 10
        rest /= 36
      } while rest > 0
    }
    var prefix = prefix
    return prefix.withUTF8 { head in
      withUnsafeBytes(of: &digits) { buffer in
        String(unsafeUninitializedCapacity: head.count + 1 + count) { out in
          _ = out.initialize(fromContentsOf: head)
          out[head.count] = UInt8(ascii: "-")
          for index in 0..<count { out[head.count + 1 + index] = buffer[16 - count + index] }
          return head.count + 1 + count
        }
      }
    }
  }

  func requestBegan() {
    drain.withLock { $0.requestBegan() }
  }

  func requestEnded() {
    if drain.withLock({ $0.requestEnded() }) { drainWakeup.signal() }
  }

  /// True once `stop()` has begun: answers then tell clients to close.
  var isStopping: Bool { drain.withLock { $0.isStopping } }

  /// Accounts for a connection about to be suspended for a worker; false
  /// once the drain is over (see `DrainStateMachine.parkRequested`).
  func park() -> Bool { drain.withLock { $0.parkRequested() } }

  /// The parked connection is back on a poll thread.
  func unpark() { drain.withLock { $0.unparked() } }

  func connectionOpened(_ socket: Int32) { drain.withLock { $0.connectionOpened(socket) } }

  func connectionClosed(_ socket: Int32) { drain.withLock { $0.connectionClosed(socket) } }
}
