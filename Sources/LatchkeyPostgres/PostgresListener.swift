import Dispatch
import FoundationEssentials
import LatchkeyConcurrency
import Synchronization

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// LISTEN/NOTIFY on a dedicated direct connection (never pooled, never through a transaction-mode
/// PgBouncer: LISTEN lives in a session).
///
/// Both callbacks run on the listener's own thread and should return quickly. Notifications sent
/// while disconnected are lost; `onConnectionChange(true)` after a reconnect is the consumer's cue
/// to resynchronise from the tables. The first successful connect reports `true`; every later
/// loss, including `stop()`, reports `false`; a failed first connect reports nothing.
public final class PostgresListener: Sendable {
  private let url: String
  private let channels: [String]
  private let onNotification: @Sendable (_ channel: String, _ payload: String) -> Void
  private let onConnectionChange: @Sendable (_ connected: Bool) -> Void
  private let connectTimeoutSeconds: Int
  private let applicationName: String?
  private let stopping = Atomic<Bool>(false)
  private let control = Mutex(Control())
  private let wake = DispatchSemaphore(value: 0)
  /// Written by `stop()` so a wait on the connection's socket ends at once
  /// instead of after its poll interval (a stop would otherwise cost up to
  /// `pollMilliseconds`, on every shutdown).
  private let stopPipe = PostgresListener.makePipe()

  private static func makePipe() -> (read: Int32, write: Int32) {
    var fds: [Int32] = [-1, -1]
    guard pipe(&fds) == 0 else { return (-1, -1) }
    for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
    return (fds[0], fds[1])
  }
  private let running = DispatchGroup()

  private struct Control {
    var started = false
    var thread: pthread_t?
  }

  static let minimumBackoff = 0.1
  static let maximumBackoff = 2.0
  // How long a wait may run before it looks at `stopping` again.
  static let pollMilliseconds = 500

  /// `applicationName` (letters, digits, '-' and '_') labels the session in
  /// `pg_stat_activity`, so others can count the live listeners.
  public init(
    url: String, channels: [String], connectTimeoutSeconds: Int = 3, applicationName: String? = nil,
    onNotification: @escaping @Sendable (_ channel: String, _ payload: String) -> Void,
    onConnectionChange: @escaping @Sendable (_ connected: Bool) -> Void
  ) {
    self.url = url
    self.channels = channels
    self.onNotification = onNotification
    self.onConnectionChange = onConnectionChange
    self.connectTimeoutSeconds = connectTimeoutSeconds
    self.applicationName = applicationName?.filter { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }
  }

  /// Starts the background thread. A listener runs once: calls after the first, or after
  /// `stop()`, do nothing.
  public func start() {
    let launch = control.withLock { control in
      // Checked under the lock so a concurrent stop() either sees the thread or prevents it.
      guard !control.started, !isStopping else { return false }
      control.started = true
      running.enter()
      return true
    }
    guard launch else { return }
    NativeThread.start(name: "latchkey-listener") { [self] in
      control.withLock { $0.thread = pthread_self() }
      run()
      running.leave()
    }
  }

  deinit {
    for fd in [stopPipe.read, stopPipe.write] where fd >= 0 { close(fd) }
  }

  /// Stops the thread and waits for it (about `pollMilliseconds` plus a running callback), so no
  /// callback runs after this returns. From inside a callback it only asks, to avoid a deadlock.
  public func stop() {
    stopping.store(true, ordering: .releasing)
    wake.signal()
    if stopPipe.write >= 0 {
      var byte: UInt8 = 1
      _ = write(stopPipe.write, &byte, 1)
    }
    let thread = control.withLock { $0.thread }
    if let thread, pthread_equal(thread, pthread_self()) != 0 { return }
    running.wait()
  }

  private var isStopping: Bool { stopping.load(ordering: .acquiring) }

  private func run() {
    var backoff = Self.minimumBackoff
    while !isStopping {
      if let connection = connect() {
        backoff = Self.minimumBackoff
        onConnectionChange(true)
        receive(on: connection)
        connection.close()
        onConnectionChange(false)
        // Reconnect at once: a lost session is usually one terminated backend or a failover.
        continue
      }
      _ = wake.wait(timeout: .now() + backoff)
      backoff = min(backoff * 2, Self.maximumBackoff)
    }
  }

  private func connect() -> PostgresConnection? {
    do {
      let connection = try PostgresConnection(
        url: url, statementTimeoutMilliseconds: 5000, connectTimeoutSeconds: connectTimeoutSeconds,
        shouldAbort: { [self] in isStopping })
      if let applicationName {
        try connection.execute(script: "SET application_name = '\(applicationName)'")
      }
      for channel in channels {
        try connection.execute(script: "LISTEN " + connection.escapeIdentifier(channel))
      }
      return connection
    } catch {
      return nil
    }
  }

  /// Delivers notifications until the connection is lost or `stop()` is called.
  private func receive(on connection: PostgresConnection) {
    while true {
      while let notification = connection.nextNotification() {
        onNotification(notification.channel, notification.payload)
      }
      if isStopping { return }
      let fd = connection.socket
      guard fd >= 0 else { return }
      if SocketWait.wait(fd: fd, orWake: stopPipe.read, milliseconds: Self.pollMilliseconds) == .ready {
        if !connection.consumeInput() {
          // Deliver what arrived before the loss, then report it.
          while let notification = connection.nextNotification() {
            onNotification(notification.channel, notification.payload)
          }
          return
        }
      }
    }
  }
}
