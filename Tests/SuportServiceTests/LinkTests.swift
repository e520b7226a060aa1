import Foundation
import MIME
import Testing
@testable import SuportService
@testable import Tickets
@testable import TicketStore

@Suite struct LinkTests {
    /// A problem (311) and two incidents (312 from Eva, 313 from Jordi).
    func desk() throws -> Fixture {
        let f = try Fixture(policy: emailPolicy())
        _ = try f.file(firstMail)
        for (from, id) in [("eva@example.cat", "e1"), ("jordi@example.cat", "j1")] {
            _ = try f.file(["From: \(from)", "To: support@example.test", "Subject: Sense connexió", "Message-ID: <\(id)@example.cat>", "", "No va."])
        }
        return f
    }

    @Test func linksReadBothWays() throws {
        let f = try desk()
        _ = try f.change(.link(.parentOf, 312), 311)
        _ = try f.change(.link(.childOf, 311), 313)
        _ = try f.change(.link(.relatesTo, 313), 312)
        _ = try f.change(.refer("https://proveidor.example/tiquet/8812"), 311)
        #expect(try f.store.links(311).map(\.description) == ["parent-of #312", "parent-of #313", "refers-to https://proveidor.example/tiquet/8812"])
        #expect(try f.store.links(312).map(\.description) == ["child-of #311", "relates-to #313"])
        #expect(try f.store.links(313).map(\.description) == ["child-of #311", "relates-to #312"])
        #expect(try f.change(.link(.parentOf, 312), 311).changed == false)
        _ = try f.change(.unlink(.childOf, 311), 312)
        #expect(try f.store.links(311).map(\.description) == ["parent-of #313", "refers-to https://proveidor.example/tiquet/8812"])
        #expect(throws: DeskError.linkToItself) { try f.change(.link(.relatesTo, 311), 311) }
        #expect(throws: DeskError.unknownTicket(999)) { try f.change(.link(.relatesTo, 999), 311) }
        #expect(throws: DeskError.invalidURL("ftp://x")) { try f.change(.refer("ftp://x"), 311) }
    }

    @Test func resolvingTheProblemResolvesItsIncidentsAndTellsEachRequestorOnce() throws {
        let f = try desk()
        _ = try f.change(.link(.parentOf, 312), 311)
        _ = try f.change(.link(.parentOf, 313), 311)
        let before = try f.store.outbox().count
        _ = try f.change(.status(.resolved), 311, comment: "Hem substituït el commutador del terrat.")
        #expect(try [311, 312, 313].map { try f.store.ticket($0)?.status } == [.resolved, .resolved, .resolved])
        let told = try f.newNotices(after: before).filter { $0.hasPrefix("status→") }
        #expect(told == ["status→eva@example.cat", "status→jordi@example.cat", "status→nuria@example.cat"])
        #expect(try f.store.history(312).last { $0.kind == "status" }?.note == "Hem substituït el commutador del terrat.")
    }

    @Test func theCascadeCanBeSwitchedOff() throws {
        let f = try Fixture(policy: emailPolicy { p in
            p.queues[0] = Queue(name: "support", addresses: ["support@example.test"], commentAddress: "support-comment@example.test",
                                staff: p.queues[0].staff, language: .ca, cascade: false)
        })
        _ = try f.file(firstMail)
        _ = try f.file(["From: eva@example.cat", "To: support@example.test", "Subject: x", "Message-ID: <e9@example.cat>", "", "No va."])
        _ = try f.change(.link(.parentOf, 312), 311)
        _ = try f.change(.status(.resolved), 311)
        #expect(try f.store.ticket(312)?.status == .new)
    }

    @Test func aTicketThatDependsOnAnOpenOneIsNotResolvedUnlessForced() throws {
        let f = try desk()
        _ = try f.change(.link(.dependsOn, 312), 311)
        #expect(throws: DeskError.dependsOnOpen(311, [312])) { try f.change(.status(.resolved), 311) }
        _ = try f.desk.change(.status(.resolved), ticket: 311, actor: "anna", force: true)
        #expect(try f.store.ticket(311)?.status == .resolved)
        _ = try f.change(.status(.open), 311)
        _ = try f.change(.status(.resolved), 312)
        #expect(try f.change(.status(.resolved), 311).changed)
    }
}

