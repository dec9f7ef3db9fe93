import LatchkeyHTTP

extension Routes {
  /// `GET /.well-known/jwks.json` (docs/api.md#jwks): the public keys, from memory.
  func addKeyRoutes(to router: inout Router) {
    let keys = self.keys
    let cacheControl = "public, max-age=\(jwksMaxAge)"
    router.add(.get, "/.well-known/jwks.json", execution: .inline) { _ in
      var response = Response.json(200, bytes: keys.jwks)
      response.setHeader("Cache-Control", cacheControl)
      return response
    }
  }

  /// Half the publish delay, at most five minutes: a verifier that caches the set, even behind one
  /// more cache that does the same, has fetched a new key before it signs its first token.
  var jwksMaxAge: Int64 { min(300, keyPublishDelay / 2) }
}
