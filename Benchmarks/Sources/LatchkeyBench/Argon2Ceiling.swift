import CLibArgon2
import Foundation
import LatchkeyCrypto
import Synchronization

/// The login ceiling: `threads` threads calling Debian's libargon2 back to back for `seconds`,
/// with the parameters the server uses, so a login rate can be set against it in the same run.
struct Argon2Ceiling {
  let seconds: Double
  let threads: Int
  let parameters = Argon2Parameters.owasp

  func run() {
    let hashes = Atomic<Int>(0)
    let failures = Atomic<Int>(0)
    let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(seconds * 1e9)
    let started = DispatchTime.now().uptimeNanoseconds
    let cpuBefore = Self.cpuSeconds()
    let done = DispatchGroup()
    let parameters = parameters
    for _ in 0..<threads {
      done.enter()
      let thread = Thread {
        let salt = SecureRandom.bytes(16)
        var encoded = [CChar](repeating: 0, count: 128)
        var count = 0
        while DispatchTime.now().uptimeNanoseconds < deadline {
          let status = "benchmark password".withCString { password in
            argon2id_hash_encoded(
              parameters.iterations, parameters.memoryKiB, parameters.parallelism, password, strlen(password),
              salt, salt.count, 32, &encoded, encoded.count)
          }
          if status != ARGON2_OK.rawValue { failures.add(1, ordering: .relaxed) }
          count += 1
        }
        hashes.add(count, ordering: .relaxed)
        done.leave()
      }
      thread.stackSize = 1 << 20
      thread.start()
    }
    done.wait()
    precondition(failures.load(ordering: .relaxed) == 0, "argon2id_hash_encoded failed")
    let elapsed = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
    let count = hashes.load(ordering: .relaxed)
    let rate = Double(count) / elapsed
    let cpuMilliseconds = (Self.cpuSeconds() - cpuBefore) * 1000 / Double(max(count, 1))
    print(
      "{\"bench\":\"argon2\",\"hps\":\(String(format: "%.2f", rate)),"
        + "\"cpu_ms\":\(String(format: "%.2f", cpuMilliseconds)),\"threads\":\(threads)}")
  }

  /// User and system time of the whole process so far.
  private static func cpuSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
      + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
  }
}
