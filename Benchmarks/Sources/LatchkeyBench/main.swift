import Foundation

// latchkey-bench SUBCOMMAND: human-readable lines, then one JSON line for scripts.
let arguments = Array(CommandLine.arguments.dropFirst())
switch arguments.first {
case "crypto":
  let options = BenchOptions(arguments.dropFirst())
  CryptoBench(options: options).run()
case "argon2" where arguments.count == 3:
  guard let seconds = Double(arguments[1]), let threads = Int(arguments[2]), seconds > 0, threads > 0 else {
    FileHandle.standardError.write(Data("latchkey-bench argon2: bad arguments\n".utf8))
    exit(2)
  }
  Argon2Ceiling(seconds: seconds, threads: threads).run()
case "refresh" where arguments.count == 5:
  guard let port = UInt16(arguments[1]), let seconds = Double(arguments[4]),
    let lines = try? String(contentsOfFile: arguments[3], encoding: .utf8)
  else {
    FileHandle.standardError.write(Data("latchkey-bench refresh: bad arguments\n".utf8))
    exit(2)
  }
  RefreshBench(
    port: port, cookieName: arguments[2], tokens: lines.split(separator: "\n").map(String.init),
    seconds: seconds
  ).run()
default:
  FileHandle.standardError.write(
    Data(
      """
      usage: latchkey-bench crypto [--iterations N] [--hashes-per-thread N] [--threads N]
        JWT sign/verify rates on one thread; argon2id hashes/s through HashingPool vs raw libargon2.
      latchkey-bench argon2 SECONDS THREADS
        Raw libargon2 argon2id hashes/s (the server's parameters), THREADS threads back to back.
      latchkey-bench refresh PORT COOKIE_NAME COOKIES_FILE SECONDS
        POST /refresh rate, one connection per session, each presenting its newest token.

      """.utf8))
  exit(2)
}
