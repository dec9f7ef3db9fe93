import Testing

@testable import LatchkeyHTTP

/// The graceful stop's decisions, event by event, without a socket.
@Suite struct DrainStateMachineTests {
  let ms: UInt64 = 1_000_000
  let nothingPending: (Int32) -> Bool = { _ in false }

  /// A machine that has begun stopping with `handedOver` connections.
  func stopping(handedOver: Int = 0) -> DrainStateMachine {
    var machine = DrainStateMachine(settleNanoseconds: 10 * 1_000_000)
    for socket in 0..<Int32(handedOver) { machine.connectionOpened(socket + 10) }
    let step1 = machine.stopRequested()
    #expect(step1)
    machine.acceptorStopped(handedOver: handedOver, now: 0)
    return machine
  }

  @Test func idleServerDrainsAfterTheSettleTime() {
    var machine = stopping()
    #expect(machine.isStopping)
    let step2 = machine.quietCheck(now: 0, hasPendingBytes: nothingPending)
    #expect(step2 == .keepWaiting)
    let step3 = machine.quietCheck(now: 5 * ms, hasPendingBytes: nothingPending)
    #expect(step3 == .keepWaiting)
    let step4 = machine.quietCheck(now: 10 * ms, hasPendingBytes: nothingPending)
    #expect(step4 == .drained(.stopDaemon))
    #expect(machine.phase == .drained)
  }

  @Test func secondStopDoesNothing() {
    var machine = stopping()
    let step5 = machine.stopRequested()
    #expect(!step5)
  }

  @Test func requestInFlightHoldsTheDrainAndItsEndWakesTheDrainer() {
    var machine = DrainStateMachine(settleNanoseconds: 10 * ms)
    machine.requestBegan()
    let step6 = machine.requestEnded()
    #expect(!step6, "no drainer to wake while running")
    machine.requestBegan()
    let step7 = machine.stopRequested()
    #expect(step7)
    machine.acceptorStopped(handedOver: 0, now: 0)
    let step8 = machine.quietCheck(now: 0, hasPendingBytes: nothingPending)
    #expect(step8 == .keepWaiting)
    let step9 = machine.quietCheck(now: 50 * ms, hasPendingBytes: nothingPending)
    #expect(step9 == .keepWaiting)
    let step10 = machine.requestEnded()
    #expect(step10, "the last request's end wakes the drainer")
    let step11 = machine.quietCheck(now: 60 * ms, hasPendingBytes: nothingPending)
    #expect(step11 == .keepWaiting)
    let step12 = machine.quietCheck(now: 70 * ms, hasPendingBytes: nothingPending)
    #expect(step12 == .drained(.stopDaemon))
  }

  @Test func quietChecksInQuickSuccessionDoNotEndTheDrain() {
    // Wake-ups may pile up; only time since the checks turned quiet counts.
    var machine = stopping()
    for _ in 0..<100 {
      let step13 = machine.quietCheck(now: 1 * ms, hasPendingBytes: nothingPending)
      #expect(step13 == .keepWaiting)
    }
  }

  @Test func activityRestartsTheSettleTime() {
    var machine = stopping()
    let step14 = machine.quietCheck(now: 0, hasPendingBytes: nothingPending)
    #expect(step14 == .keepWaiting)
    machine.requestBegan()
    let step15 = machine.quietCheck(now: 8 * ms, hasPendingBytes: nothingPending)
    #expect(step15 == .keepWaiting)
    let step16 = machine.requestEnded()
    #expect(step16)
    let step17 = machine.quietCheck(now: 12 * ms, hasPendingBytes: nothingPending)
    #expect(step17 == .keepWaiting)
    let step18 = machine.quietCheck(now: 20 * ms, hasPendingBytes: nothingPending)
    #expect(step18 == .keepWaiting)
    let step19 = machine.quietCheck(now: 22 * ms, hasPendingBytes: nothingPending)
    #expect(step19 == .drained(.stopDaemon))
  }

  @Test func unreadBytesOnAnOpenConnectionHoldTheDrain() {
    var machine = DrainStateMachine(settleNanoseconds: 10 * ms)
    machine.connectionOpened(7)
    machine.connectionOpened(8)
    let step20 = machine.stopRequested()
    #expect(step20)
    machine.acceptorStopped(handedOver: 2, now: 0)
    var pending: Set<Int32> = [8]
    let step21 = machine.quietCheck(now: 0, hasPendingBytes: { pending.contains($0) })
    #expect(step21 == .keepWaiting)
    let step22 = machine.quietCheck(now: 50 * ms, hasPendingBytes: { pending.contains($0) })
    #expect(step22 == .keepWaiting)
    // Closed connections are not looked at any more.
    machine.connectionClosed(8)
    pending = []
    let step23 = machine.quietCheck(now: 60 * ms, hasPendingBytes: { pending.contains($0) })
    #expect(step23 == .keepWaiting)
    #expect(machine.openSockets == [7: 1])
    let step24 = machine.quietCheck(now: 70 * ms, hasPendingBytes: { pending.contains($0) })
    #expect(step24 == .drained(.stopDaemon))
  }

