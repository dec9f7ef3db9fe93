import LatchkeyCrypto
import LatchkeyHTTP
import LatchkeyPostgres

/// The one translation from domain and storage errors to HTTP answers.
public enum ErrorMapping {
  public static func map(_ error: any Error) -> HTTPError? {
    switch error {
    case let auth as AuthError:
      return auth.httpError
    case let db as PostgresError:
      // Lost database, pool exhausted or a statement timeout: the client may
      // retry; details stay in the server log.
      // Text PostgreSQL cannot store (a NUL character): the client's input.
      if db.sqlState == "22021" || db.sqlState == "22P05" {
        return HTTPError.badRequest("a field contains characters that are not allowed")
      }
      if db.isUnavailable || db.kind == .timeout {
        return HTTPError.unavailable(retryAfter: 1, "the database is unavailable; retry shortly")
      }
      return nil
    case is HashingPoolError:
      return HTTPError.unavailable(retryAfter: 1, "too many password operations in progress; retry shortly")
    default:
      return nil
    }
  }
}
