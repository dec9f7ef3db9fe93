/// Whether a user has already consented to what a client asks for, so the consent page is shown only
/// when something new is asked (and `prompt=none` can succeed without it).
public enum ConsentMemory {
  /// `granted` is what the user consented to for this client before, nil if never. A user who never
  /// consented is asked even for no scopes: the page also names the client being let in.
  public static func covers(granted: [String]?, requested: [String]) -> Bool {
    guard let granted else { return false }
    return Set(granted).isSuperset(of: requested)
  }

  /// What to remember after the user consents to `requested`: the union, so consenting to a narrower
  /// request does not forget a wider one given earlier. In first-seen order.
  public static func remembering(granted: [String]?, requested: [String]) -> [String] {
    var scopes = granted ?? []
    for scope in requested where !scopes.contains(scope) { scopes.append(scope) }
    return scopes
  }
}
