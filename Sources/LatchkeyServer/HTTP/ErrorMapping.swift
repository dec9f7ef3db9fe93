import LatchkeyConcurrency
import LatchkeyCrypto
import LatchkeyDomain
import LatchkeyHTTP

/// The one translation from domain, storage and hashing errors to HTTP
/// answers (docs/api.md#errors). Anything it leaves is a 500 whose body says
/// nothing about the cause.
public enum ErrorMapping {
  static let realm = "Bearer realm=\"latchkey\""

  public static func map(_ error: any Error) -> HTTPError? {
    switch error {
    case let auth as AuthError:
      return map(auth)
    case let oauth as OAuthError:
      return map(oauth)
    case let store as any StoreFailure:
      if store.isInvalidInput {
        return HTTPError.badRequest("a field contains characters that are not allowed")
      }
      // Lost database, pool exhausted, a statement timeout, or anything else
      // the database refused (a pooler that broke a session, a constraint):
      // the client may retry and never sees a 500 with internals; details
      // stay in the server log (`Application` logs the unexpected ones).
      return HTTPError.unavailable(retryAfter: 1, "the database is unavailable; retry shortly")
    case is BoundedThreadPoolError:
      return HTTPError.unavailable(retryAfter: 1, "too many password operations in progress; retry shortly")
    default:
      return nil
    }
  }

  public static func map(_ error: AuthError) -> HTTPError? {
    switch error {
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
        headers: [.init("WWW-Authenticate", realm)])
    case .invalidToken:
      return HTTPError(
        status: 401, code: "invalid_token", description: "access token is invalid, expired or revoked",
        headers: [.init("WWW-Authenticate", realm + ", error=\"invalid_token\"")])
    case .insufficientScope:
      return HTTPError(
        status: 403, code: "insufficient_scope", description: "this route needs the admin role",
        headers: [.init("WWW-Authenticate", realm + ", error=\"insufficient_scope\"")])
    case .notFound:
      return HTTPError(status: 404, code: "not_found", description: "no such resource")
    case .invalidOrigin:
      return HTTPError(status: 403, code: "invalid_origin", description: "request origin is not allowed")
    }
  }

  /// RFC 6749 §5.2: 401 for a failed client authentication, 400 for the rest.
  /// The route adds `WWW-Authenticate` when the client tried HTTP Basic.
  public static func map(_ error: OAuthError) -> HTTPError {
    HTTPError(
      status: error.code == "invalid_client" ? 401 : 400, code: error.code,
      description: error.errorDescription)
  }
}
