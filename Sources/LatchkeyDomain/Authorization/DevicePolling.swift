/// The device polling state machine (RFC 8628 §3.5) as a pure function: the token endpoint reads the
/// authorization under a lock, calls `poll`, stores the new state and answers with the answer.
public enum DevicePolling {
  /// `clientID` is the authenticated (or, for a public client, named) client.
  public static func poll(
    _ state: DeviceAuthorization, clientID: String, now: Double, settings: DeviceFlowSettings
  ) -> (answer: DevicePollAnswer, state: DeviceAuthorization) {
    // Another client's device code: refused without touching the owner's state.
    guard state.clientID == clientID else {
      return (.invalidGrant("device code was issued to another client"), state)
    }
    var next = state
    next.lastPolledAt = now
    switch state.status {
    case .redeemed:
      // Tokens go out exactly once; the device code is spent.
      return (.invalidGrant("device code has already been used"), next)
    case .denied:
      // Final, so pace no longer matters.
      return (.accessDenied, next)
    case .approved(let userID):
      if now >= state.expiresAt { return (.expiredToken, next) }
      // Answered at once even when early: slow_down is a kind of authorization_pending, and holding
      // back tokens the user already approved would only make the device poll again.
      next.status = .redeemed
      return (.issue(userID: userID, scopes: state.scopes), next)
    case .pending:
      if now >= state.expiresAt { return (.expiredToken, next) }
      if let last = state.lastPolledAt, now - last < Double(state.interval) {
        next.interval = state.interval + settings.slowDownStep
        return (.slowDown, next)
      }
      return (.authorizationPending, next)
    }
  }
}
