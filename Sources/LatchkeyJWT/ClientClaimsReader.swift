/// Reads ClientAccessClaims from an authenticated payload with the same strictness as ClaimsReader:
/// JSON integers for times, strings for the rest, every claim present exactly once.
enum ClientClaimsReader {
  private enum Claim: Int, CaseIterable {
    case iss, sub, aud, exp, iat, nbf, jti, clientID, scope
    /// Optional: only grant tokens carry it.
    case sid

    static let required: UInt16 = (1 << Claim.sid.rawValue) - 1

    var name: String {
      switch self {
      case .clientID: "client_id"
      default: String(describing: self)
      }
    }

    static let names: [[UInt8]] = allCases.map { Array($0.name.utf8) }
  }

  static func read(
    _ payload: UnsafeBufferPointer<UInt8>, issuer: String, issuerBytes: [UInt8], audienceBytes: [UInt8],
    audience: String
  ) throws(JWTError) -> ClientAccessClaims {
    var scanner = JSONScanner(payload)
    var seen: UInt16 = 0
    var invalid = false
    var strings = [JSONStringToken?](repeating: nil, count: Claim.allCases.count)
    var integers = [Int64](repeating: 0, count: Claim.allCases.count)
    var audienceFound = false
    do throws(JSONSyntaxError) {
      try scanner.consume(UInt8(ascii: "{"))
      var first = true
      while let name = try scanner.nextKey(first: &first) {
        guard let claim = Claim.allCases.first(where: { scanner.matches(name, Claim.names[$0.rawValue]) })
        else {
          try scanner.skipValue()
          continue
        }
        let bit = UInt16(1) << claim.rawValue
        guard seen & bit == 0 else { throw JSONSyntaxError() }
        seen |= bit
        switch claim {
        case .exp, .iat, .nbf:
          guard let byte = scanner.peek(), byte == UInt8(ascii: "-") || (byte >= 0x30 && byte <= 0x39) else {
            invalid = true
            try scanner.skipValue()
            continue
          }
          if case .integer(let value) = try scanner.readNumber() {
            integers[claim.rawValue] = value
          } else {
            invalid = true
          }
        case .aud:
          audienceFound = try readAudience(&scanner, audienceBytes, invalid: &invalid)
        default:
          guard scanner.peek() == UInt8(ascii: "\"") else {
            invalid = true
            try scanner.skipValue()
            continue
          }
          strings[claim.rawValue] = try scanner.readString()
        }
      }
      try scanner.finish()
    } catch {
      throw JWTError(.malformed)
    }
    if invalid { throw JWTError(.invalidClaim) }
    guard seen & Claim.required == Claim.required else { throw JWTError(.missingClaim) }
    guard let issToken = strings[Claim.iss.rawValue], scanner.matches(issToken, issuerBytes) else {
      throw JWTError(.wrongIssuer)
    }
    guard audienceFound else { throw JWTError(.wrongAudience) }
    func text(_ claim: Claim) -> String {
      strings[claim.rawValue].map { scanner.string($0) } ?? ""
    }
    return ClientAccessClaims(
      iss: issuer, sub: text(.sub), aud: audience, exp: integers[Claim.exp.rawValue],
      iat: integers[Claim.iat.rawValue], nbf: integers[Claim.nbf.rawValue], jti: text(.jti),
      clientID: text(.clientID), scope: text(.scope),
      sid: strings[Claim.sid.rawValue].map { scanner.string($0) })
  }

  /// `aud` as a string or an array of strings (RFC 7519 §4.1.3); true when ours is among them.
  /// Shared by both token kinds' readers.
  static func readAudience(
    _ scanner: inout JSONScanner, _ audienceBytes: [UInt8], invalid: inout Bool
  ) throws(JSONSyntaxError) -> Bool {
    switch scanner.peek() {
    case UInt8(ascii: "\""):
      return scanner.matches(try scanner.readString(), audienceBytes)
    case UInt8(ascii: "["):
      try scanner.consume(UInt8(ascii: "["))
      var found = false
      var first = true
      while try scanner.nextElement(first: &first) {
        guard scanner.peek() == UInt8(ascii: "\"") else {
          invalid = true
          try scanner.skipValue()
          continue
        }
        if scanner.matches(try scanner.readString(), audienceBytes) { found = true }
      }
      return found
    default:
      invalid = true
      try scanner.skipValue()
      return false
    }
  }
}
