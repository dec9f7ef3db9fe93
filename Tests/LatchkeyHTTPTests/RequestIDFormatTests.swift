import Testing

@testable import LatchkeyHTTP

/// The server's own request ids: the prefix, a dash and the counter in base 36, as string
/// interpolation wrote them.
@Suite struct RequestIDFormatTests {
  @Test func matchesInterpolation() {
    var numbers: [UInt64] = [0, 1, 9, 10, 35, 36, 37, 1295, 1296, 46_655, 46_656, UInt64.max, UInt64.max - 1]
    for shift in 0..<64 { numbers.append(1 << UInt64(shift)) }
    for prefix in ["", "a", "1z141z3", String(UInt32.max, radix: 36)] {
      for number in numbers {
        let expected = "\(prefix)-\(String(number, radix: 36))"
        #expect(HTTPServer.requestID(prefix: prefix, number: number) == expected)
      }
    }
  }
}
