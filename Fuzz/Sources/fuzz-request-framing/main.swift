// framing(of:) on arbitrary header lists (lines of `name:value`): never
// crashes, and never accepts what a proxy could read differently.
import FuzzSupport
import LatchkeyHTTP

func seeds() -> [[UInt8]] {
  [
    "content-length:12".seed, "transfer-encoding:chunked".seed,
    "content-length:5\ncontent-length:5".seed, "content-length:5\ntransfer-encoding:chunked".seed,
    "transfer-encoding:gzip, chunked".seed, "content-length :5".seed,
    "content-length:99999999999999999999999".seed, "host:x\ncontent-length:+5".seed,
  ]
}

Fuzz.main(seeds: seeds) { bytes in
  let headers = Array(bytes).split(separator: 0x0A, omittingEmptySubsequences: false).map { line in
    let colon = line.firstIndex(of: UInt8(ascii: ":")) ?? line.endIndex
    let name = String(decoding: line[line.startIndex..<colon], as: UTF8.self).lowercased()
    let value = colon < line.endIndex ? String(decoding: line[(colon + 1)...], as: UTF8.self) : ""
    return (name: name, value: value)
  }
  let lengths = headers.filter { $0.name == "content-length" }
  let codings = headers.filter { $0.name == "transfer-encoding" }
  switch framing(of: headers) {
  case .none:
    Fuzz.check(lengths.isEmpty && codings.isEmpty, "no framing despite framing headers")
  case .chunked:
    Fuzz.check(lengths.isEmpty, "chunked with a Content-Length")
    Fuzz.check(!codings.isEmpty, "chunked without Transfer-Encoding")
  case .length(let length):
    Fuzz.check(length >= 0, "negative length")
    Fuzz.check(codings.isEmpty, "length with Transfer-Encoding")
    Fuzz.check(Set(lengths.map(\.value)).count >= 1, "length without Content-Length")
  case .refused(let error):
    Fuzz.check(error.status == 400 || error.status == 501, "status \(error.status)")
  }
}
