import FoundationEssentials
import LatchkeyPostgres

/// Finds the `sql/` directory and applies pending migrations under the
/// migrator's advisory lock (safe when several instances start at once).
public enum Migrations {
  /// `LATCHKEY_MIGRATIONS_DIR`, else `./sql`, else `sql/` beside the checkout
  /// the binary was built in, else the container's `/usr/share/latchkey/sql`.
  public static func directory(configured: String?) -> String {
    if let configured { return configured }
    var candidates = [FileManager.default.currentDirectoryPath + "/sql"]
    let executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
    var dir = executable.deletingLastPathComponent()
    for _ in 0..<4 {
      candidates.append(dir.appendingPathComponent("sql").path)
      dir = dir.deletingLastPathComponent()
    }
    candidates.append("/usr/share/latchkey/sql")
    return candidates.first { FileManager.default.fileExists(atPath: $0 + "/0001_init.sql") } ?? candidates[0]
  }

  public static func apply(url: String, directory: String) throws -> [String] {
    let connection = try PostgresConnection(url: url, statementTimeoutMilliseconds: 0)
    defer { connection.close() }
    return try Migrator(directory: directory).migrate(on: connection)
  }
}
