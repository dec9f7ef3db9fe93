import CArgon2
import Foundation
import Testing

@testable import LatchkeyCrypto

@Suite struct PasswordHasherTests {
  // Cheap parameters keep the suite fast; OWASP-cost hashes are exercised through the fixtures below.
  static let cheap = Argon2Parameters(memoryKiB: 8192, iterations: 1, parallelism: 1)
  let hasher = PasswordHasher(parameters: cheap)

  /// Produced by argon2-cffi 25.1 (PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)).
  static let cffiArgon2id =
    "$argon2id$v=19$m=19456,t=2,p=1$IODr3Bqn3vJNQXyyaEK3tw$5/afqjM2D58cBTMs71k6P6VhN/d0SMp8d5lAzA4HD5g"
  static let cffiArgon2idPassword = "correct horse battery staple"
  /// argon2-cffi, type=Type.I, time_cost=3, memory_cost=4096, parallelism=2.
  static let cffiArgon2i =
    "$argon2i$v=19$m=4096,t=3,p=2$Ge1YzxvneqP8g3ibV7AnOQ$iP3bawr+iNyjKh6KoxNyUSLtHajGT5UeLG0VQYCKjvM"
  static let cffiArgon2iPassword = "hunter2 interop"

  @Test func hashThenVerify() throws {
    let encoded = try hasher.hash("s3cret pässword")
    #expect(encoded.hasPrefix("$argon2id$v=19$m=8192,t=1,p=1$"))
    let fields = encoded.split(separator: "$")
    #expect(fields.count == 5)
    #expect(fields[3].count == 22)  // 16-byte salt
    #expect(fields[4].count == 43)  // 32-byte tag
    #expect(hasher.verify("s3cret pässword", encoded: encoded))
    #expect(!hasher.verify("s3cret password", encoded: encoded))
    #expect(!hasher.verify("", encoded: encoded))
    #expect(try hasher.hash("s3cret pässword") != encoded)  // fresh salt each time
  }

  @Test func referenceLibraryAgrees() throws {
    let encoded = try hasher.hash("cross-check")
    let status = "cross-check".withCString { password in
      argon2id_verify(encoded, password, strlen(password))
    }
    #expect(status == ARGON2_OK.rawValue)
  }

  /// Our argon2_ctx path (block matrix from Argon2Memory) must give byte-for-byte what libargon2's own
  /// argon2_hash and argon2id_hash_encoded give with their default allocator.
  @Test(arguments: [
    (Argon2EncodedHash.Variant.argon2id, Argon2EncodedHash.version13, Argon2Parameters.owasp),
    (.argon2id, Argon2EncodedHash.version10, Argon2Parameters(memoryKiB: 64, iterations: 3, parallelism: 1)),
    (.argon2i, Argon2EncodedHash.version13, Argon2Parameters(memoryKiB: 4096, iterations: 3, parallelism: 2)),
  ])
  func customAllocatorMatchesReferenceLibrary(
    variant: Argon2EncodedHash.Variant, version: UInt32, parameters: Argon2Parameters
  ) throws {
    let password = "allocator p\u{E4}ssword"
    let salt = Array("0123456789abcdef".utf8)
    var ours = [UInt8](repeating: 0, count: PasswordHasher.tagBytes)
    let status = PasswordHasher.compute(
      password: password, variant: variant, version: version, parameters: parameters, salt: salt, into: &ours)
    #expect(status == ARGON2_OK.rawValue)

    var reference = [UInt8](repeating: 0, count: PasswordHasher.tagBytes)
    let referenceStatus = password.withCString { bytes in
      argon2_hash(
        parameters.iterations, parameters.memoryKiB, parameters.parallelism, bytes, strlen(bytes), salt,
        salt.count, &reference, reference.count, nil, 0, variant.type, version)
    }
    #expect(referenceStatus == ARGON2_OK.rawValue)
    #expect(ours == reference)

    guard variant == .argon2id, version == Argon2EncodedHash.version13 else { return }
    var encoded = [CChar](repeating: 0, count: 256)
    let encodedStatus = password.withCString { bytes in
      argon2id_hash_encoded(
        parameters.iterations, parameters.memoryKiB, parameters.parallelism, bytes, strlen(bytes), salt,
        salt.count, PasswordHasher.tagBytes, &encoded, encoded.count)
    }
    #expect(encodedStatus == ARGON2_OK.rawValue)
    let phc = Argon2EncodedHash(
      variant: variant, version: version, parameters: parameters, salt: salt, tag: ours
    ).encoded
    let referencePHC = encoded.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
    #expect(phc == String(decoding: referencePHC, as: UTF8.self))
    #expect(PasswordHasher(parameters: parameters).verify(password, encoded: phc))
  }

