import Foundation

// latchkey-bench SUBCOMMAND: human-readable lines, then one JSON line for scripts.
let arguments = Array(CommandLine.arguments.dropFirst())
switch arguments.first {
case "crypto":
  let options = BenchOptions(arguments.dropFirst())
  CryptoBench(options: options).run()
default:
  FileHandle.standardError.write(
    Data(
      """
      usage: latchkey-bench crypto [--iterations N] [--hashes-per-thread N] [--threads N]
        JWT sign/verify rates on one thread; argon2id hashes/s through HashingPool vs raw libargon2.

      """.utf8))
  exit(2)
}