@Suite struct MergeTests {
    @Test func mailToTheMergedNumberJoinsTheSurvivorAndEveryoneIsToldOnce() throws {
        let f = try Fixture(policy: emailPolicy())
        _ = try f.file(firstMail)
        _ = try f.file(["From: eva@example.cat", "To: support@example.test", "Cc: jordi@example.cat", "Subject: El router també",
                        "Message-ID: <e1@example.cat>", "", "A casa tampoc."])
        _ = try f.change(.addTime(TimeEntry(minutes: 30, day: "2026-12-01")), 312)
        _ = try f.change(.refer("https://proveidor.example/8812"), 312)
        let before = try f.store.outbox().count
        _ = try f.desk.merge(312, into: 311, actor: "anna")
        let survivor = try #require(try f.store.ticket(311))
        #expect(survivor.requestors.map(\.address) == ["nuria@example.cat", "eva@example.cat"] && survivor.ccs.map(\.address) == ["jordi@example.cat"])
        #expect(survivor.minutesWorked == 30)
        #expect(try f.store.links(311).map(\.description) == ["refers-to https://proveidor.example/8812"])
        #expect(try f.newNotices(after: before) == ["merged→eva@example.cat", "merged→jordi@example.cat", "merged→nuria@example.cat"])
        #expect(try f.store.ticket(312)?.mergedInto == 311)
        #expect(Views.show(try #require(try f.store.ticket(312)), tag: f.policy.tag, attachments: []).contains("Merged:     into [suport#311]"))
        // Eva's message and the mail she sends to the old number are on 311 now.
        #expect(try f.store.history(311).contains { $0.kind == "merged" && $0.newValue == "[suport#312]" })
        let reply = try f.file(["From: eva@example.cat", "To: support@example.test", "Subject: Re: [suport#312] El router també",
                                "Message-ID: <e2@example.cat>", "", "Gràcies."])
        #expect(reply.ticket == 311)
        #expect(throws: DeskError.alreadyMerged(312, 311)) { try f.desk.merge(312, into: 311, actor: "anna") }
        #expect(try f.store.list(TicketFilter()).map(\.number).contains(312))
    }
}

@Suite struct LinksByEmailTests {
    @Test func anEmailedResolutionCascadesAndRespectsDependencies() throws {
        let f = try Fixture(policy: emailPolicy())
        _ = try f.file(firstMail)
        for (from, id) in [("eva@example.cat", "e1"), ("jordi@example.cat", "j1")] {
            _ = try f.file(["From: \(from)", "To: support@example.test", "Subject: Sense connexió", "Message-ID: <\(id)@example.cat>", "", "No va."])
        }
        _ = try f.change(.link(.parentOf, 312), 311)
        _ = try f.change(.link(.dependsOn, 312), 313)
        // 313 depends on 312, still open: the emailed Status is refused, and the sender told.
        _ = try f.file([dmarcPass, "From: anna@example.test", "To: support@example.test", "Subject: Re: [suport#313] Sense connexió",
                        "Message-ID: <a1@example.test>", "", "Status: resolved", "", "Fet."])
        #expect(try f.store.ticket(313)?.status == .open)
        #expect(try f.store.history(313).contains { $0.kind == "command-failed" && ($0.note ?? "").contains("depends on #312") })
        // Resolving the parent by email resolves its child; then 313 may go.
        _ = try f.staffMail("Estat: resolta\n\nCanviat el commutador.")
        #expect(try f.store.ticket(312)?.status == .resolved)
        _ = try f.file([dmarcPass, "From: anna@example.test", "To: support@example.test", "Subject: Re: [suport#313] Sense connexió",
                        "Message-ID: <a2@example.test>", "", "Status: resolved"])
        #expect(try f.store.ticket(313)?.status == .resolved)
    }
}
