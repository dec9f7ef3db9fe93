import LatchkeyHTTP

extension Routes {
  /// Health, readiness and metrics (docs/operations.md#health-and-readiness).
  func addOperationsRoutes(to router: inout Router) {
    router.add(.get, "/healthz", execution: .inline) { _ in
      Response.json(200, bytes: Array(#"{"status":"ok"}"#.utf8))
    }
    let readiness = self.readiness
    router.add(.get, "/readyz") { _ in
      guard readiness() else { throw HTTPError.unavailable(retryAfter: 1, "database is not reachable") }
      return Response.json(200, bytes: Array(#"{"status":"ready"}"#.utf8))
    }
    let metrics = self.metrics
    router.add(.get, "/metrics", execution: .inline) { _ in
      Response(
        status: 200, headers: [("Content-Type", "text/plain; version=0.0.4; charset=utf-8")],
        body: Array(metrics.render().utf8))
    }
  }
}
