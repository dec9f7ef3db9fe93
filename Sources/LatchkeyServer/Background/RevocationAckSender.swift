import Dispatch
import LatchkeyDomain
import LatchkeyPostgres
import LatchkeyStore
import Synchronization

/// Tells the other instances "this instance has applied revocation K", as a
/// NOTIFY on the ack channel. Runs on its own serial queue and its own
/// connection (never the request pool), batching whatever acks piled up
/// while the previous batch was being sent. Best effort: a failed send only
/// makes the revoking instance wait out its bound.
final class RevocationAckSender: Sendable {
  private let url: String
  private let queue = DispatchQueue(label: "latchkey.revocation-acks")
  private let pending = Mutex<(acks: [RevocationAck], scheduled: Bool)>(([], false))
  /// Touched on `queue` only.
  nonisolated(unsafe) private var connection: PostgresConnection?

  init(url: String) {
    self.url = url
  }

  func send(_ ack: RevocationAck) {
    let schedule = pending.withLock { state -> Bool in
      state.acks.append(ack)
      defer { state.scheduled = true }
      return !state.scheduled
    }
    if schedule { queue.async { self.flush() } }
  }

  private func flush() {
    let acks = pending.withLock { state -> [RevocationAck] in
      defer { state = ([], false) }
      return state.acks
    }
    guard !acks.isEmpty else { return }
    do {
      let db =
        try connection
        ?? PostgresConnection(url: url, statementTimeoutMilliseconds: 2000, connectTimeoutSeconds: 2)
      connection = db
      try RevocationChannels.sendAcks(acks, on: db)
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