  @Test func allocatorMapsZeroedPagesAndReportsFailure() throws {
    let byteCount = 19456 * 1024
    var memory: UnsafeMutablePointer<UInt8>?
    #expect(Argon2Memory.allocate(&memory, byteCount) == ARGON2_OK.rawValue)
    let buffer = try #require(memory)
    #expect(Int(bitPattern: buffer) % Int(getpagesize()) == 0)
    #expect(buffer[0] == 0 && buffer[byteCount - 1] == 0)
    buffer[byteCount - 1] = 0xA5
    #expect(buffer[byteCount - 1] == 0xA5)
    // As libargon2 does: wiped before it is handed back (another test's hash may reuse it).
    buffer[byteCount - 1] = 0
    Argon2Memory.release(buffer, byteCount)

    // libargon2 ignores the return value and checks the pointer, so a failure must leave it nil.
    var refused: UnsafeMutablePointer<UInt8>? = UnsafeMutablePointer(bitPattern: 0x1000)
    #expect(Argon2Memory.allocate(&refused, Int.max) == ARGON2_MEMORY_ALLOCATION_ERROR.rawValue)
    #expect(refused == nil)
  }

  @Test func spareBuffersPassBetweenOverlappingHashesThenAllGo() {
    typealias Buffer = Argon2SpareBuffers.Buffer
    let size = 19456 * 1024
    var buffers = Argon2SpareBuffers()
    // Alone: nothing to reuse, and the buffer goes back as soon as the hash ends.
    #expect(buffers.begin(byteCount: size) == (nil, []))
    #expect(
      buffers.end(Buffer(address: 0x1000, byteCount: size)) == [Buffer(address: 0x1000, byteCount: size)])

