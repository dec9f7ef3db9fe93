import LatchkeyJSON

/// An error that is already an HTTP answer, in the JSON error shape of docs/api.md#errors.
/// Everything a handler throws ends up as one of these in `Responder`.
public struct HTTPError: Error, Sendable, Equatable {
  public var status: Int
  public var code: String
  public var description: String
  public var headers: [HeaderField]

  public struct HeaderField: Sendable, Equatable {
    public var name: String
    public var value: String
    public init(_ name: String, _ value: String) {
      self.name = name
      self.value = value
    }
  }

  public init(status: Int, code: String, description: String, headers: [HeaderField] = []) {
    self.status = status
    self.code = code
    self.description = description
    self.headers = headers
  }

  public init(status: HTTPStatus, code: String, description: String, headers: [HeaderField] = []) {
    self.init(status: status.code, code: code, description: description, headers: headers)
  }

  public static func badRequest(_ description: String) -> HTTPError {
    HTTPError(status: 400, code: "invalid_request", description: description)
  }
  public static let notFound = HTTPError(status: 404, code: "not_found", description: "no such resource")
  public static func unavailable(
    retryAfter: Int = 1, _ description: String = "service temporarily unavailable"
  )
    -> HTTPError
  {
    HTTPError(
      status: 503, code: "temporarily_unavailable", description: description,
      headers: [HeaderField("Retry-After", String(retryAfter))])
  }
  public static let internalError = HTTPError(
    status: 500, code: "server_error", description: "internal error")

  public var response: Response {
    var response = Response.json(
      status, bytes: JSONText.object([("error", code), ("error_description", description)]))
    for header in headers { response.setHeader(header.name, header.value) }
    return response
  }
}
