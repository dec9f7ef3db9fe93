import FoundationEssentials

/// What a session (a token family) was started by, which decides where its
/// refresh tokens are accepted: a cookie session's only at `POST /refresh`,
/// a grant's only at the token endpoint and only from its own client, and a
/// sign-in session's nowhere (its one token is the sign-in cookie of the
/// authorization pages, never rotated).
public enum SessionKind: Sendable, Equatable {
  /// `POST /login`: the refresh cookie.
  case browser
  /// The sign-in form of `/oauth/authorize` and `/device`: the sign-in cookie.
  case signIn
  /// An OAuth grant (authorization code or device flow) to `client`, for
  /// `scopes`, its refresh token in the token endpoint's answers.
  case grant(client: UUID, scopes: [String])

  /// The client a grant belongs to; nil for the other kinds.
  public var clientID: UUID? {
    if case .grant(let client, _) = self { return client }
    return nil
  }
}

/// Whose refresh tokens a rotation accepts: the browser's cookie, or one
/// client's grants. A token of any other session is refused as unknown, and
/// nothing about its family changes.
public enum RefreshHolder: Sendable, Equatable {
  case browser
  case client(UUID)

  /// Whether a token of a session of `kind` may be presented by this holder.
  public func accepts(_ kind: SessionKind) -> Bool {
    switch (self, kind) {
    case (.browser, .browser): true
    case (.client(let holder), .grant(let client, _)): holder == client
    default: false
    }
  }
}
