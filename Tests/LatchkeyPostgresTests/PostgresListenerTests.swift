import Dispatch
import Foundation
import LatchkeyPostgres
import LatchkeyTesting
import Testing

@Suite struct PostgresListenerTests {
  private struct Notification: Equatable, Sendable {
    let channel: String
    let payload: String
  }

  @Test func receivesNotificationsAndReconnects() throws {
    try TestDatabase.withDatabase { url in
      let notifications = Collected<Notification>()
      let changes = Collected<Bool>()
      let listener = PostgresListener(
        url: TestDatabase.url(url, applicationName: "lk_listener_test"),
        channels: ["lk_events", "Mixed \"Case\""],
        onNotification: { notifications.append(Notification(channel: $0, payload: $1)) },
        onConnectionChange: { changes.append($0) })
      listener.start()
      defer { listener.stop() }
      var changesSeen = 0
      var notificationsSeen = 0
      #expect(changes.next(within: 10, after: &changesSeen) == true)

      let admin = try PostgresConnection(url: url)
      _ = try admin.query("select pg_notify($1, $2)", ["lk_events", "hello ü"])
      _ = try admin.query("select pg_notify($1, $2)", ["Mixed \"Case\"", ""])
      _ = try admin.query("select pg_notify($1, $2)", ["not_listened", "ignored"])
      #expect(
        notifications.next(within: 10, after: &notificationsSeen)
          == Notification(channel: "lk_events", payload: "hello ü"))
      #expect(
        notifications.next(within: 10, after: &notificationsSeen)
          == Notification(channel: "Mixed \"Case\"", payload: ""))

      let terminated = try admin.query(
        """
        select count(*) filter (where pg_terminate_backend(pid, 5000)) from pg_stat_activity
        where datname = current_database() and application_name = $1
        """, ["lk_listener_test"])
      #expect(terminated.rows[0].int(0) == 1)
      #expect(changes.next(within: 10, after: &changesSeen) == false)
      #expect(changes.next(within: 10, after: &changesSeen) == true)

      _ = try admin.query("select pg_notify($1, $2)", ["lk_events", "after reconnect"])
      #expect(
        notifications.next(within: 10, after: &notificationsSeen)
          == Notification(channel: "lk_events", payload: "after reconnect"))
      #expect(notifications.all.count == 3)
    }
  }

  @Test func stopIsPromptAndFinal() throws {
    try TestDatabase.withDatabase { url in
      let changes = Collected<Bool>()
      let listener = PostgresListener(
        url: url, channels: ["lk_events"], onNotification: { _, _ in },
        onConnectionChange: { changes.append($0) })
      listener.start()
      var seen = 0
      #expect(changes.next(within: 10, after: &seen) == true)
      let seconds = elapsed { listener.stop() }
      #expect(seconds < 1.5)
      #expect(changes.all == [true, false])
      // The backend exits shortly after the client hangs up; wait for that, with a bound.
      let admin = try PostgresConnection(url: url)
      var others: Int64? = -1
      for _ in 0..<500 {
        others = try admin.query(
          "select count(*) from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()"
        ).rows[0].int(0)
        if others == 0 { break }
        usleep(10_000)
      }
      #expect(others == 0)
    }
  }

  @Test func keepsRetryingWhileDatabaseIsUnreachable() {
    let changes = Collected<Bool>()
    let listener = PostgresListener(
      url: "postgres://latchkey@127.0.0.1:1/latchkey?sslmode=disable", channels: ["lk_events"],
      onNotification: { _, _ in }, onConnectionChange: { changes.append($0) })
    listener.start()
    let seconds = elapsed { listener.stop() }
    #expect(seconds < 1.5)
    #expect(changes.all.isEmpty)
  }
}