  @Test func connectionsHandedOverButNotYetStartedHoldTheDrain() {
    var machine = DrainStateMachine(settleNanoseconds: 10 * ms)
    machine.connectionOpened(5)
    let step25 = machine.stopRequested()
    #expect(step25)
    // The acceptor took two more from the backlog; MHD has not started them.
    machine.acceptorStopped(handedOver: 3, now: 0)
    let step26 = machine.quietCheck(now: 0, hasPendingBytes: nothingPending)
    #expect(step26 == .keepWaiting)
    let step27 = machine.quietCheck(now: 100 * ms, hasPendingBytes: nothingPending)
    #expect(step27 == .keepWaiting)
    machine.connectionOpened(6)
    machine.connectionOpened(7)
    let step28 = machine.quietCheck(now: 110 * ms, hasPendingBytes: nothingPending)
    #expect(step28 == .keepWaiting)
    let step29 = machine.quietCheck(now: 120 * ms, hasPendingBytes: nothingPending)
    #expect(step29 == .drained(.stopDaemon))
  }

  @Test func aConnectionMHDNeverStartsHoldsTheDrainOnlyForTheGrace() {
    // MHD closes a handed-over connection unreported when its poll thread
    // is at its share of the connection limit.
    var machine = DrainStateMachine(settleNanoseconds: 10 * ms, startGraceNanoseconds: 250 * ms)
    machine.connectionOpened(5)
    let stopped = machine.stopRequested()
    #expect(stopped)
    machine.acceptorStopped(handedOver: 2, now: 1_000 * ms)
    let early = machine.quietCheck(now: 1_100 * ms, hasPendingBytes: nothingPending)
    #expect(early == .keepWaiting)
    let stillEarly = machine.quietCheck(now: 1_200 * ms, hasPendingBytes: nothingPending)
    #expect(stillEarly == .keepWaiting)
    let graceOver = machine.quietCheck(now: 1_250 * ms, hasPendingBytes: nothingPending)
    #expect(graceOver == .keepWaiting)
    let settled = machine.quietCheck(now: 1_260 * ms, hasPendingBytes: nothingPending)
    #expect(settled == .drained(.stopDaemon))
  }

  @Test func beforeTheAcceptorStopsNothingDrains() {
    var machine = DrainStateMachine(settleNanoseconds: 10 * ms)
    let step30 = machine.stopRequested()
    #expect(step30)
    let step31 = machine.quietCheck(now: 0, hasPendingBytes: nothingPending)
    #expect(step31 == .keepWaiting)
    let step32 = machine.quietCheck(now: 100 * ms, hasPendingBytes: nothingPending)
    #expect(step32 == .keepWaiting)
  }

  @Test func reusedDescriptorIsCountedUntilBothCloses() {
    var machine = DrainStateMachine()
    machine.connectionOpened(9)
    machine.connectionOpened(9)
    machine.connectionClosed(9)
    #expect(machine.openSockets == [9: 1])
    machine.connectionClosed(9)
    #expect(machine.openSockets.isEmpty)
    machine.connectionClosed(9)
    #expect(machine.openSockets.isEmpty)
  }

  @Test func parkingIsAllowedUntilDrainedThenRefused() {
    var machine = stopping()
    let step33 = machine.parkRequested()
    #expect(step33, "a request during the drain may still use a worker")
    #expect(machine.parked == 1)
    machine.unparked()
    _ = machine.quietCheck(now: 0, hasPendingBytes: nothingPending)
    let step34 = machine.quietCheck(now: 10 * ms, hasPendingBytes: nothingPending)
    #expect(step34 == .drained(.stopDaemon))
    let step35 = machine.parkRequested()
    #expect(!step35, "nothing may be suspended once the daemon is about to stop")
    #expect(machine.parked == 0)
  }

  @Test func deadlineWithAHandlerStillRunningAbandonsTheDaemon() {
    var machine = DrainStateMachine()
    machine.requestBegan()
    let step36 = machine.parkRequested()
    #expect(step36)
    let step37 = machine.stopRequested()
    #expect(step37)
    machine.acceptorStopped(handedOver: 0, now: 0)
    let step38 = machine.quietCheck(now: 0, hasPendingBytes: nothingPending)
    #expect(step38 == .keepWaiting)
    let step39 = machine.deadlinePassed()
    #expect(step39 == .abandonDaemon(parked: 1))
    let step40 = machine.parkRequested()
    #expect(!step40)
  }

  @Test func deadlineWithNothingParkedStopsTheDaemon() {
    var machine = stopping()
    machine.requestBegan()
    let step41 = machine.deadlinePassed()
    #expect(step41 == .stopDaemon)
    let step42 = machine.quietCheck(now: 0, hasPendingBytes: nothingPending)
    #expect(step42 == .drained(.stopDaemon))
  }
}
