import LatchkeyConcurrency
import LatchkeyDomain
import LatchkeyServer
import Testing

/// The one error-to-HTTP translation: the store's failures are never a 500.
@Suite struct ErrorMappingTests {
  struct Failure: StoreFailure {
    var isTransient: Bool
    var isInvalidInput: Bool
  }

  @Test func everyDatabaseFailureIsA503OrA400NeverA500() {
    let lost = ErrorMapping.map(Failure(isTransient: true, isInvalidInput: false))
    #expect(lost?.status == 503 && lost?.code == "temporarily_unavailable")
    // e.g. a statement a transaction-mode pooler broke, or a constraint.
    let unexpected = ErrorMapping.map(Failure(isTransient: false, isInvalidInput: false))
    #expect(unexpected?.status == 503 && unexpected?.code == "temporarily_unavailable")
    #expect(unexpected?.headers.contains { $0.name == "Retry-After" } == true)
    let input = ErrorMapping.map(Failure(isTransient: false, isInvalidInput: true))
    #expect(input?.status == 400)
    #expect(ErrorMapping.map(BoundedThreadPoolError.queueFull)?.status == 503)
  }

  @Test func domainErrorsKeepTheirStatuses() {
    #expect(ErrorMapping.map(AuthError.invalidCredentials)?.status == 401)
    #expect(ErrorMapping.map(AuthError.throttled(retryAfter: 7))?.headers.first?.value == "7")
    // Anything unknown is left to the responder's 500, whose body says nothing.
    struct Unknown: Error {}
    #expect(ErrorMapping.map(Unknown()) == nil)
  }
}
