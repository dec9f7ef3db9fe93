import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Runs a child process with posix_spawn and waits for it with waitpid on
/// its own pid. Foundation's `Process.waitUntilExit` was seen to miss a
/// child's exit when several tests launch processes at once; this does not
/// depend on SIGCHLD delivery.
public enum TestProcess {
  public struct Result: Sendable {
    public var status: Int32
    public var output: String
  }

  /// Runs `executable` with `arguments` in `directory`; standard output is
  /// captured (through a temporary file, so a full pipe cannot block the child),
  /// standard error is inherited.
  public static func run(_ executable: String, _ arguments: [String], directory: String? = nil) throws
    -> Result
  {
    let outputPath = NSTemporaryDirectory() + "latchkey-test-\(UUID().uuidString).out"
    defer { unlink(outputPath) }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    let argv = ([executable] + arguments).map { strdup($0) } + [nil]
    defer { argv.forEach { free($0) } }
    var pid: pid_t = 0
    let previous = FileManager.default.currentDirectoryPath
    if let directory { _ = FileManager.default.changeCurrentDirectoryPath(directory) }
    let spawned = posix_spawn(&pid, executable, &actions, nil, argv, environ)
    if directory != nil { _ = FileManager.default.changeCurrentDirectoryPath(previous) }
    guard spawned == 0 else { throw POSIXError(POSIXErrorCode(rawValue: spawned) ?? .EINVAL) }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 {
      guard errno == EINTR else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .ECHILD) }
    }
    let exitCode: Int32 = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    let output = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
    return Result(status: exitCode, output: output)
  }
}
