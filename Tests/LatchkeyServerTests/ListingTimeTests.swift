import Foundation
import LatchkeyServer
import Testing

/// The CLI's listing times replaced ISO8601DateFormatter: the same bytes for every instant the
/// service can store (its Gregorian rules agree with ICU's from 1601 on).
@Suite struct ListingTimeTests {
  @Test func matchesISO8601DateFormatter() {
    let plain = ISO8601DateFormatter()
    let fractional = ISO8601DateFormatter()
    fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    var samples: [Double] = [
      0, 0.5, 1.5, -0.5, -1.5, 0.0005, 0.0015, 1_700_000_000.0005, 1_700_000_000.9995,
      1_700_000_000.99949, 951_782_400.5, 253_402_300_799.999, 1_000_000_000_000,
    ]
    var generator = SystemRandomNumberGenerator()
    for _ in 0..<20000 {
      samples.append(Double.random(in: -11_644_473_600..<4_102_444_800, using: &generator))
      samples.append(Double(Int.random(in: 0..<4_102_444_800_000, using: &generator)) / 1000)
      samples.append(Double(Int.random(in: 0..<41_024_448_000_000, using: &generator)) / 10000 + 0.0005)
    }
    for seconds in samples {
      let date = Date(timeIntervalSince1970: seconds)
      #expect(ListingTime.seconds(seconds) == plain.string(from: date), "\(seconds)")
      #expect(ListingTime.milliseconds(seconds) == fractional.string(from: date), "\(seconds)")
    }
  }
}
