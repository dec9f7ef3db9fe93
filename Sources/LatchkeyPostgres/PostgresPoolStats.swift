/// A snapshot of pool counters for metrics and readiness.
public struct PostgresPoolStats: Sendable, Equatable {
  /// Maximum number of connections.
  public var size: Int
  /// Connections that exist or are being opened.
  public var open: Int
  /// Connections lent out (including ones being opened for a borrower).
  public var inUse: Int
  /// Threads waiting for a connection right now.
  public var waiting: Int
  /// Acquires that gave up after the acquire timeout, since the pool was made.
  public var acquireTimeouts: Int
  /// Connections opened, since the pool was made.
  public var connectionsCreated: Int
  /// Connection attempts that failed, since the pool was made.
  public var connectFailures: Int
  /// Connections thrown away as broken, since the pool was made.
  public var connectionsDiscarded: Int

  public init(
    size: Int, open: Int, inUse: Int, waiting: Int, acquireTimeouts: Int, connectionsCreated: Int = 0,
    connectFailures: Int = 0, connectionsDiscarded: Int = 0
  ) {
    self.size = size
    self.open = open
    self.inUse = inUse
    self.waiting = waiting
    self.acquireTimeouts = acquireTimeouts
    self.connectionsCreated = connectionsCreated
    self.connectFailures = connectFailures
    self.connectionsDiscarded = connectionsDiscarded
  }
}
