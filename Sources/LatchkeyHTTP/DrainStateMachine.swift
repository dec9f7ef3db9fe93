/// The graceful stop's bookkeeping as a pure state machine: events from MHD's
/// callbacks, the workers and `HTTPServer.stop()` go in, decisions come out.
/// No locks, clocks or sockets here (the server holds it in a `Mutex` and
/// does the I/O), so every interleaving can be tested without a socket.
///
/// Requests in flight include those whose bytes have arrived but that no
/// poll thread has picked up yet: data waiting on an open socket, or a
/// connection handed to MHD whose start MHD has not reported. The drain is
/// over when quiet checks keep finding none of those and nothing running for
/// `settleNanoseconds`, which covers a poll thread caught between its read
/// and the handler.
struct DrainStateMachine: Sendable {
  enum Phase: Sendable, Equatable {
    case running
    /// `stop()` has begun: answers tell clients to close; the acceptor is
    /// stopping or stopped.
    case draining
    /// Nothing is in flight (or the drain timed out): the daemon may stop,
    /// and nothing new may be parked on a worker.
    case drained
  }

  /// What `stop()` does once the drain is over.
  enum Conclusion: Sendable, Equatable {
    /// Nothing is suspended: MHD_stop_daemon is safe.
    case stopDaemon
    /// Handlers are still running after the drain timeout. MHD_stop_daemon
    /// aborts with a suspended connection, and a late resume would touch a
    /// freed daemon: leave it running; the process is about to exit.
    case abandonDaemon(parked: Int)
  }

  enum QuietCheckResult: Sendable, Equatable {
    case keepWaiting
    case drained(Conclusion)
  }

  private(set) var phase = Phase.running
  private(set) var inFlight = 0
  /// Requests suspended while a worker runs their handler.
  private(set) var parked = 0
  /// Open connections by socket: a count per descriptor, in case MHD reports
  /// a reused one before the old one's close.
  private(set) var openSockets: [Int32: Int] = [:]
  private(set) var connectionsStarted = 0
  /// How many connections the acceptor handed to MHD in all, and when it
  /// stopped; known once it has.
  private(set) var handedOver: Int?
  private var acceptorStoppedAt: UInt64 = 0
  /// When the checks last turned quiet (nil while something is in flight).
  private var quietSince: UInt64?
  /// How long it must stay quiet.
  let settleNanoseconds: UInt64
  /// How long a connection handed to MHD may take to start. MHD takes a
  /// queued connection on its poll thread's next turn (it is woken for it),
  /// but closes it unreported when that thread is at its share of the
  /// connection limit; past this, a missing start is such a refusal, not a
  /// request on its way.
  let startGraceNanoseconds: UInt64

  init(settleNanoseconds: UInt64 = 10_000_000, startGraceNanoseconds: UInt64 = 1_000_000_000) {
    self.settleNanoseconds = settleNanoseconds
    self.startGraceNanoseconds = startGraceNanoseconds
  }

  var isStopping: Bool { phase != .running }

  mutating func connectionOpened(_ socket: Int32) {
    openSockets[socket, default: 0] += 1
    connectionsStarted += 1
  }

  mutating func connectionClosed(_ socket: Int32) {
    if let count = openSockets[socket] { openSockets[socket] = count > 1 ? count - 1 : nil }
  }

  mutating func requestBegan() {
    inFlight += 1
  }

  /// True when the drainer should look again now (the last request ended).
  mutating func requestEnded() -> Bool {
    inFlight -= 1
    return phase == .draining && inFlight == 0
  }

  /// Whether a request may be suspended for a worker: not once drained (the
  /// daemon is about to stop, and MHD must not hold a suspended connection).
  mutating func parkRequested() -> Bool {
    guard phase != .drained else { return false }
    parked += 1
    return true
  }

  /// The parked request is back on a poll thread.
  mutating func unparked() {
    parked -= 1
  }

  /// False when a stop had already begun (nothing more to do).
  mutating func stopRequested() -> Bool {
    guard phase == .running else { return false }
    phase = .draining
    return true
  }

  mutating func acceptorStopped(handedOver count: Int, now: UInt64) {
    handedOver = count
    acceptorStoppedAt = now
  }

  /// One look, at monotonic time `now`, at whether anything is in flight.
  mutating func quietCheck(now: UInt64, hasPendingBytes: (Int32) -> Bool) -> QuietCheckResult {
    guard phase == .draining else { return phase == .drained ? .drained(conclusion) : .keepWaiting }
    guard let handedOver else { return .keepWaiting }
    let allStarted = connectionsStarted >= handedOver || now >= acceptorStoppedAt + startGraceNanoseconds
    let quiet = inFlight == 0 && allStarted && !openSockets.keys.contains(where: hasPendingBytes)
    guard quiet else {
      quietSince = nil
      return .keepWaiting
    }
    guard let since = quietSince else {
      quietSince = now
      return .keepWaiting
    }
    guard now >= since + settleNanoseconds else { return .keepWaiting }
    phase = .drained
    return .drained(conclusion)
  }

  /// The drain timeout passed: stop waiting, whatever is still in flight.
  mutating func deadlinePassed() -> Conclusion {
    phase = .drained
    return conclusion
  }

  private var conclusion: Conclusion {
    parked == 0 ? .stopDaemon : .abandonDaemon(parked: parked)
  }
}
