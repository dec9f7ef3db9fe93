/// How a request body is delimited (or why it is refused).
public enum Framing: Sendable {
  case none
  case chunked
  case length(Int)
  case refused(HTTPError)
}

/// How the body is delimited, refusing what a proxy in front could read
/// differently (request smuggling, RFC 9112 §6.1 and §6.3): several
/// Content-Length values, Content-Length with Transfer-Encoding, a coding
/// other than plain `chunked`, a header name that is not a token (such as
/// `Content-Length :`). MHD 0.9.75 accepts all of these.
public func framing(of headers: [(name: String, value: String)]) -> Framing {
  var lengths: [Substring] = []
  var codings: [Substring] = []
  for (name, value) in headers {
    guard !name.isEmpty, name.utf8.allSatisfy(isTokenByte) else {
      return .refused(.badRequest("malformed header field name"))
    }
    if name == "content-length" {
      lengths.append(trimmedOWS(Substring(value)))
    } else if name == "transfer-encoding" {
      codings += value.split(separator: ",", omittingEmptySubsequences: false).map(trimmedOWS)
    }
  }
  if !codings.isEmpty {
    guard lengths.isEmpty else {
      return .refused(.badRequest("both Content-Length and Transfer-Encoding are present"))
    }
    guard codings.count == 1, codings[0].lowercased() == "chunked" else {
      return .refused(
        HTTPError(status: 501, code: "not_implemented", description: "unsupported Transfer-Encoding"))
    }
    return .chunked
  }
  guard let first = lengths.first else { return .none }
  guard !first.isEmpty, first.utf8.allSatisfy({ (48...57).contains($0) }), lengths.allSatisfy({ $0 == first })
  else { return .refused(.badRequest("invalid Content-Length")) }
  // Digits too many for an Int are simply too large.
  return .length(Int(first) ?? Int.max)
}

func isTokenByte(_ byte: UInt8) -> Bool {
  switch byte {
  case 48...57, 65...90, 97...122: return true
  case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"),
    UInt8(ascii: "'"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."),
    UInt8(ascii: "^"), UInt8(ascii: "_"), UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"):
    return true
  default: return false
  }
}

private func trimmedOWS(_ text: Substring) -> Substring {
  var text = text
  while let first = text.first, first == " " || first == "\t" { text.removeFirst() }
  while let last = text.last, last == " " || last == "\t" { text.removeLast() }
  return text
}
