import Foundation
import LatchkeyCrypto
import LatchkeyJWT
import Testing

@Suite struct AsymmetricJWTTests {
  typealias F = AsymmetricFixtures

  @Test(arguments: [("ES256", F.es256), ("EdDSA", F.eddsa)])
  func userTokensRoundTrip(alg: String, key: JWTKey) throws {
    let keys = JWTKeySet(signing: key)
    let token = JWTSigner(keys: keys).sign(Fixtures.claims)
    #expect(F.decodedHeader(token) == #"{"alg":"\#(alg)","typ":"JWT","kid":"\#(key.kid)"}"#)
    #expect(Base64URL.decode(F.segments(token)[2])?.count == 64)
    #expect(try F.verifier(keys).verify(token, now: Fixtures.now) == Fixtures.claims)
    // A verifier holding only the public key accepts it too.
    let publicOnly = try JWTKey(kid: key.kid, publicKey: try #require(key.publicKey))
    #expect(!publicOnly.canSign)
    #expect(
      try F.verifier(JWTKeySet(signing: publicOnly)).verify(token, now: Fixtures.now) == Fixtures.claims)
  }

  @Test(arguments: [F.es256, F.eddsa, Fixtures.key])
  func clientTokensRoundTripAndAreNeverTakenForUserTokens(key: JWTKey) throws {
    let keys = JWTKeySet(signing: key)
    let signer = JWTSigner(keys: keys)
    let verifier = F.verifier(keys)
    let clientToken = signer.sign(F.clientClaims)
    #expect(
      F.decodedHeader(clientToken)
        == #"{"alg":"\#(key.algorithm.rawValue)","typ":"at+jwt","kid":"\#(key.kid)"}"#)
    #expect(try verifier.verifyClient(clientToken, now: Fixtures.now) == F.clientClaims)
    let payload = String(decoding: Base64URL.decode(F.segments(clientToken)[1])!, as: UTF8.self)
    #expect(payload.contains(#""client_id":"client-7""#))
    #expect(payload.contains(#""scope":"read write""#))

    #expect(throws: JWTError(.wrongType)) { try verifier.verify(clientToken, now: Fixtures.now) }
    let userToken = signer.sign(Fixtures.claims)
    #expect(throws: JWTError(.wrongType)) { try verifier.verifyClient(userToken, now: Fixtures.now) }
  }

