import LatchkeyCrypto

/// Verifies HS256 access tokens. Everything that can be checked without trusting the payload is checked
/// first (size, shape, algorithm, key, signature); claims are read only from an authenticated payload.
public struct JWTVerifier: Sendable {
  public static let maxLeewaySeconds: Int64 = 30

  public let keys: JWTKeySet
  public let issuer: String
  public let audience: String
  public let leewaySeconds: Int64
  public let maxTokenBytes: Int
  private let issuerBytes: [UInt8]
  private let audienceBytes: [UInt8]

  public init(
    keys: JWTKeySet, issuer: String, audience: String, leewaySeconds: Int64 = 30, maxTokenBytes: Int = 4096
  ) {
    self.keys = keys
    self.issuer = issuer
    self.audience = audience
    self.leewaySeconds = min(max(leewaySeconds, 0), Self.maxLeewaySeconds)
    self.maxTokenBytes = maxTokenBytes
    issuerBytes = Array(issuer.utf8)
    audienceBytes = Array(audience.utf8)
  }

  /// `now` is Unix seconds from the caller's clock, so tests and the server share one time source.
  public func verify(_ token: String, now: Int64) throws(JWTError) -> AccessClaims {
    guard token.utf8.count <= maxTokenBytes else { throw JWTError(.tooLarge) }
    var token = token
    let result: Result<AccessClaims, JWTError> = token.withUTF8 { bytes in
      do throws(JWTError) {
        return .success(try verify(bytes, now: now))
      } catch {
        return .failure(error)
      }
    }
    return try result.get()
  }

  private func verify(_ token: UnsafeBufferPointer<UInt8>, now: Int64) throws(JWTError) -> AccessClaims {
    guard let parts = JWS.split(token) else { throw JWTError(.malformed) }
    let key = try parts.header.withUnsafeBufferPointer { header throws(JWTError) in
      try selectKey(header: header)
    }
    guard JWS.signatureMatches(token, parts: parts, secret: key.secret) else {
      throw JWTError(.badSignature)
    }
    let claims = try parts.payload.withUnsafeBufferPointer { payload throws(JWTError) in
      try ClaimsReader.read(
        payload, issuer: issuer, issuerBytes: issuerBytes, audienceBytes: audienceBytes, audience: audience)
    }
    try validate(claims, now: now)
    return claims
  }

  /// The header must name HS256 (never "none" or an algorithm of the token's choosing, RFC 8725 §3.1)
  /// and a kid from our key set.
  private func selectKey(header: UnsafeBufferPointer<UInt8>) throws(JWTError) -> JWTKey {
    var scanner = JSONScanner(header)
    var algorithmOK = false
    var sawAlgorithm = false
    var sawType = false
    var kidToken: JSONStringToken?
    do throws(JSONSyntaxError) {
      try scanner.consume(UInt8(ascii: "{"))
      var first = true
      while let name = try scanner.nextKey(first: &first) {
        if scanner.matches(name, HeaderName.alg) {
          guard !sawAlgorithm else { throw JSONSyntaxError() }
          sawAlgorithm = true
          if scanner.peek() == UInt8(ascii: "\"") {
            algorithmOK = scanner.matches(try scanner.readString(), HeaderName.hs256)
          } else {
            try scanner.skipValue()
          }
        } else if scanner.matches(name, HeaderName.typ) {
          guard !sawType, scanner.peek() == UInt8(ascii: "\"") else { throw JSONSyntaxError() }
          sawType = true
          guard scanner.matches(try scanner.readString(), HeaderName.jwt) else { throw JSONSyntaxError() }
        } else if scanner.matches(name, HeaderName.kid) {
          guard kidToken == nil, scanner.peek() == UInt8(ascii: "\"") else { throw JSONSyntaxError() }
          kidToken = try scanner.readString()
        } else if scanner.matches(name, HeaderName.crit) {
          // We implement no extensions, so any critical one must make the token unacceptable.
          throw JSONSyntaxError()
        } else {
          try scanner.skipValue()
        }
      }
      try scanner.finish()
    } catch {
      throw JWTError(.malformed)
    }
    guard algorithmOK else { throw JWTError(.unsupportedAlgorithm) }
    guard let kidToken, let key = keys.key(matching: kidToken, in: scanner) else {
      throw JWTError(.unknownKey)
    }
    return key
  }

  private func validate(_ claims: AccessClaims, now: Int64) throws(JWTError) {
    let (expiresAt, expOverflow) = claims.exp.addingReportingOverflow(leewaySeconds)
    if !expOverflow && now >= expiresAt { throw JWTError(.expired) }
    let (latest, nowOverflow) = now.addingReportingOverflow(leewaySeconds)
    if !nowOverflow && latest < claims.nbf { throw JWTError(.notYetValid) }
    if !nowOverflow && latest < claims.iat { throw JWTError(.invalidClaim) }
  }
}

private enum HeaderName {
  static let alg = Array("alg".utf8)
  static let typ = Array("typ".utf8)
  static let kid = Array("kid".utf8)
  static let crit = Array("crit".utf8)
  static let hs256 = Array("HS256".utf8)
  static let jwt = Array("JWT".utf8)
}
