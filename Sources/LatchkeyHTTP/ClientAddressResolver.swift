import FoundationEssentials
import LatchkeyText

#if canImport(Glibc)
  import Glibc
#endif

/// An IP address or CIDR range, IPv4 or IPv6.
public struct AddressRange: Sendable, Equatable {
  let bytes: [UInt8]
  let prefix: Int

  public init?(parsing text: String) {
    let parts = text.split(separator: "/", maxSplits: 1)
    guard let first = parts.first, let address = AddressRange.parseAddress(String(first)) else { return nil }
    let maxPrefix = address.count * 8
    if parts.count == 2 {
      guard let prefix = Int(parts[1]), (0...maxPrefix).contains(prefix) else { return nil }
      self.prefix = prefix
    } else {
      self.prefix = maxPrefix
    }
    bytes = address
  }

  public func contains(_ address: String) -> Bool {
    guard let other = AddressRange.parseAddress(address), other.count == bytes.count else { return false }
    var remaining = prefix
    for index in 0..<bytes.count where remaining > 0 {
      let bits = min(8, remaining)
      let mask = UInt8(truncatingIfNeeded: 0xFF << (8 - bits))
      if bytes[index] & mask != other[index] & mask { return false }
      remaining -= bits
    }
    return true
  }

  /// IPv4 as 4 bytes, IPv6 as 16 (IPv4-mapped IPv6 folded to IPv4).
  static func parseAddress(_ text: String) -> [UInt8]? {
    // inet_pton stops at a NUL; "1.2.3.4\0junk" must not pass as 1.2.3.4.
    guard !text.utf8.contains(0) else { return nil }
    var v4 = in_addr()
    if inet_pton(AF_INET, text, &v4) == 1 {
      return withUnsafeBytes(of: &v4) { Array($0) }
    }
    var v6 = in6_addr()
    if inet_pton(AF_INET6, text, &v6) == 1 {
      let raw = withUnsafeBytes(of: &v6) { Array($0) }
      if raw[0..<10].allSatisfy({ $0 == 0 }) && raw[10] == 0xFF && raw[11] == 0xFF {
        return Array(raw[12...])
      }
      return raw
    }
    return nil
  }
}

/// Decides the client's address: the socket peer, unless the peer is a
/// trusted proxy, in which case the right-most untrusted `X-Forwarded-For`
/// entry (the left part of the header is client-controlled and ignored).
public struct ClientAddressResolver: Sendable {
  public let trusted: [AddressRange]

  public init(trusted: [AddressRange]) {
    self.trusted = trusted
  }

  public func clientAddress(for request: Request) -> String {
    let peer = request.peerAddress
    guard isTrusted(peer) else { return peer }
    let forwarded = request.headers.filter { $0.name == "x-forwarded-for" }
      .flatMap { $0.value.split(separator: ",") }
      .map { $0.trimmingWhitespace() }
    for hop in forwarded.reversed() {
      guard AddressRange.parseAddress(hop) != nil else { return peer }
      if !isTrusted(hop) { return hop }
    }
    return forwarded.first ?? peer
  }

  private func isTrusted(_ address: String) -> Bool {
    trusted.contains { $0.contains(address) }
  }
}
