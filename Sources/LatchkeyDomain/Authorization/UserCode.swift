/// A device flow user code (RFC 8628 §6.1): 8 letters from a 20-consonant alphabet, about 34.6 bits.
/// No vowels, so no word can be spelled; no `Y`, which reads as a vowel; one case, so nothing is
/// confused. Shown `XXXX-XXXX`; typed in any case, with or without the dash.
public struct UserCode: Sendable, Hashable, CustomStringConvertible {
  public static let alphabet = Array("BCDFGHJKLMNPQRSTVWXZ".utf8)
  public static let length = 8

  /// The 8 letters, upper case, no dash: the form to store (hashed or not) and compare.
  public let normalized: String

  /// What a user typed, if it is a user code: 8 letters of the alphabet in any case, or 4 + `-` + 4.
  /// Anything else (spaces, other dashes, letters outside the alphabet, non-ASCII look-alikes) is
  /// refused rather than guessed at, so one code has exactly one spelling per case.
  public init?(normalizing input: String) {
    var bytes = Array(input.utf8)
    if bytes.count == Self.length + 1 {
      guard bytes[Self.length / 2] == UInt8(ascii: "-") else { return nil }
      bytes.remove(at: Self.length / 2)
    }
    guard bytes.count == Self.length else { return nil }
    var letters: [UInt8] = []
    for byte in bytes {
      let upper = byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z") ? byte - 0x20 : byte
      guard Self.alphabet.contains(upper) else { return nil }
      letters.append(upper)
    }
    normalized = String(decoding: letters, as: UTF8.self)
  }

  /// `XXXX-XXXX`, as shown to the user and put in `verification_uri_complete`.
  public var display: String {
    String(normalized.prefix(Self.length / 2)) + "-" + String(normalized.suffix(Self.length / 2))
  }

  public var description: String { display }

  /// A fresh code. Bytes of 240 and above are dropped so that each of the 20 letters is equally
  /// likely (240 is the largest multiple of 20 a byte holds); a bias would make guessing cheaper.
  public static func generate(random: any RandomByteSource) -> UserCode {
    let limit = UInt8(256 - 256 % alphabet.count)
    var letters: [UInt8] = []
    while letters.count < length {
      for byte in random.randomBytes(count: length - letters.count) where byte < limit {
        letters.append(alphabet[Int(byte) % alphabet.count])
      }
    }
    return UserCode(normalizing: String(decoding: letters, as: UTF8.self))!
  }

  /// `verification_uri_complete` (RFC 8628 §3.3.1): the verification URI with the code pre-filled.
  public func verificationURIComplete(_ verificationURI: String) -> String {
    AuthorizationRedirect.url(verificationURI, adding: [("user_code", display)])
  }
}
