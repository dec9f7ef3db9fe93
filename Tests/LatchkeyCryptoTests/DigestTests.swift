import Foundation
import LatchkeyCrypto
import Testing

@Suite struct SHA256Tests {
  @Test func knownVectors() {
    #expect(hex(SHA256.hash([UInt8]())) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    #expect(
      hex(SHA256.hash(Array("abc".utf8)))
        == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    #expect(
      hex(SHA256.hash(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)))
        == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    #expect(
      hex(SHA256.hash([UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)))
        == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
  }

  @Test func acceptsNonContiguousCollections() {
    #expect(SHA256.hash("abc".utf8.reversed().reversed()) == SHA256.hash(Array("abc".utf8)))
  }
}

@Suite struct HMACSHA256Tests {
  struct Vector: Sendable, CustomTestStringConvertible {
    var name: String
    var key: [UInt8]
    var message: [UInt8]
    var mac: String
    var testDescription: String { name }
  }

  // RFC 4231 §4.2-4.8 (case 5's truncated output is checked separately).
  static let vectors: [Vector] = [
    Vector(
      name: "case 1", key: [UInt8](repeating: 0x0B, count: 20), message: Array("Hi There".utf8),
      mac: "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"),
    Vector(
      name: "case 2", key: Array("Jefe".utf8), message: Array("what do ya want for nothing?".utf8),
      mac: "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"),
    Vector(
      name: "case 3", key: [UInt8](repeating: 0xAA, count: 20), message: [UInt8](repeating: 0xDD, count: 50),
      mac: "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"),
    Vector(
      name: "case 4", key: Array(1...25), message: [UInt8](repeating: 0xCD, count: 50),
      mac: "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"),
    Vector(
      name: "case 6", key: [UInt8](repeating: 0xAA, count: 131),
      message: Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8),
      mac: "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"),
    Vector(
      name: "case 7", key: [UInt8](repeating: 0xAA, count: 131),
      message: Array(
        ("This is a test using a larger than block-size key and a larger than block-size data. "
          + "The key needs to be hashed before being used by the HMAC algorithm.").utf8),
      mac: "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"),
  ]

  @Test(arguments: vectors)
  func rfc4231(vector: Vector) {
    #expect(hex(HMACSHA256.mac(key: vector.key, message: vector.message)) == vector.mac)
  }

  @Test func rfc4231TruncatedCase5() {
    let mac = HMACSHA256.mac(
      key: [UInt8](repeating: 0x0C, count: 20), message: Array("Test With Truncation".utf8))
    #expect(hex(Array(mac.prefix(16))) == "a3b6167473100ee06e0c796c2955552b")
  }

  @Test func switchingKeysOnOneThreadNeverReusesTheWrongKey() {
    let message = Array("message".utf8)
    let keyA = [UInt8](repeating: 1, count: 32)
    let keyB = [UInt8](repeating: 1, count: 31)
    let first = HMACSHA256.mac(key: keyA, message: message)
    let second = HMACSHA256.mac(key: keyB, message: message)
    let empty = HMACSHA256.mac(key: [UInt8](), message: message)
    #expect(first != second)
    #expect(empty != first && empty != second)
    #expect(HMACSHA256.mac(key: keyA, message: message) == first)
    #expect(HMACSHA256.mac(key: keyB, message: message) == second)
    #expect(HMACSHA256.mac(key: [UInt8](), message: message) == empty)
    #expect(
      hex(HMACSHA256.mac(key: [UInt8](), message: [UInt8]()))
        == "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad")
  }

  @Test func threadsGetConsistentResults() {
    let vectors = Self.vectors
    let failures = Counter()
    let group = DispatchGroup()
    for thread in 0..<4 {
      group.enter()
      Thread {
        for round in 0..<500 {
          let vector = vectors[(thread + round) % vectors.count]
          if hex(HMACSHA256.mac(key: vector.key, message: vector.message)) != vector.mac {
            failures.increment()
          }
        }
        group.leave()
      }.start()
    }
    group.wait()
    #expect(failures.value == 0)
  }
}

@Suite struct ConstantTimeTests {
  @Test func comparesContentsAndLengths() {
    #expect(ConstantTime.equals([UInt8](), [UInt8]()))
    #expect(ConstantTime.equals([1, 2, 3], [1, 2, 3] as [UInt8]))
    #expect(!ConstantTime.equals([1, 2, 3], [1, 2, 4] as [UInt8]))
    #expect(!ConstantTime.equals([0, 2, 3], [1, 2, 3] as [UInt8]))
    #expect(!ConstantTime.equals([1, 2, 3], [1, 2] as [UInt8]))
    #expect(!ConstantTime.equals([1, 2], [1, 2, 3] as [UInt8]))
    #expect(!ConstantTime.equals([UInt8](), [0] as [UInt8]))
    #expect(ConstantTime.equals("abc".utf8, Array("abc".utf8)))
  }
}

@Suite struct SecureRandomTests {
  @Test func lengthsAndUniqueness() {
    #expect(SecureRandom.bytes(0).isEmpty)
    #expect(SecureRandom.bytes(1).count == 1)
    #expect(SecureRandom.bytes(64).count == 64)
    let samples = (0..<200).map { _ in SecureRandom.bytes(16) }
    #expect(Set(samples).count == samples.count)
    // 4096 random bytes all zero (a silently failed fill) has probability 2^-32768.
    #expect(SecureRandom.bytes(4096).contains { $0 != 0 })
  }

  @Test func tokens() {
    let token = SecureRandom.token()
    #expect(token.utf8.count == 43)
    #expect(Base64URL.decode(token)?.count == 32)
    #expect(SecureRandom.token(byteCount: 16).utf8.count == 22)
    let tokens = Set((0..<500).map { _ in SecureRandom.token() })
    #expect(tokens.count == 500)
  }

  @Test func uuidsAreVersion4() {
    let uuids = (0..<200).map { _ in SecureRandom.uuid() }
    #expect(Set(uuids).count == uuids.count)
    for uuid in uuids {
      #expect(uuid.uuid.6 >> 4 == 4)
      #expect(uuid.uuid.8 >> 6 == 0b10)
      let text = uuid.uuidString
      #expect(text[text.index(text.startIndex, offsetBy: 14)] == "4")
    }
  }
}

final class Counter: @unchecked Sendable {
  private let lock = NSLock()
  private var count = 0

  func increment() {
    lock.lock()
    count += 1
    lock.unlock()
  }

  var value: Int {
    lock.lock()
    defer { lock.unlock() }
    return count
  }
}
