/// A response status. An integer literal is one (`200`), and `code` is the
/// number on the wire, so Int-based call sites keep working beside these.
public struct HTTPStatus: Sendable, Hashable, ExpressibleByIntegerLiteral, CustomStringConvertible {
  public let code: Int

  public init(_ code: Int) { self.code = code }
  public init(integerLiteral value: Int) { code = value }

  public var description: String { String(code) }
  public var isError: Bool { code >= 400 }

  public static let ok = HTTPStatus(200)
  public static let created = HTTPStatus(201)
  public static let noContent = HTTPStatus(204)
  public static let badRequest = HTTPStatus(400)
  public static let unauthorized = HTTPStatus(401)
  public static let forbidden = HTTPStatus(403)
  public static let notFound = HTTPStatus(404)
  public static let methodNotAllowed = HTTPStatus(405)
  public static let conflict = HTTPStatus(409)
  public static let contentTooLarge = HTTPStatus(413)
  public static let unsupportedMediaType = HTTPStatus(415)
  public static let tooManyRequests = HTTPStatus(429)
  public static let internalServerError = HTTPStatus(500)
  public static let notImplemented = HTTPStatus(501)
  public static let serviceUnavailable = HTTPStatus(503)
}
