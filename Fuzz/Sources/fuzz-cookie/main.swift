// Request.cookies over one or more Cookie header values (separated by 0x01
// in the input): never crashes; names are non-empty, trimmed and hold no
// separator; the first occurrence of a name wins.
import Foundation
import FuzzSupport
import LatchkeyHTTP

func seeds() -> [[UInt8]] {
  [
    "latchkey_refresh=abc; theme=dark".seed,
    "__Host-latchkey_refresh=\"quoted\"\u{1}a=1;a=2".seed,
    "=novalue; ;k=; =; ==; \"=\"".seed,
    "a=\u{1}a=b\u{1} a = c ".seed,
  ]
}

Fuzz.main(seeds: seeds) { bytes in
  let values = Array(bytes).split(separator: 0x01, omittingEmptySubsequences: false)
    .map { String(decoding: $0, as: UTF8.self) }
  let request = Request(method: "GET", path: "/", headers: values.map { (name: "Cookie", value: $0) })
  let cookies = request.cookies
  for (name, value) in cookies {
    Fuzz.check(!name.isEmpty, "empty cookie name")
    // Separators are scalars: U+037E is canonically equivalent to ";" as a
    // Character, but it is no cookie separator.
    Fuzz.check(
      !name.unicodeScalars.contains(";") && !name.unicodeScalars.contains("=")
        && !value.unicodeScalars.contains(";"), "cookie \(name)=\(value)")
    Fuzz.check(name.trimmingCharacters(in: .whitespaces) == name, "untrimmed name \(name.debugDescription)")
  }
  // Asking twice gives the same answer (no hidden state).
  Fuzz.check(request.cookies == cookies, "cookies changed between reads")
}
