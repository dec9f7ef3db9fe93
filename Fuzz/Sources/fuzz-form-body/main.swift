// FormBody.parse on arbitrary bytes: never crashes, and what it accepts is
// well formed and survives FormBody.encode unchanged.
import FuzzSupport
import LatchkeyHTTP

func seeds() -> [[UInt8]] {
  [
    "grant_type=refresh_token&refresh_token=abc.def&scope=read+write".seed,
    "redirect_uri=https%3A%2F%2Fapp.example%2Fcb&name=caf%C3%A9".seed,
    "a=1&a=2".seed, "&&a=&b&c==d".seed, "a=%zz&b=%C0%AE&c=%00".seed,
  ]
}

Fuzz.main(seeds: seeds) { bytes in
  let parsed: [String: String]
  do throws(HTTPError) {
    parsed = try FormBody.parse(bytes)
  } catch {
    Fuzz.check(error.status == 400, "status \(error.status)")
    return
  }
  Fuzz.check(parsed.count <= FormBody.defaultMaximumPairs, "\(parsed.count) pairs")
  for (name, value) in parsed {
    Fuzz.check(!name.isEmpty, "empty name")
    Fuzz.check(!name.utf8.contains(0) && !value.utf8.contains(0), "NUL survived")
  }
  let fields = parsed.sorted { $0.key < $1.key }.map { (name: $0.key, value: $0.value) }
  let again = try? FormBody.parse(FormBody.encode(fields), maximumBytes: Int.max)
  Fuzz.check(again == parsed, "encode/parse round trip changed \(parsed)")
}
