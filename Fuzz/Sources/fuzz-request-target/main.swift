// RequestTarget.parse on arbitrary request targets: never crashes; what it
// accepts has no NUL or control character, and its segments, re-encoded,
// parse back to the same segments (an encoded slash stays data).
import FuzzSupport
import LatchkeyHTTP

func seeds() -> [[UInt8]] {
  [
    "/healthz".seed, "/api%2Fme".seed, "/items/a%2Fb?x=1".seed, "/healthz%00x".seed, "/%C0%AE%C0%AE/".seed,
    "/caf%C3%A9/%E2%82%AC".seed, "//a//b/".seed, "/a?b=%00".seed,
  ]
}

func encode(_ segment: String) -> String {
  let hex = Array("0123456789ABCDEF")
  var out = ""
  for byte in segment.utf8 {
    switch byte {
    case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
      UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"):
      out.append(Character(UnicodeScalar(byte)))
    default:
      out += "%" + String(hex[Int(byte >> 4)]) + String(hex[Int(byte & 0x0F)])
    }
  }
  return out
}

Fuzz.main(seeds: seeds) { bytes in
  let target: RequestTarget
  do throws(HTTPError) {
    target = try RequestTarget.parse(bytes)
  } catch {
    Fuzz.check(error.status == 400, "status \(error.status)")
    return
  }
  Fuzz.check(!bytes.contains(0), "accepted a raw NUL")
  Fuzz.check(target.path.utf8.first == UInt8(ascii: "/"), "path \(target.path.debugDescription)")
  Fuzz.check(!target.segments.isEmpty, "no segments")
  for segment in target.segments {
    Fuzz.check(
      !segment.utf8.contains { $0 < 0x20 || $0 == 0x7F }, "control character in \(segment.debugDescription)")
  }
  let again = try? RequestTarget.parse(Array(("/" + target.segments.map(encode).joined(separator: "/")).utf8))
  // By bytes: String equality would forgive a change to an equivalent spelling.
  Fuzz.check(
    again.map { $0.segments.map { Array($0.utf8) } } == target.segments.map { Array($0.utf8) },
    "re-encoded segments changed: \(target.segments)")
}