  @Test func clientTokenTypeRules() throws {
    let keys = JWTKeySet(signing: F.es256)
    let verifier = F.verifier(keys)
    func token(typ: String?) -> String {
      let typMember = typ.map { #","typ":\#($0)"# } ?? ""
      return F.token(
        header: #"{"alg":"ES256"\#(typMember),"kid":"es-1"}"#, payload: F.clientPayload,
        signer: F.es256Private)
    }
    #expect(try verifier.verifyClient(token(typ: #""at+jwt""#), now: Fixtures.now).scope == "read")
    #expect(
      try verifier.verifyClient(token(typ: #""application/at+jwt""#), now: Fixtures.now).clientID
        == "client-7")
    #expect(throws: JWTError(.wrongType)) { try verifier.verifyClient(token(typ: nil), now: Fixtures.now) }
    #expect(throws: JWTError(.wrongType)) {
      try verifier.verifyClient(token(typ: #""JWT""#), now: Fixtures.now)
    }
    #expect(throws: JWTError(.malformed)) {
      try verifier.verifyClient(token(typ: #""AT+JWT""#), now: Fixtures.now)
    }
    #expect(throws: JWTError(.malformed)) { try verifier.verifyClient(token(typ: "1"), now: Fixtures.now) }
    #expect(throws: JWTError(.wrongType)) { try verifier.verify(token(typ: #""at+jwt""#), now: Fixtures.now) }
  }

  @Test func clientClaimsAreReadStrictly() {
    let verifier = F.verifier(JWTKeySet(signing: F.eddsa))
    func token(_ payload: String) -> String {
      F.token(header: #"{"alg":"EdDSA","typ":"at+jwt","kid":"ed-1"}"#, payload: payload, signer: F.edPrivate)
    }
    let missingClientID = F.clientPayload.replacingOccurrences(of: #","client_id":"client-7""#, with: "")
    #expect(throws: JWTError(.missingClaim)) {
      try verifier.verifyClient(token(missingClientID), now: Fixtures.now)
    }
    let numericScope = F.clientPayload.replacingOccurrences(of: #""scope":"read""#, with: #""scope":1"#)
    #expect(throws: JWTError(.invalidClaim)) {
      try verifier.verifyClient(token(numericScope), now: Fixtures.now)
    }
    let duplicate = F.clientPayload.replacingOccurrences(of: "}", with: #","scope":"admin"}"#)
    #expect(throws: JWTError(.malformed)) { try verifier.verifyClient(token(duplicate), now: Fixtures.now) }
    #expect(throws: JWTError(.expired)) {
      try verifier.verifyClient(token(F.clientPayload), now: Fixtures.now + 2000)
    }
    let otherIssuer = F.clientPayload.replacingOccurrences(of: Fixtures.issuer, with: "https://evil.test")
    #expect(throws: JWTError(.wrongIssuer)) {
      try verifier.verifyClient(token(otherIssuer), now: Fixtures.now)
    }
  }

  @Test func retiredAndUpcomingKeysVerifyButOnlyTheSigningKeySigns() throws {
    let retiredToken = JWTSigner(keys: JWTKeySet(signing: F.eddsa)).sign(Fixtures.claims)
    let upcoming = try JWTKey(kid: "es-next", privateKey: try SigningPrivateKey.generate(.p256))
    let upcomingToken = JWTSigner(keys: JWTKeySet(signing: upcoming)).sign(Fixtures.claims)
    let keys = JWTKeySet(signing: F.es256, previous: [F.eddsa, Fixtures.key], upcoming: [upcoming])
    let verifier = F.verifier(keys)
    #expect(try verifier.verify(retiredToken, now: Fixtures.now) == Fixtures.claims)
    #expect(try verifier.verify(upcomingToken, now: Fixtures.now) == Fixtures.claims)
    #expect(
      try verifier.verify(Fixtures.signer().sign(Fixtures.claims), now: Fixtures.now) == Fixtures.claims)
    let fresh = JWTSigner(keys: keys).sign(Fixtures.claims)
    #expect(F.decodedHeader(fresh).contains(#""kid":"es-1""#))
    #expect(keys.key(kid: "es-next")?.kid == "es-next")
    #expect(keys.allKeys.map(\.kid) == ["es-1", "es-next", "ed-1", Fixtures.key.kid])
  }

  @Test func keyIDsAreValidated() throws {
    for kid in ["", "a b", #"a"b"#, #"a\b"#, "é", String(repeating: "k", count: 129), "tab\t"] {
      #expect(throws: JWTConfigurationError.invalidKeyID) { try JWTKey(kid: kid, privateKey: F.edPrivate) }
    }
    _ = try JWTKey(kid: String(repeating: "k", count: 128), publicKey: F.edPrivate.publicKey)
  }

  @Test func rfc8037ThumbprintIsTheKid() throws {
    let key = try SigningPublicKey(ed25519: Base64URL.decode("11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo")!)
    #expect(JWTKey.thumbprint(of: key) == "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k")
    #expect(JWTKey.thumbprint(of: F.es256Private.publicKey).utf8.count == 43)
    #expect(JWTKey.thumbprint(of: F.es256Private.publicKey) != JWTKey.thumbprint(of: F.edPrivate.publicKey))
  }

  @Test func keysNeverPrintPrivateMaterial() throws {
    let der = try F.es256Private.pkcs8DER()
    var dumped = ""
    dump(F.es256, to: &dumped)
    for text in [
      F.es256.description, String(reflecting: F.es256), dumped,
      String(describing: JWTKeySet(signing: F.es256)),
    ] {
      #expect(text.contains("es-1"))
      #expect(!text.contains(Base64URL.encode(der)))
      #expect(!text.contains("SigningPrivateKey"))
    }
  }
}
