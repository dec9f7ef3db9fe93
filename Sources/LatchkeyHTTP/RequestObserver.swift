import FoundationEssentials

/// Observes every finished request (access log, metrics).
public protocol RequestObserver: Sendable {
  func requestCompleted(_ record: RequestRecord)
}

public struct RequestRecord: Sendable {
  public var method: String
  public var path: String
  public var route: String
  public var status: Int
  public var seconds: Double
  public var requestID: String
  public var peerAddress: String

  public init(
    method: String, path: String, route: String, status: Int, seconds: Double, requestID: String,
    peerAddress: String
  ) {
    self.method = method
    self.path = path
    self.route = route
    self.status = status
    self.seconds = seconds
    self.requestID = requestID
    self.peerAddress = peerAddress
  }
}
