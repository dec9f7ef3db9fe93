/// The `prompt` values this server honours. `consent` and `select_account` are left out on purpose:
/// an unsupported value is refused rather than silently ignored, so a client never believes it got a
/// behaviour it did not.
public enum AuthorizationPrompt: String, Sendable, Equatable, CaseIterable {
  /// Ask for the password even when a sign-in cookie is live.
  case login
  /// `prompt=none`: show nothing, fail with `login_required` or `consent_required` instead of asking.
  /// Not spelled `none`, which an optional prompt would confuse with nil.
  case noInteraction = "none"
}
