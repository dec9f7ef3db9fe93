/// Trimming with exactly the sets Foundation's `CharacterSet.whitespaces` and
/// `.whitespacesAndNewlines` hold, scalar by scalar as `trimmingCharacters(in:)` does (a combining
/// mark after trimmed space stays), so the server needs no CharacterSet and so no full Foundation.
extension Unicode.Scalar {
  /// `CharacterSet.whitespaces`: tab and Unicode's space separators, plus U+200B, which
  /// CoreFoundation still counts.
  public var isTrimmableWhitespace: Bool {
    switch value {
    case 0x09, 0x20, 0xA0, 0x1680, 0x2000...0x200B, 0x202F, 0x205F, 0x3000: true
    default: false
    }
  }

  /// `CharacterSet.whitespacesAndNewlines`: the above plus LF, VT, FF, CR, NEL and the line and
  /// paragraph separators.
  public var isTrimmableWhitespaceOrNewline: Bool {
    switch value {
    case 0x0A...0x0D, 0x85, 0x2028, 0x2029: true
    default: isTrimmableWhitespace
    }
  }
}

extension StringProtocol {
  /// `trimmingCharacters(in: .whitespaces)`.
  public func trimmingWhitespace() -> String {
    trimmingScalars(while: \.isTrimmableWhitespace)
  }

  /// `trimmingCharacters(in: .whitespacesAndNewlines)`.
  public func trimmingWhitespaceAndNewlines() -> String {
    trimmingScalars(while: \.isTrimmableWhitespaceOrNewline)
  }

  private func trimmingScalars(while trimmable: (Unicode.Scalar) -> Bool) -> String {
    let scalars = unicodeScalars
    guard let first = scalars.firstIndex(where: { !trimmable($0) }),
      let last = scalars.lastIndex(where: { !trimmable($0) })
    else { return "" }
    var kept = String.UnicodeScalarView()
    kept.append(contentsOf: scalars[first...last])
    return String(kept)
  }
}
