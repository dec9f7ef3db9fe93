import LatchkeyDomain

extension KeyRing {
  /// What an operator alerts on: how many keys are in each state here, and whether tokens are being
  /// signed with the HS256 secret because no stored key can sign (docs/operations.md#metrics).
  var gauges: @Sendable () -> [Metrics.Gauge] {
    { [self] in
      let now = clock.now()
      let states = lifecycle.states(among: records, now: now).map(\.state)
      let help = "Signing keys held by this instance, by state"
      var gauges: [Metrics.Gauge] = [SigningKeyState.next, .active, .retired].map { state in
        (
          "latchkey_signing_keys", help, [("state", state.rawValue)],
          Double(states.filter { $0 == state }.count)
        )
      }
      gauges.append(
        (
          "latchkey_signing_key_fallback", "1 while the HS256 secret signs because no stored key can", [],
          current.signsWithStoredKey ? 0 : 1
        ))
      return gauges
    }
  }
}
