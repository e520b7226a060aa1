import Foundation
import MIME
import Testing
@testable import SuportService
@testable import Tickets
@testable import TicketStore

/// Auto-responders facing the desk for an hour of simulated traffic (in process, the clock
/// simulated): one answers everything it gets (and says so in Auto-Submitted), one copies our
/// subject into a fresh mail as some helpdesks do. Nobody may receive more than the cap,
/// every loop must be recorded, and auto-generated mail must never reopen a ticket.
@Suite struct LoopTests {
    @Test func autoRespondersAreCappedAndNeverReopen() throws {
        let f = try Fixture()
        var now = Date(timeIntervalSince1970: 1_800_000_000)
        let a = "autoreply@robot.example", b = "copier@robot.example"
        _ = try f.file(["From: \(a)", "Subject: Hola", "Message-ID: <a0@robot.example>", "", "first"], at: now)
        _ = try f.file(["From: \(b)", "Subject: Consulta", "Message-ID: <b0@robot.example>", "", "first"], at: now)
        // Staff resolve A's ticket at once: an auto-reply must not bring it back.
        _ = try f.change(.status(.resolved), 311, at: now)

        var received: [String: Int] = [:]
        var n = 0
        for _ in 0..<360 {  // an hour, in 10-second steps
            now = now.addingTimeInterval(10)
            for (entry, bytes) in try f.store.dueNotifications(now: now, limit: 100) {
                try f.store.markSent(entry.id, now: now)
                received[entry.recipient, default: 0] += 1
                let ours = Message(bytes: bytes)
                n += 1
                if entry.recipient == a {
                    _ = try f.file(["From: \(a)", "Subject: Re: \(ours.subject ?? "")", "Auto-Submitted: auto-replied",
                                    "In-Reply-To: <\(ours.messageID ?? "")>", "Message-ID: <a\(n)@robot.example>", "", "I am away."], at: now)
                } else if entry.recipient == b {
                    _ = try f.file(["From: \(b)", "Subject: \(ours.subject ?? "")", "Message-ID: <b\(n)@robot.example>", "",
                                    "Thank you, we received your message."], at: now)
                }
            }
            // Each responder also writes once a minute on its own, with a new subject each time.
            if Int(now.timeIntervalSince1970) % 60 == 0 {
                n += 1
                _ = try f.file(["From: \(a)", "Subject: Avís \(n)", "Auto-Submitted: auto-generated", "Message-ID: <x\(n)@robot.example>", "", "x"], at: now)
                _ = try f.file(["From: \(b)", "Subject: Notice \(n)", "Message-ID: <y\(n)@robot.example>", "", "y"], at: now)
            }
        }
        // The cap: at most 10 acknowledgements an hour to one address, and nothing else reaches them.
        #expect((received[a] ?? 0) <= 10)
        #expect((received[b] ?? 0) <= 10)
        #expect((received[b] ?? 0) == 10)
        // Auto-generated mail never reopened the resolved ticket, nor was it acknowledged.
        #expect(try f.store.ticket(311)?.status == .resolved)
        // A got its acknowledgement and the note that its ticket was resolved: nothing its robot said added more.
        #expect(received[a] == 2)
        // Every loop is on record: the suppressed acknowledgements and the auto-generated mail.
        let suppressed = try (311...(311 + 200)).compactMap { try f.store.ticket($0) }.flatMap { try f.store.history($0.number) }
            .filter { $0.kind == "notification-suppressed" }
        #expect(suppressed.count >= 40)
        let auto = try f.store.history(311).filter { $0.note?.contains("auto-generated") == true }
        #expect(auto.count >= 1)
    }

    @Test func aFloodFromOneSenderIsFiledAndAcknowledgedAtTheCap() throws {
        let f = try Fixture()
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let count = 5_000
        for i in 0..<count {
            _ = try f.file(["From: flood@b.example", "Subject: \(i)", "Message-ID: <flood\(i)@b.example>", "", "x \(i)"],
                           at: now.addingTimeInterval(Double(i)))
        }
        #expect(try f.store.counts()["tickets"] == count)
        let acks = try f.store.outbox(state: nil, ticket: nil, limit: 100_000).filter { $0.template == "acknowledgement" }
        // 5,000 seconds: 10 in any hour, so at most 20 over the whole flood.
        #expect(acks.count <= 20)
        #expect(acks.count >= 10)
    }
}
