// AddressRange(parsing:) and ClientAddressResolver.clientAddress. Input lines: trusted ranges
// (space-separated), the socket peer, then one X-Forwarded-For header value per line.
import Foundation
import FuzzSupport
import LatchkeyHTTP

let fixedTrusted = ["10.0.0.0/8", "127.0.0.1", "::1", "fd00::/8"].compactMap(AddressRange.init(parsing:))
let anyIPv4 = AddressRange(parsing: "0.0.0.0/0")!
let anyIPv6 = AddressRange(parsing: "::/0")!

func seeds() -> [[UInt8]] {
  [
    "10.0.0.0/8 192.168.1.0/24\n10.1.2.3\n203.0.113.7, 10.0.0.2".seed,
    "::1/128 2001:db8::/32\n::1\n2001:db8::1,198.51.100.2\n 10.9.9.9 ".seed,
    "::ffff:10.0.0.0/104 0.0.0.0/0\n::ffff:10.0.0.1\nnot-an-ip, 10.0.0.1".seed,
    "1.2.3.4/33 1.2.3.4/-1 1.2.3.4/+8 fe80::1%eth0 /8\n127.0.0.1\n\n,,,".seed,
    "\n203.0.113.9\n10.0.0.1".seed,
  ]
}

Fuzz.main(seeds: seeds) { bytes in
  let lines = Fuzz.split(bytes, separator: 0x0A, maxSplits: 6).map { String(decoding: $0, as: UTF8.self) }
  var trusted = fixedTrusted
  for text in (lines.first ?? "").split(separator: " ") {
    guard let range = AddressRange(parsing: String(text)) else { continue }
    trusted.append(range)
    // A range holds the address it was written with.
    let address = String(text.split(separator: "/", maxSplits: 1).first ?? "")
    Fuzz.check(range.contains(address), "\(text.debugDescription) does not contain its own address")
  }
  let peer = lines.count > 1 ? lines[1] : ""
  let forwarded = lines.dropFirst(2).map { (name: "X-Forwarded-For", value: $0) }
  let request = Request(method: "GET", path: "/", headers: Array(forwarded), peerAddress: peer)
  let resolver = ClientAddressResolver(trusted: trusted)
  let client = resolver.clientAddress(for: request)
  guard client != peer else { return }

  // Anything but the peer needs a trusted peer and must be one of the forwarded hops, an address.
  let hops = forwarded.flatMap { $0.value.split(separator: ",") }.map {
    $0.trimmingCharacters(in: .whitespaces)
  }
  Fuzz.check(trusted.contains { $0.contains(peer) }, "untrusted peer \(peer.debugDescription) forwarded")
  Fuzz.check(hops.contains(client), "client \(client.debugDescription) is not a forwarded hop")
  Fuzz.check(
    anyIPv4.contains(client) || anyIPv6.contains(client), "client \(client.debugDescription) is no IP")
}
