import FoundationEssentials

public struct HTTPServerConfiguration: Sendable {
  public var host: String = "127.0.0.1"
  public var port: UInt16 = 8080
  /// MHD poll threads; cheap handlers run here.
  public var pollThreads: Int = ProcessInfo.processInfo.activeProcessorCount
  /// Threads for blocking handlers, and how many may wait for one.
  public var workerThreads: Int = 32
  public var workerQueueLimit: Int = 2048
  /// Threads for `.slow` handlers (password hashing), and how many may wait.
  public var slowWorkerThreads: Int = 8
  public var slowWorkerQueueLimit: Int = 2048
  public var maxConnections: Int = 4096
  /// A connection idle (or trickling) this long is closed.
  public var idleTimeoutSeconds: Int = 30
  /// A new connection silent this long before its first request's headers
  /// are complete is closed: a TLS ClientHello or other non-HTTP bytes on
  /// the plain port (the client then waits for an answer MHD never gives)
  /// is cut off quickly instead of holding a connection for the idle timeout.
  /// Any byte received restarts the clock; later requests on a kept-alive
  /// connection get the idle timeout.
  public var firstRequestTimeoutSeconds: Int = 1
  /// Bounds the request line plus headers (MHD answers 431/413 past it).
  public var maxHeaderBytes: Int = 32 * 1024
  public var maxBodyBytes: Int = 16 * 1024
  /// How long SIGTERM waits for in-flight requests before stopping anyway.
  public var drainTimeoutSeconds: Double = 30

  public init() {}
}
