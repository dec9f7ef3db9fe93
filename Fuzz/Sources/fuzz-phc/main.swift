// PasswordHasher.verify and needsRehash on arbitrary PHC strings, with limits far below the
// defaults so no input can make argon2 run long, checked against a reference parser written from
// the format's doc comment: `$argon2id$v=19$m=19456,t=2,p=1$<salt>$<tag>`, standard base64 without
// padding, canonical decimals, argon2i or argon2id, v= optional (absent means 0x10).
//
// Each input is also re-tagged: its fields are read leniently, argon2 runs on them, and the tag
// field is replaced with the right tag. The hasher must accept that string exactly when the
// reference parser does and its costs are within the limits, so a parser that accepts too much
// (or too little) shows up as a wrong verify, not just as a crash.
import CArgon2
import FuzzSupport
import LatchkeyCrypto

let password = "correct horse"
let ours = Argon2Parameters(memoryKiB: 64, iterations: 1, parallelism: 1)
let limits = Argon2Limits(
  maxMemoryKiB: 256, maxIterations: 2, maxParallelism: 4, maxSaltBytes: 64, maxTagBytes: 64)
let hasher = PasswordHasher(parameters: ours, limits: limits)

struct Parsed {
  var variant: String
  var version: UInt32
  var memory: UInt32
  var iterations: UInt32
  var parallelism: UInt32
  var salt: [UInt8]
  var tag: [UInt8]
  /// Everything before the tag field's `$`.
  var prefix: Substring
}

let standard = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
let url = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

func encodeStandard(_ bytes: [UInt8]) -> String {
  String(Base64URL.encode(bytes).map { $0 == "-" ? "+" : $0 == "_" ? "/" : $0 })
}

/// Strict: standard alphabet, no padding, no length ≡ 1 (mod 4), zero leftover bits.
func decodeStrict(_ text: Substring) -> [UInt8]? {
  var bits: [Bool] = []
  guard text.utf8.count % 4 != 1 else { return nil }
  for symbol in text.utf8 {
    guard let value = standard.firstIndex(of: symbol) else { return nil }
    for shift in stride(from: 5, through: 0, by: -1) { bits.append((value >> shift) & 1 == 1) }
  }
  let whole = bits.count / 8 * 8
  guard !bits[whole...].contains(true) else { return nil }
  return pack(bits[..<whole])
}

/// Lenient: either alphabet, padding and stray bytes skipped, leftover bits ignored.
func decodeLenient(_ text: Substring) -> [UInt8] {
  var bits: [Bool] = []
  for symbol in text.utf8 {
    guard let value = standard.firstIndex(of: symbol) ?? url.firstIndex(of: symbol) else { continue }
    for shift in stride(from: 5, through: 0, by: -1) { bits.append((value >> shift) & 1 == 1) }
  }
  return pack(bits[..<(bits.count / 8 * 8)])
}

func pack(_ bits: ArraySlice<Bool>) -> [UInt8] {
  stride(from: bits.startIndex, to: bits.endIndex, by: 8).map { start in
    bits[start..<start + 8].reduce(UInt8(0)) { $0 << 1 | ($1 ? 1 : 0) }
  }
}

/// `key=` then 1–10 digits, no leading zero, at most UInt32.max.
func strictNumber(_ field: Substring, key: String) -> UInt32? {
  guard field.hasPrefix(key + "=") else { return nil }
  let digits = field.dropFirst(key.count + 1)
  guard !digits.isEmpty, digits.count <= 10, digits.allSatisfy({ $0 >= "0" && $0 <= "9" }),
    digits == "0" || digits.first != "0"
  else { return nil }
  return UInt32(digits)
}

func parseStrict(_ text: String) -> Parsed? {
  guard text.utf8.count <= 512, text.first == "$" else { return nil }
  let fields = text.dropFirst().split(separator: "$", omittingEmptySubsequences: false)
  guard fields.count == 4 || fields.count == 5, fields[0] == "argon2i" || fields[0] == "argon2id" else {
    return nil
  }
  var version: UInt32 = 0x10
  if fields.count == 5 {
    guard let value = strictNumber(fields[1], key: "v"), value == 0x10 || value == 0x13 else { return nil }
    version = value
  }
  let costs = fields[fields.count - 3].split(separator: ",", omittingEmptySubsequences: false)
  guard costs.count == 3, let m = strictNumber(costs[0], key: "m"), let t = strictNumber(costs[1], key: "t"),
    let p = strictNumber(costs[2], key: "p"), t >= 1, p >= 1, p <= 0xFF_FFFF, UInt64(m) >= 8 * UInt64(p),
    let salt = decodeStrict(fields[fields.count - 2]), salt.count >= 8,
    let tag = decodeStrict(fields[fields.count - 1]), tag.count >= 4
  else { return nil }
  return Parsed(
    variant: String(fields[0]), version: version, memory: m, iterations: t, parallelism: p, salt: salt,
    tag: tag, prefix: text[..<(text.lastIndex(of: "$")!)])
}

