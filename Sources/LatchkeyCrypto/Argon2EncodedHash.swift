import CArgon2

/// A parsed PHC string, `$argon2id$v=19$m=19456,t=2,p=1$<salt>$<tag>` with salt and tag in standard
/// base64 without padding. The parser is strict: one canonical form per hash, nothing optional but
/// the version field, so odd rows are rejected rather than interpreted.
struct Argon2EncodedHash: Sendable, Equatable {
  enum Variant: String, Sendable {
    case argon2i
    case argon2id

    var type: argon2_type {
      switch self {
      case .argon2i: Argon2_i
      case .argon2id: Argon2_id
      }
    }
  }

  static let version10: UInt32 = 0x10
  static let version13: UInt32 = 0x13
  /// Far above any legitimate encoding; bounds parsing work on junk input.
  static let maxEncodedLength = 512
  static let minSaltBytes = 8
  static let minTagBytes = 4

  var variant: Variant
  var version: UInt32
  var parameters: Argon2Parameters
  var salt: [UInt8]
  var tag: [UInt8]

  var encoded: String {
    let salt = salt.withUnsafeBufferPointer { Base64Codec.standard.encode($0) }
    let tag = tag.withUnsafeBufferPointer { Base64Codec.standard.encode($0) }
    return "$\(variant.rawValue)$v=\(version)$m=\(parameters.memoryKiB),t=\(parameters.iterations),"
      + "p=\(parameters.parallelism)$\(salt)$\(tag)"
  }

  init(variant: Variant, version: UInt32, parameters: Argon2Parameters, salt: [UInt8], tag: [UInt8]) {
    self.variant = variant
    self.version = version
    self.parameters = parameters
    self.salt = salt
    self.tag = tag
  }

  init?(parsing text: String) {
    let utf8 = text.utf8
    guard utf8.count <= Self.maxEncodedLength, utf8.first == UInt8(ascii: "$") else { return nil }
    let fields = utf8.dropFirst().split(separator: UInt8(ascii: "$"), omittingEmptySubsequences: false)
    guard fields.count == 4 || fields.count == 5 else { return nil }
    var index = 0

    guard let variant = Variant(rawValue: String(decoding: fields[index], as: UTF8.self)) else {
      return nil
    }
    index += 1

    // Hashes from before version 1.3 carry no v= field; the reference decoder reads that as 0x10.
    var version = Self.version10
    if fields.count == 5 {
      guard let value = Self.keyValue(fields[index], key: "v"),
        value == Self.version10 || value == Self.version13
      else { return nil }
      version = value
      index += 1
    }

    let costs = fields[index].split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false)
    guard costs.count == 3,
      let memory = Self.keyValue(costs[0], key: "m"),
      let iterations = Self.keyValue(costs[1], key: "t"),
      let parallelism = Self.keyValue(costs[2], key: "p"),
      iterations >= 1, parallelism >= 1, parallelism <= 0xFF_FFFF,
      UInt64(memory) >= 8 * UInt64(parallelism)
    else { return nil }
    index += 1

    guard let salt = Self.decodeBase64(fields[index]), salt.count >= Self.minSaltBytes,
      let tag = Self.decodeBase64(fields[index + 1]), tag.count >= Self.minTagBytes
    else { return nil }

    self.init(
      variant: variant, version: version,
      parameters: Argon2Parameters(memoryKiB: memory, iterations: iterations, parallelism: parallelism),
      salt: salt, tag: tag)
  }

  /// `key=decimal`, canonical decimal only (no sign, no leading zeros), fitting in UInt32.
  private static func keyValue(_ field: Substring.UTF8View.SubSequence, key: Character) -> UInt32? {
    guard let keyByte = key.asciiValue, field.count >= 3, field.first == keyByte else { return nil }
    let afterKey = field.index(after: field.startIndex)
    guard field[afterKey] == UInt8(ascii: "=") else { return nil }
    let digits = field[field.index(after: afterKey)...]
    guard !digits.isEmpty, digits.count <= 10 else { return nil }
    if digits.count > 1 && digits.first == UInt8(ascii: "0") { return nil }
    var value: UInt64 = 0
    for byte in digits {
      guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
      value = value * 10 + UInt64(byte - UInt8(ascii: "0"))
    }
    return value <= UInt64(UInt32.max) ? UInt32(value) : nil
  }

  private static func decodeBase64(_ field: Substring.UTF8View.SubSequence) -> [UInt8]? {
    field.withContiguousBytes { Base64Codec.standard.decode($0) }
  }
}
