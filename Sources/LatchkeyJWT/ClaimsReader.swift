/// Reads AccessClaims from an authenticated payload with strict types: integers must be JSON integers
/// (true is not 1), strings must be strings, and every claim must be present exactly once.
enum ClaimsReader {
  private enum Claim: Int, CaseIterable {
    case iss, sub, aud, exp, iat, nbf, jti, sid, role, email

    static let names: [[UInt8]] = allCases.map { Array(String(describing: $0).utf8) }
  }

  static func read(
    _ payload: UnsafeBufferPointer<UInt8>, issuer: String, issuerBytes: [UInt8], audienceBytes: [UInt8],
    audience: String
  ) throws(JWTError) -> AccessClaims {
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
        guard let claim = claim(named: name, in: scanner) else {
          try scanner.skipValue()
          continue
        }
        let bit = UInt16(1) << claim.rawValue
        // RFC 7515 §5.2 allows rejecting duplicate names; accepting them invites parser disagreements.
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
          audienceFound = try ClientClaimsReader.readAudience(&scanner, audienceBytes, invalid: &invalid)
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
    guard seen == (1 << Claim.allCases.count) - 1 else { throw JWTError(.missingClaim) }
    guard let issToken = strings[Claim.iss.rawValue], scanner.matches(issToken, issuerBytes) else {
      throw JWTError(.wrongIssuer)
    }
    guard audienceFound else { throw JWTError(.wrongAudience) }
    func text(_ claim: Claim) -> String {
      strings[claim.rawValue].map { scanner.string($0) } ?? ""
    }
    return AccessClaims(
      iss: issuer, sub: text(.sub), aud: audience, exp: integers[Claim.exp.rawValue],
      iat: integers[Claim.iat.rawValue], nbf: integers[Claim.nbf.rawValue], jti: text(.jti),
      sid: text(.sid), role: text(.role), email: text(.email))
  }

  private static func claim(named name: JSONStringToken, in scanner: JSONScanner) -> Claim? {
    for claim in Claim.allCases where scanner.matches(name, Claim.names[claim.rawValue]) {
      return claim
    }
    return nil
  }
}