/// Anything with enough `$` fields and m, t, p somewhere in the costs, numbers as Swift reads them.
func parseLenient(_ text: String) -> Parsed? {
  let fields = text.split(separator: "$", omittingEmptySubsequences: false)
  guard fields.count >= 5, let costField = fields.dropLast(2).last else { return nil }
  var costs: [Substring: UInt32] = [:]
  for item in costField.split(separator: ",") {
    let pair = item.split(separator: "=", maxSplits: 1)
    if pair.count == 2, let value = UInt32(pair[1]) { costs[pair[0]] = value }
  }
  var version: UInt32 = 0x10
  if fields.count >= 6, fields[2].hasPrefix("v="), let value = UInt32(fields[2].dropFirst(2)) {
    version = value
  }
  guard let m = costs["m"], let t = costs["t"], let p = costs["p"] else { return nil }
  return Parsed(
    variant: String(fields[1]), version: version, memory: m, iterations: t, parallelism: p,
    salt: decodeLenient(fields[fields.count - 2]), tag: decodeLenient(fields[fields.count - 1]),
    prefix: text[..<(text.lastIndex(of: "$")!)])
}

func withinLimits(_ parsed: Parsed) -> Bool {
  parsed.memory <= limits.maxMemoryKiB && parsed.iterations <= limits.maxIterations
    && parsed.parallelism <= limits.maxParallelism && parsed.salt.count <= limits.maxSaltBytes
    && parsed.tag.count <= limits.maxTagBytes
}

/// argon2 on the parsed costs, only when they are cheap; nil when argon2 refuses them.
func argon2(_ parsed: Parsed) -> [UInt8]? {
  guard withinLimits(parsed), !parsed.tag.isEmpty else { return nil }
  let type: argon2_type
  switch parsed.variant {
  case "argon2i": type = Argon2_i
  case "argon2id": type = Argon2_id
  case "argon2d": type = Argon2_d
  default: return nil
  }
  var tag = [UInt8](repeating: 0, count: parsed.tag.count)
  let status = tag.withUnsafeMutableBufferPointer { output in
    argon2_hash(
      parsed.iterations, parsed.memory, parsed.parallelism, password, password.utf8.count, parsed.salt,
      parsed.salt.count, output.baseAddress, output.count, nil, 0, type, parsed.version)
  }
  return status == ARGON2_OK.rawValue ? tag : nil
}

func seeds() -> [[UInt8]] {
  let cheap = PasswordHasher(parameters: ours, limits: limits)
  let valid = try! cheap.hash(password)
  let argon2i = "$argon2i$v=19$m=64,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$" + String(repeating: "A", count: 43)
  return [
    valid.seed,
    try! PasswordHasher(parameters: Argon2Parameters(memoryKiB: 256, iterations: 2, parallelism: 4))
      .hash(password).seed,
    ("$argon2id" + valid.dropFirst("$argon2id$v=19".count)).seed,
    argon2i.seed,
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHQ$RdescudvJCsgt3ub+b+dWRWJTmaaJObG".seed,
    "$argon2id$v=19$m=4294967295,t=4294967295,p=16777215$c29tZXNhbHQ$AAAAAA".seed,
    "$argon2id$v=16$m=08,t=1,p=1$AAAAAAAAAAA$AAAAAA".seed,
    "$argon2d$v=19$m=64,t=1,p=1$c29tZXNhbHQ$AAAAAA==".seed,
  ]
}

Fuzz.main(seeds: seeds) { bytes in
  let encoded = String(decoding: bytes, as: UTF8.self)
  let strict = parseStrict(encoded)

  // needsRehash parses without limits: it must see exactly what the reference sees.
  let expectRehash =
    strict.map {
      $0.variant != "argon2id" || $0.version != 0x13 || $0.memory < ours.memoryKiB
        || $0.iterations < ours.iterations || $0.parallelism < ours.parallelism
        || $0.salt.count < PasswordHasher.saltBytes || $0.tag.count < PasswordHasher.tagBytes
    } ?? true
  Fuzz.check(
    hasher.needsRehash(encoded) == expectRehash, "needsRehash disagrees on \(encoded.debugDescription)")

  // As stored: only a reference-valid hash within the limits whose tag argon2 reproduces verifies.
  let verified = hasher.verify(password, encoded: encoded)
  if verified {
    Fuzz.check(
      strict.map { withinLimits($0) && argon2($0) == $0.tag } ?? false,
      "verify accepted \(encoded.debugDescription)")
  }

  // Re-tagged: the right tag for the leniently read costs; accepted exactly when strictly valid.
  guard let lenient = parseLenient(encoded), let tag = argon2(lenient) else { return }
  let retagged = lenient.prefix + "$" + encodeStandard(tag)
  let expected = parseStrict(retagged).map(withinLimits) ?? false
  Fuzz.check(
    hasher.verify(password, encoded: retagged) == expected,
    "verify(\(retagged.debugDescription)) should be \(expected)")
}
