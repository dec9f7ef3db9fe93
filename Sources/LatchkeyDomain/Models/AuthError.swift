/// Domain failures. The server's `ErrorMapping` is the one place that turns
/// them into HTTP answers, so services and handlers simply throw.
public enum AuthError: Error, Equatable, Sendable {
  case invalidRequest(String)
  case emailTaken
  case registrationClosed
  case invalidCredentials
  case throttled(retryAfter: Int)
  case invalidGrant
  case missingToken
  case invalidToken
  case insufficientScope
  case notFound
  case invalidOrigin
}
