import Foundation
import Testing
@testable import SuportService
@testable import TicketStore

/// Several daemons on one database: leases and outbox claims, on a clock the test moves.
@Suite struct LeaseTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func aLeaseIsOneHoldersUntilItRunsOut() throws {
        let f = try Fixture()
        let s = f.store
        #expect(try s.holdLease("mailbox:support", holder: "a", until: t0 + 30, now: t0))
        #expect(try !s.holdLease("mailbox:support", holder: "b", until: t0 + 40, now: t0 + 10))
        // Its holder renews it; another name is free.
        #expect(try s.holdLease("mailbox:support", holder: "a", until: t0 + 50, now: t0 + 20))
        #expect(try s.holdLease("mailbox:treasury", holder: "b", until: t0 + 50, now: t0 + 20))
        #expect(try !s.holdLease("mailbox:support", holder: "b", until: t0 + 79, now: t0 + 49))
        // Not renewed in time: the other takes it, and the first cannot renew it any more.
        #expect(try s.holdLease("mailbox:support", holder: "b", until: t0 + 80, now: t0 + 50))
        #expect(try !s.holdLease("mailbox:support", holder: "a", until: t0 + 81, now: t0 + 51))
        #expect(try s.leases() == [Lease(name: "mailbox:support", holder: "b", expires: t0 + 80),
                                   Lease(name: "mailbox:treasury", holder: "b", expires: t0 + 50)])
        // Given up on the way out: free at once, and only by its holder.
        try s.releaseLease("mailbox:support", holder: "a")
        #expect(try !s.holdLease("mailbox:support", holder: "a", until: t0 + 90, now: t0 + 60))
        try s.releaseLease("mailbox:support", holder: "b")
        #expect(try s.holdLease("mailbox:support", holder: "a", until: t0 + 90, now: t0 + 60))
    }

    @Test func aNotificationIsClaimedByOneDaemon() throws {
        let f = try Fixture()
        _ = try f.file(firstMail, at: t0)
        let due = try f.store.dueNotifications(now: t0 + 1, limit: 50)
        #expect(due.count == 2)
        let a = try f.store.claimNotifications(holder: "a", now: t0 + 1, until: t0 + 31, limit: 1)
        #expect(a.map(\.0.id) == [due[0].0.id])
        #expect(a.first.map { Array($0.1) } == due[0].1)
        // The other daemon gets what is left, never the same row.
        let b = try f.store.claimNotifications(holder: "b", now: t0 + 2, until: t0 + 32, limit: 50)
        #expect(b.map(\.0.id) == [due[1].0.id])
        #expect(try f.store.claimNotifications(holder: "b", now: t0 + 3, until: t0 + 33, limit: 50).map(\.0.id) == [due[1].0.id])
        #expect(try f.store.outbox().first { $0.id == due[0].0.id }?.claimedBy == "a")
        // Renewed just before sending while the claim holds; not by the other, not after it ran out.
        #expect(try f.store.renewClaim(due[0].0.id, holder: "a", until: t0 + 40, now: t0 + 5))
        #expect(try !f.store.renewClaim(due[0].0.id, holder: "b", until: t0 + 40, now: t0 + 5))
        #expect(try !f.store.renewClaim(due[0].0.id, holder: "a", until: t0 + 80, now: t0 + 41))
        // A claim that ran out (its daemon died) is the next claimant's, and the first cannot send it.
        #expect(try f.store.claimNotifications(holder: "b", now: t0 + 41, until: t0 + 71, limit: 50).map(\.0.id).sorted()
                    == due.map(\.0.id).sorted())
        #expect(try !f.store.renewClaim(due[0].0.id, holder: "a", until: t0 + 80, now: t0 + 42))
        // Sent: no longer claimable, and the claim is gone.
        try f.store.markSent(due[0].0.id, now: t0 + 43)
        #expect(try f.store.outbox().first { $0.id == due[0].0.id }?.claimedBy == nil)
        #expect(try !f.store.renewClaim(due[0].0.id, holder: "b", until: t0 + 80, now: t0 + 44))
        // A failure to retry later gives the claim up too; so does a daemon stopping.
        try f.store.markFailed(due[1].0.id, error: "421 later", retryAt: t0 + 50, now: t0 + 44)
        #expect(try f.store.claimNotifications(holder: "a", now: t0 + 45, until: t0 + 75, limit: 50).isEmpty)
        #expect(try f.store.claimNotifications(holder: "a", now: t0 + 50, until: t0 + 80, limit: 50).map(\.0.id) == [due[1].0.id])
        try f.store.releaseClaims(holder: "a")
        #expect(try f.store.claimNotifications(holder: "b", now: t0 + 51, until: t0 + 81, limit: 50).map(\.0.id) == [due[1].0.id])
    }

    @Test func leasesAreTimedByTheDatabasesClock() throws {
        let f = try Fixture()
        #expect(abs(try f.store.databaseTime().timeIntervalSinceNow) < 5)
    }

    @Test func whatADeadDaemonOfThisMachineHeldIsGivenUpAtOnce() throws {
        let f = try Fixture()
        _ = try f.file(firstMail)
        let now = try f.store.databaseTime()
        // A process that has exited (its pid is free), one of another machine, and a live one.
        let gone = Process()
        gone.executableURL = URL(fileURLWithPath: "/bin/true")
        try gone.run()
        gone.waitUntilExit()
        let dead = "\(DaemonLease.machine):\(gone.processIdentifier):1", elsewhere = "other-host.1234abcd:\(gone.processIdentifier):2"
        let alive = "\(DaemonLease.machine):\(getppid()):3"
        #expect(try f.store.holdLease("mailbox:support", holder: dead, until: now + 60, now: now))
        #expect(try f.store.holdLease("mailbox:treasury", holder: elsewhere, until: now + 60, now: now))
        #expect(try f.store.holdLease("scheduler", holder: alive, until: now + 60, now: now))
        let due = try f.store.claimNotifications(holder: dead, now: now + 1, until: now + 60, limit: 1)
        #expect(due.count == 1)
        let me = DaemonLease(seconds: 30)
        #expect(try me.releaseTheDead(on: f.store) == [dead])
        #expect(try f.store.leases().map(\.holder).sorted() == [alive, elsewhere].sorted())
        #expect(try f.store.claimHolders().isEmpty)
        #expect(try me.hold("mailbox:support", on: f.store))
        #expect(try !me.hold("mailbox:treasury", on: f.store))
    }

    @Test func leaseSecondsIsReadAndChecked() throws {
        let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let file = repo.appendingPathComponent("config/suport.example.toml").path
        let example = try String(contentsOfFile: file, encoding: .utf8)
        func parse(_ text: String) throws -> Configuration { try Configuration.parse(text, file: file, environment: nil) }
        #expect(try parse(example).leaseSeconds == 30)
        #expect(try parse(example.replacingOccurrences(of: "lease_seconds = 30", with: "lease_seconds = 2.5")).leaseSeconds == 2.5)
        #expect(throws: ConfigError.self) { try parse(example.replacingOccurrences(of: "lease_seconds = 30", with: "lease_seconds = 0")) }
    }
}
