// Base64URL.decode against a slow reference decoder written from RFC 4648 §5, plus the round trips
// the strict decoder promises: one accepted encoding per byte string.
import FuzzSupport
import LatchkeyCrypto

let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

/// Bit by bit: every symbol in the alphabet, no length ≡ 1 (mod 4), leftover bits all zero.
func referenceDecode(_ input: [UInt8]) -> [UInt8]? {
  guard input.count % 4 != 1 else { return nil }
  var bits: [Bool] = []
  for symbol in input {
    guard let value = alphabet.firstIndex(of: symbol) else { return nil }
    for shift in stride(from: 5, through: 0, by: -1) { bits.append((value >> shift) & 1 == 1) }
  }
  let whole = bits.count / 8 * 8
  guard !bits[whole...].contains(true) else { return nil }
  return stride(from: 0, to: whole, by: 8).map { start in
    bits[start..<start + 8].reduce(UInt8(0)) { $0 << 1 | ($1 ? 1 : 0) }
  }
}

func seeds() -> [[UInt8]] {
  [
    "".seed, "AA".seed, "AAA".seed, "AAAA".seed, "_-_-".seed, "AQ".seed, "AB".seed, "AQI".seed,
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9".seed, "a+b/".seed, "YQ==".seed, "YW Jj".seed,
    Base64URL.encode([UInt8](0...255)).seed,
  ]
}

Fuzz.main(seeds: seeds) { bytes in
  let input = Array(bytes)
  let decoded = Base64URL.decode(utf8: bytes)
  let expected = referenceDecode(input)
  Fuzz.check(
    decoded == expected,
    "decode \(input): got \(String(describing: decoded)), want \(String(describing: expected))")

  // The String overload must agree wherever the bytes are the string's UTF-8.
  let text = String(decoding: bytes, as: UTF8.self)
  if Array(text.utf8) == input {
    Fuzz.check(Base64URL.decode(text) == decoded, "String and UTF-8 overloads disagree on \(input)")
    Fuzz.check(Base64URL.decode(text[...]) == decoded, "Substring overload disagrees on \(input)")
  }
  // A non-contiguous collection takes the copying path.
  Fuzz.check(Base64URL.decode(utf8: input.lazy.map { $0 }) == decoded, "lazy collection disagrees")

  // Canonical: whatever decodes re-encodes to exactly the input.
  if let decoded {
    Fuzz.check(Array(Base64URL.encode(decoded).utf8) == input, "non-canonical encoding accepted: \(input)")
  }
  // Encoding any bytes decodes back to them; append writes the same text after a prefix.
  let encoded = Base64URL.encode(input)
  Fuzz.check(Base64URL.decode(encoded) == input, "round trip failed for \(input)")
  var buffer = Array(input.prefix(3))
  Base64URL.append(input, to: &buffer)
  Fuzz.check(buffer == Array(input.prefix(3)) + Array(encoded.utf8), "append disagrees with encode")
}
