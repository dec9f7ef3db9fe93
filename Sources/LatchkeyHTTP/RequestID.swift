/// The `X-Request-Id` rule in one place: a client's id is kept (so a proxy's
/// or caller's id follows the request through our logs) only when it is
/// 1–64 characters of `[A-Za-z0-9._-]`; anything else could forge log lines
/// or bloat them, and the server makes up its own id instead.
public enum RequestID {
  /// The client's id when acceptable, nil otherwise.
  public static func accepted(_ value: String?) -> String? {
    guard let value, !value.isEmpty, value.utf8.count <= 64, value.utf8.allSatisfy(isAllowed) else {
      return nil
    }
    return value
  }

  private static func isAllowed(_ byte: UInt8) -> Bool {
    switch byte {
    case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
      UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "-"):
      return true
    default: return false
    }
  }
}
