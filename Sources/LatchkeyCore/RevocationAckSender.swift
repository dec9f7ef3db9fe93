import Foundation
import LatchkeyPostgres

/// Tells the other instances "this instance has applied revocation K", as a
/// NOTIFY on `RevocationView.ackChannel`. Runs on its own serial queue and its
/// own connection (never the request pool), batching whatever keys piled up
/// while the previous batch was being sent. Best effort: a failed send only
/// makes the revoking instance wait out its bound.
final class RevocationAckSender: @unchecked Sendable {
  private let url: String
  private let instance: String
  private let queue = DispatchQueue(label: "latchkey.revocation-acks")
  private let lock = NSLock()
  private var pending: [String] = []
  private var scheduled = false
  private var connection: PostgresConnection?  // used on `queue` only

  init(url: String, instance: String) {
    self.url = url
    self.instance = instance
  }

  func send(_ key: String) {
    lock.lock()
    pending.append(key)
    let schedule = !scheduled
    scheduled = true
    lock.unlock()
    if schedule { queue.async { self.flush() } }
  }

  private func flush() {
    lock.lock()
    let keys = pending
    pending = []
    scheduled = false
    lock.unlock()
    guard !keys.isEmpty else { return }
    do {
      let db =
        try connection
        ?? PostgresConnection(url: url, statementTimeoutMilliseconds: 2000, connectTimeoutSeconds: 2)
      connection = db
      _ = try db.query(
        "select pg_notify($1, $2 || '|' || key) from unnest(string_to_array($3, E'\\n')) as key",
        [.text(RevocationView.ackChannel), .text(instance), .text(keys.joined(separator: "\n"))])
    } catch {
      connection?.close()
      connection = nil
    }
  }

  func close() {
    queue.sync {
      connection?.close()
      connection = nil
    }
  }
}