    // Two at once: the first to finish leaves its buffer for the next hash.
    let a = Buffer(address: 0xA000, byteCount: size)
    let b = Buffer(address: 0xB000, byteCount: size)
    _ = buffers.begin(byteCount: size)
    _ = buffers.begin(byteCount: size)
    #expect(buffers.end(a).isEmpty)
    #expect(buffers.spare == [a])
    let next = buffers.begin(byteCount: size)
    #expect(next.reuse == a && next.unmap.isEmpty)
    #expect(buffers.end(b).isEmpty)
    // The last hash to finish takes every spare with it.
    #expect(buffers.end(a) == [b, a])
    #expect(buffers.running == 0 && buffers.spare.isEmpty)
  }

  @Test func spareBuffersOfAnotherSizeAreDroppedAndFailuresUncounted() {
    typealias Buffer = Argon2SpareBuffers.Buffer
    var buffers = Argon2SpareBuffers()
    let small = Buffer(address: 0x1000, byteCount: 8 << 20)
    _ = buffers.begin(byteCount: small.byteCount)
    _ = buffers.begin(byteCount: small.byteCount)
    #expect(buffers.end(small).isEmpty)
    // A bigger hash starting cannot use it; keeping it would map more buffers than hashes running.
    #expect(buffers.begin(byteCount: 64 << 20) == (nil, [small]))
    #expect(buffers.spare.isEmpty)
    buffers.abandon()
    #expect(buffers.running == 1)
    #expect(buffers.end(Buffer(address: 0x2000, byteCount: 8 << 20)).count == 1)
    #expect(buffers.running == 0)
  }

  @Test func verifiesArgon2CffiHashes() {
    let verifier = PasswordHasher(parameters: .owasp)
    #expect(verifier.verify(Self.cffiArgon2idPassword, encoded: Self.cffiArgon2id))
    #expect(!verifier.verify(Self.cffiArgon2idPassword + " ", encoded: Self.cffiArgon2id))
    #expect(verifier.verify(Self.cffiArgon2iPassword, encoded: Self.cffiArgon2i))
    #expect(!verifier.verify("hunter3 interop", encoded: Self.cffiArgon2i))
  }

  @Test func acceptsMissingVersionAsVersion16() throws {
    var tag = [UInt8](repeating: 0, count: 32)
    let salt = Array("saltsaltsalt".utf8)
    let status = "pw".withCString { password in
      argon2_hash(
        1, 64, 1, password, 2, salt, salt.count, &tag, tag.count, nil, 0, Argon2_id,
        ARGON2_VERSION_10.rawValue)
    }
    #expect(status == ARGON2_OK.rawValue)
    let legacy = Argon2EncodedHash(
      variant: .argon2id, version: 0x10,
      parameters: Argon2Parameters(memoryKiB: 64, iterations: 1, parallelism: 1),
      salt: salt, tag: tag
    ).encoded.replacingOccurrences(of: "$v=16", with: "")
    #expect(legacy.hasPrefix("$argon2id$m=64,t=1,p=1$"))
    #expect(hasher.verify("pw", encoded: legacy))
    #expect(!hasher.verify("pw2", encoded: legacy))
    // The same bytes claimed as v=19 must not verify: the version changes the computation.
    #expect(
      !hasher.verify("pw", encoded: legacy.replacingOccurrences(of: "$argon2id$", with: "$argon2id$v=19$")))
  }

  static let malformed: [String] = [
    "",
    "$",
    "argon2id$v=19$m=19456,t=2,p=1$IODr3Bqn3vJNQXyyaEK3tw$5/afqjM2D58cBTMs71k6P6VhN/d0SMp8d5lAzA4HD5g",
    "$argon2d$v=19$m=19456,t=2,p=1$IODr3Bqn3vJNQXyyaEK3tw$5/afqjM2D58cBTMs71k6P6VhN/d0SMp8d5lAzA4HD5g",
    "$Argon2id$v=19$m=19456,t=2,p=1$IODr3Bqn3vJNQXyyaEK3tw$5/afqjM2D58cBTMs71k6P6VhN/d0SMp8d5lAzA4HD5g",
    "$argon2id$v=18$m=19456,t=2,p=1$IODr3Bqn3vJNQXyyaEK3tw$5/afqjM2D58cBTMs71k6P6VhN/d0SMp8d5lAzA4HD5g",
    "$argon2id$v=019$m=19456,t=2,p=1$IODr3Bqn3vJNQXyyaEK3tw$5/afqjM2D58cBTMs71k6P6VhN/d0SMp8d5lAzA4HD5g",
    "$argon2id$v=19$t=2,m=19456,p=1$IODr3Bqn3vJNQXyyaEK3tw$5/afqjM2D58cBTMs71k6P6VhN/d0SMp8d5lAzA4HD5g",
    "$argon2id$v=19$m=019456,t=2,p=1$IODr3Bqn3vJNQXyyaEK3tw$5/afqjM2D58cBTMs71k6P6VhN/d0SMp8d5lAzA4HD5g",
    "$argon2id$v=19$m=19456,t=2,p=1,keyid=abc$IODr3Bqn3vJNQXyyaEK3tw"
      + "$5/afqjM2D58cBTMs71k6P6VhN/d0SMp8d5lAzA4HD5g",
    "$argon2id$v=19$m=19456,t=2$IODr3Bqn3vJNQXyyaEK3tw$5/afqjM2D58cBTMs71k6P6VhN/d0SMp8d5lAzA4HD5g",
    "$argon2id$v=19$m=19456,t=0,p=1$IODr3Bqn3vJNQXyyaEK3tw$5/afqjM2D58cBTMs71k6P6VhN/d0SMp8d5lAzA4HD5g",
    "$argon2id$v=19$m=19456,t=2,p=0$IODr3Bqn3vJNQXyyaEK3tw$5/afqjM2D58cBTMs71k6P6VhN/d0SMp8d5lAzA4HD5g",
    "$argon2id$v=19$m=7,t=2,p=1$IODr3Bqn3vJNQXyyaEK3tw$5/afqjM2D58cBTMs71k6P6VhN/d0SMp8d5lAzA4HD5g",
    "$argon2id$v=19$m=-1,t=2,p=1$IODr3Bqn3vJNQXyyaEK3tw$5/afqjM2D58cBTMs71k6P6VhN/d0SMp8d5lAzA4HD5g",
    "$argon2id$v=19$m=99999999999,t=2,p=1$IODr3Bqn3vJNQXyyaEK3tw$5/afqjM2D58cBTMs71k6P6VhN/d0SMp8d5lAzA4HD5g",
    "$argon2id$v=19$m= 19456,t=2,p=1$IODr3Bqn3vJNQXyyaEK3tw$5/afqjM2D58cBTMs71k6P6VhN/d0SMp8d5lAzA4HD5g",
    "$argon2id$v=19$m=19456,t=2,p=1$IODr3Bqn3vJNQXyyaEK3tw==$5/afqjM2D58cBTMs71k6P6VhN/d0SMp8d5lAzA4HD5g",
    "$argon2id$v=19$m=19456,t=2,p=1$IODr3Bqn3vJNQXyyaEK3tw$5/afqjM2D58cBTMs71k6P6VhN/d0SMp8d5lAzA4HD5g=",
    "$argon2id$v=19$m=19456,t=2,p=1$IODr3Bqn3vJNQXyyaEK3tw$5_afqjM2D58cBTMs71k6P6VhN-d0SMp8d5lAzA4HD5g",
    "$argon2id$v=19$m=19456,t=2,p=1$IODr3Bqn3vJNQXyyaEK3tw$5/afqjM2D58cBTMs71k6P6VhN/d0SMp8d5lAzA4HD5h",
    "$argon2id$v=19$m=19456,t=2,p=1$IODr3Bqn3vJNQXyyaEK3tw$",
    "$argon2id$v=19$m=19456,t=2,p=1$$5/afqjM2D58cBTMs71k6P6VhN/d0SMp8d5lAzA4HD5g",
    "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$5/afqjM2D58cBTMs71k6P6VhN/d0SMp8d5lAzA4HD5g",  // 4-byte salt
    "$argon2id$v=19$m=19456,t=2,p=1$IODr3Bqn3vJNQXyyaEK3tw$5/afqjM2D58cBTMs71k6P6VhN/d0SMp8d5lAzA4HD5g$",
    "$argon2id$v=19$m=19456,t=2,p=1$IODr3Bqn3vJNQXyyaEK3tw$5/afqjM2D58cBTMs71k6P6VhN/d0SMp8d5lAzA4HD5g\n",
    " $argon2id$v=19$m=19456,t=2,p=1$IODr3Bqn3vJNQXyyaEK3tw$5/afqjM2D58cBTMs71k6P6VhN/d0SMp8d5lAzA4HD5g",
    "$argon2id$v=19$m=19456,t=2,p=1$IODr3Bqn3vJNQXyyaEK3tw$5/afqjM2",  // 6-byte tag is valid shape, wrong
    "$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW",
    String(repeating: "$argon2id", count: 100),
  ]

  @Test(arguments: malformed)
  func rejectsMalformed(encoded: String) {
    let verifier = PasswordHasher(parameters: .owasp)
    #expect(!verifier.verify(Self.cffiArgon2idPassword, encoded: encoded))
    #expect(verifier.needsRehash(encoded))
  }

  @Test func rejectsAbsurdParametersWithoutRunningThem() {
    let verifier = PasswordHasher(parameters: .owasp)
    let absurd = [
      "$argon2id$v=19$m=4194304,t=2,p=1$IODr3Bqn3vJNQXyyaEK3tw$5/afqjM2D58cBTMs71k6P6VhN/d0SMp8d5lAzA4HD5g",
      "$argon2id$v=19$m=19456,t=1000000,p=1$IODr3Bqn3vJNQXyyaEK3tw"
        + "$5/afqjM2D58cBTMs71k6P6VhN/d0SMp8d5lAzA4HD5g",
      "$argon2id$v=19$m=19456,t=2,p=255$IODr3Bqn3vJNQXyyaEK3tw$5/afqjM2D58cBTMs71k6P6VhN/d0SMp8d5lAzA4HD5g",
      "$argon2id$v=19$m=19456,t=2,p=1$" + String(repeating: "A", count: 200)
        + "$5/afqjM2D58cBTMs71k6P6VhN/d0SMp8d5lAzA4HD5g",
    ]
    let clock = ContinuousClock()
    for encoded in absurd {
      let elapsed = clock.measure {
        #expect(!verifier.verify(Self.cffiArgon2idPassword, encoded: encoded))
      }
      // A real 4 GiB or million-pass hash would take seconds; parsing takes microseconds.
      #expect(elapsed < .milliseconds(50))
    }
  }

  @Test func limitsAreConfigurable() throws {
    let strict = PasswordHasher(
      parameters: Self.cheap, limits: Argon2Limits(maxMemoryKiB: 8192, maxIterations: 1, maxParallelism: 1))
    #expect(!strict.verify(Self.cffiArgon2idPassword, encoded: Self.cffiArgon2id))
    let encoded = try strict.hash("pw")
    #expect(strict.verify("pw", encoded: encoded))
  }

  @Test func needsRehash() {
    let owasp = PasswordHasher(parameters: .owasp)
    let salt = "IODr3Bqn3vJNQXyyaEK3tw"
    let tag = "5/afqjM2D58cBTMs71k6P6VhN/d0SMp8d5lAzA4HD5g"
    func phc(_ head: String) -> String { "\(head)$\(salt)$\(tag)" }
    #expect(!owasp.needsRehash(phc("$argon2id$v=19$m=19456,t=2,p=1")))
    #expect(owasp.needsRehash(phc("$argon2id$v=19$m=19455,t=2,p=1")))
    #expect(owasp.needsRehash(phc("$argon2id$v=19$m=19456,t=1,p=1")))
    #expect(owasp.needsRehash(phc("$argon2i$v=19$m=19456,t=2,p=1")))
    #expect(owasp.needsRehash(phc("$argon2id$m=19456,t=2,p=1")))
    #expect(!owasp.needsRehash(phc("$argon2id$v=19$m=65536,t=3,p=4")))
    #expect(!owasp.needsRehash(phc("$argon2id$v=19$m=19456,t=3,p=1")))
    #expect(owasp.needsRehash(phc("$argon2id$v=19$m=65536,t=1,p=4")))
    #expect(owasp.needsRehash("$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$\(tag)"))  // 8-byte salt
    #expect(owasp.needsRehash("not a hash"))
    let parallel = PasswordHasher(
      parameters: Argon2Parameters(memoryKiB: 19456, iterations: 2, parallelism: 2))
    #expect(parallel.needsRehash(phc("$argon2id$v=19$m=19456,t=2,p=1")))
  }

  @Test func ownHashesNeedNoRehash() throws {
    #expect(!hasher.needsRehash(try hasher.hash("pw")))
    #expect(PasswordHasher(parameters: .owasp).needsRehash(try hasher.hash("pw")))
  }

  @Test func dummyHashIsStableRealAndUseless() {
    let dummy = hasher.dummyHash()
    #expect(hasher.dummyHash() == dummy)
    let copy = hasher
    #expect(copy.dummyHash() == dummy)
    #expect(dummy.hasPrefix("$argon2id$v=19$m=8192,t=1,p=1$"))
    #expect(!hasher.needsRehash(dummy))
    #expect(!hasher.verify("", encoded: dummy))
    #expect(!hasher.verify("password", encoded: dummy))
    #expect(PasswordHasher(parameters: Self.cheap).dummyHash() != dummy)
  }

  @Test func encodedHashRoundTrips() throws {
    let parsed = try #require(Argon2EncodedHash(parsing: Self.cffiArgon2id))
    #expect(parsed.variant == .argon2id)
    #expect(parsed.version == 0x13)
    #expect(parsed.parameters == .owasp)
    #expect(parsed.salt.count == 16)
    #expect(parsed.tag.count == 32)
    #expect(parsed.encoded == Self.cffiArgon2id)
    #expect(Argon2EncodedHash(parsing: Self.cffiArgon2i)?.encoded == Self.cffiArgon2i)
  }
}
