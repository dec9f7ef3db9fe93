import LatchkeyHTTP

/// Domain failures. `httpError` is the only translation to HTTP, used by the
/// Responder's error mapper, so handlers simply throw.
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

  static let realm = "Bearer realm=\"latchkey\""

  public var httpError: HTTPError {
    switch self {
    case .invalidRequest(let why):
      return HTTPError(status: 400, code: "invalid_request", description: why)
    case .emailTaken:
      return HTTPError(
        status: 409, code: "email_taken", description: "an account with this email already exists")
    case .registrationClosed:
      return HTTPError(status: 403, code: "registration_closed", description: "registration is closed")
    case .invalidCredentials:
      return HTTPError(
        status: 401, code: "invalid_credentials", description: "email or password is incorrect")
    case .throttled(let retryAfter):
      return HTTPError(
        status: 429, code: "too_many_requests", description: "too many failed attempts; try again later",
        headers: [.init("Retry-After", String(max(1, retryAfter)))])
    case .invalidGrant:
      return HTTPError(
        status: 401, code: "invalid_grant",
        description: "refresh token is missing, invalid, expired or revoked")
    case .missingToken:
      return HTTPError(
        status: 401, code: "invalid_token", description: "missing bearer token",
        headers: [.init("WWW-Authenticate", Self.realm)])
    case .invalidToken:
      return HTTPError(
        status: 401, code: "invalid_token", description: "access token is invalid, expired or revoked",
        headers: [.init("WWW-Authenticate", Self.realm + ", error=\"invalid_token\"")])
    case .insufficientScope:
      return HTTPError(
        status: 403, code: "insufficient_scope", description: "this route needs the admin role",
        headers: [.init("WWW-Authenticate", Self.realm + ", error=\"insufficient_scope\"")])
    case .notFound:
      return HTTPError(status: 404, code: "not_found", description: "no such resource")
    case .invalidOrigin:
      return HTTPError(status: 403, code: "invalid_origin", description: "request origin is not allowed")
    }
  }
}
