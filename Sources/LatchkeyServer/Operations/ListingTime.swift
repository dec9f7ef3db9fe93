import FoundationEssentials

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The times in the CLI's JSON listings (`client list`, `keys list`), byte for byte what
/// Foundation's ISO8601DateFormatter printed there before: UTC, `Z`, and the instant rounded half
/// up to the millisecond first (so 59.9996 s shows as the next second). FoundationEssentials'
/// ISO8601FormatStyle truncates instead, and the formatter itself needs full Foundation and ICU.
public enum ListingTime {
  /// `2026-11-25T20:08:58Z`, as the default ISO8601DateFormatter.
  public static func seconds(_ unix: Double) -> String { format(unix, fraction: false) }

  /// `2026-11-25T20:08:58.123Z`, as ISO8601DateFormatter with `.withFractionalSeconds`.
  public static func milliseconds(_ unix: Double) -> String { format(unix, fraction: true) }

  private static func format(_ unix: Double, fraction: Bool) -> String {
    // CoreFoundation's arithmetic, step by step: the Date holds seconds since 2001, the formatter
    // adds the 1970 offset back, scales to milliseconds and adds a half; ICU then takes the floor.
    let sinceReference = Date(timeIntervalSince1970: unix).timeIntervalSinceReferenceDate
    let scaled = ((sinceReference + Date.timeIntervalBetween1970AndReferenceDate) * 1000 + 0.5).rounded(.down)
    guard scaled.isFinite, abs(scaled) < 1e17 else { return "" }
    let millis = Int(scaled)
    var seconds = time_t(millis >= 0 ? millis / 1000 : (millis - 999) / 1000)
    let milli = millis - Int(seconds) * 1000
    var parts = tm()
    gmtime_r(&seconds, &parts)
    var out = ""
    func append(_ value: Int, width: Int) {
      let digits = String(value)
      out += String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
    append(Int(parts.tm_year) + 1900, width: 4)
    out += "-"
    append(Int(parts.tm_mon) + 1, width: 2)
    out += "-"
    append(Int(parts.tm_mday), width: 2)
    out += "T"
    append(Int(parts.tm_hour), width: 2)
    out += ":"
    append(Int(parts.tm_min), width: 2)
    out += ":"
    append(Int(parts.tm_sec), width: 2)
    if fraction {
      out += "."
      append(milli, width: 3)
    }
    return out + "Z"
  }
}
