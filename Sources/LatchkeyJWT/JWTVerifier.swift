import LatchkeyCrypto

/// Verifies access tokens signed with HS256, ES256 or EdDSA, the algorithm always being the key's. Everything that can be checked without trusting the payload is checked
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
  /// Whose entries these are in `VerifiedTokenCache` (copies of a verifier share its keys).
  private let cacheID = VerifiedTokenCache.newVerifierID()

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

  /// A user token (`typ` "JWT" or absent). `now` is Unix seconds from the caller's clock, so tests and
  /// the server share one time source.
  public func verify(_ token: String, now: Int64) throws(JWTError) -> AccessClaims {
    let claims = try cachedOrAuthenticated(token)
    try validate(exp: claims.exp, nbf: claims.nbf, iat: claims.iat, now: now)
    return claims
  }

  /// The claims of a token this thread already authenticated with these keys, or the full check
  /// (whose success is remembered). Nothing time-dependent is cached: `verify` validates after.
  private func cachedOrAuthenticated(_ token: String) throws(JWTError) -> AccessClaims {
    var text = token
    let cached: (claims: AccessClaims?, hash: Int) = text.withUTF8 { bytes in
      guard bytes.count <= VerifiedTokenCache.maxTokenBytes else { return (nil, 0) }
      let hash = VerifiedTokenCache.hash(bytes)
      return (VerifiedTokenCache.current().claims(for: bytes, hash: hash, verifier: cacheID), hash)
    }
    if let claims = cached.claims { return claims }
    let claims = try withAuthenticatedPayload(token, type: .user) { payload throws(JWTError) in
      try ClaimsReader.read(
        payload, issuer: issuer, issuerBytes: issuerBytes, audienceBytes: audienceBytes, audience: audience)
    }
    text.withUTF8 { bytes in
      guard bytes.count <= VerifiedTokenCache.maxTokenBytes else { return }
      VerifiedTokenCache.current().remember(claims, for: bytes, hash: cached.hash, verifier: cacheID)
    }
    return claims
  }

  /// A client's token (RFC 9068: `typ` "at+jwt" or "application/at+jwt", required).
  public func verifyClient(_ token: String, now: Int64) throws(JWTError) -> ClientAccessClaims {
    let claims = try withAuthenticatedPayload(token, type: .client) { payload throws(JWTError) in
      try ClientClaimsReader.read(
        payload, issuer: issuer, issuerBytes: issuerBytes, audienceBytes: audienceBytes, audience: audience)
    }
    try validate(exp: claims.exp, nbf: claims.nbf, iat: claims.iat, now: now)
    return claims
  }

  private func withAuthenticatedPayload<T>(
    _ token: String, type: JWTTokenType, _ read: (UnsafeBufferPointer<UInt8>) throws(JWTError) -> T
  ) throws(JWTError) -> T {
    guard token.utf8.count <= maxTokenBytes else { throw JWTError(.tooLarge) }
    var token = token
    let result: Result<T, JWTError> = token.withUTF8 { bytes in
      do throws(JWTError) {
        let parts = try authenticate(bytes, type: type)
        return .success(
          try parts.payload.withUnsafeBufferPointer { payload throws(JWTError) in try read(payload) })
      } catch {
        return .failure(error)
      }
    }
    return try result.get()
  }

  /// Shape, header, key and signature; nothing of the payload is trusted before this returns.
  private func authenticate(_ token: UnsafeBufferPointer<UInt8>, type: JWTTokenType) throws(JWTError)
    -> JWS.Parts
  {
    guard let parts = JWS.split(token) else { throw JWTError(.malformed) }
    let key = try parts.header.withUnsafeBufferPointer { header throws(JWTError) in
      try selectKey(header: header, type: type)
    }
    let valid: Bool
    if let publicKey = key.publicKey {
      valid = publicKey.isValidSignature(
        parts.signature, for: UnsafeBufferPointer(rebasing: token[0..<parts.signingInputLength]))
    } else {
      valid = JWS.signatureMatches(token, parts: parts, secret: key.secret)
    }
    guard valid else { throw JWTError(.badSignature) }
    return parts
  }

  /// The header must name a kid from our key set and exactly that key's algorithm: never "none", never
  /// an algorithm of the token's choosing (RFC 8725 §3.1), so an HS256 token "signed" with a public
  /// key's bytes fails like any other mismatch.
  private func selectKey(header: UnsafeBufferPointer<UInt8>, type: JWTTokenType) throws(JWTError) -> JWTKey {
    var scanner = JSONScanner(header)
    var algorithm: JWTAlgorithm?
    var sawAlgorithm = false
    var typeToken: JSONStringToken?
    var kidToken: JSONStringToken?
    do throws(JSONSyntaxError) {
      try scanner.consume(UInt8(ascii: "{"))
      var first = true
      while let name = try scanner.nextKey(first: &first) {
        if scanner.matches(name, HeaderName.alg) {
          guard !sawAlgorithm else { throw JSONSyntaxError() }
          sawAlgorithm = true
          if scanner.peek() == UInt8(ascii: "\"") {
            let value = try scanner.readString()
            algorithm = JWTAlgorithm.names.first { scanner.matches(value, $0.1) }?.0
          } else {
            try scanner.skipValue()
          }
        } else if scanner.matches(name, HeaderName.typ) {
          guard typeToken == nil, scanner.peek() == UInt8(ascii: "\"") else { throw JSONSyntaxError() }
          typeToken = try scanner.readString()
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
    try checkType(typeToken, expected: type, in: scanner)
    guard let algorithm else { throw JWTError(.unsupportedAlgorithm) }
    guard let kidToken, let key = keys.key(matching: kidToken, in: scanner) else {
      throw JWTError(.unknownKey)
    }
    guard key.algorithm == algorithm else { throw JWTError(.unsupportedAlgorithm) }
    return key
  }

  /// User tokens: "JWT" or no `typ` (as before clients existed). Client tokens: "at+jwt" or
  /// "application/at+jwt", required (RFC 9068 §4). The other kind's value is `wrongType`; any other
  /// value is malformed.
  private func checkType(
    _ token: JSONStringToken?, expected: JWTTokenType, in scanner: JSONScanner
  ) throws(JWTError) {
    let isUser = token.map { scanner.matches($0, HeaderName.jwt) }
    let isClient = token.map {
      scanner.matches($0, HeaderName.atJWT) || scanner.matches($0, HeaderName.mediaATJWT)
    }
    switch expected {
    case .user:
      guard let token = isUser else { return }
      if token { return }
      throw JWTError(isClient == true ? .wrongType : .malformed)
    case .client:
      if isClient == true { return }
      throw JWTError(isUser == true || token == nil ? .wrongType : .malformed)
    }
  }

  private func validate(exp: Int64, nbf: Int64, iat: Int64, now: Int64) throws(JWTError) {
    let (expiresAt, expOverflow) = exp.addingReportingOverflow(leewaySeconds)
    if !expOverflow && now >= expiresAt { throw JWTError(.expired) }
    let (latest, nowOverflow) = now.addingReportingOverflow(leewaySeconds)
    if !nowOverflow && latest < nbf { throw JWTError(.notYetValid) }
    if !nowOverflow && latest < iat { throw JWTError(.invalidClaim) }
  }
}

private enum HeaderName {
  static let alg = Array("alg".utf8)
  static let typ = Array("typ".utf8)
  static let kid = Array("kid".utf8)
  static let crit = Array("crit".utf8)
  static let jwt = Array("JWT".utf8)
  static let atJWT = Array("at+jwt".utf8)
  static let mediaATJWT = Array("application/at+jwt".utf8)
}
