import Foundation
import MIME
import Testing
@testable import SuportService
@testable import Tickets
@testable import TicketStore

@Suite struct UndoWindowTests {
    func desk(undo: Int = 300) throws -> (Fixture, Date) {
        let f = try Fixture(policy: emailPolicy { $0.undoSeconds = undo })
        let start = Date(timeIntervalSince1970: 1_796_000_000)
        _ = try f.file(firstMail, at: start)
        return (f, start)
    }

    func held(_ f: Fixture) throws -> OutboxEntry {
        try #require(try f.store.outbox().first { $0.template == "correspondence" && $0.recipient == "nuria@example.cat" })
    }

    @Test func aReplyWaitsItsWindowThenGoes() throws {
        let (f, start) = try desk()
        _ = try f.change(.reply(text: "Reinicieu el router.", attachments: []), 311, at: start)
        let row = try held(f)
        #expect(row.author == "anna" && row.heldUntil == start.addingTimeInterval(300))
        #expect(try f.store.dueNotifications(now: start.addingTimeInterval(299)).allSatisfy { $0.0.id != row.id })
        #expect(try f.store.dueNotifications(now: start.addingTimeInterval(300)).contains { $0.0.id == row.id })
        // Acknowledgements and staff's own notices are not held: only a person's reply is.
        #expect(try f.store.outbox().filter { $0.heldUntil != nil }.map(\.template) == ["correspondence"])
    }

    @Test func itsAuthorGivesItNewWordsWithinTheWindow() throws {
        let (f, start) = try desk()
        _ = try f.change(.reply(text: "Reinicieu el router.", attachments: [OutgoingAttachment(filename: "guia.txt", contentType: "text/plain", data: Array("pas 1".utf8))]),
                         311, at: start)
        let row = try held(f)
        #expect(throws: DeskError.notYourReply(row.id, "anna")) { try f.desk.editHeld(outbox: row.id, text: "Altre", actor: "pere", now: start.addingTimeInterval(10)) }
        let outcome = try f.desk.editHeld(outbox: row.id, text: "Reinicieu el router i el commutador.", actor: "anna", now: start.addingTimeInterval(60))
        #expect(outcome.notifications == 1)
        let sent = Message(bytes: try f.store.outboxMessage(row.id))
        #expect(sent.text?.contains("Reinicieu el router i el commutador.") == true && sent.attachments.map(\.filename) == ["guia.txt"])
        #expect(try f.store.outbox().first { $0.id == row.id }?.heldUntil == start.addingTimeInterval(300), "the window does not grow")
        // What the desk kept of the reply says the new words too, and the history says it was edited.
        let history = try f.store.history(311)
        let kept = try #require(history.first { $0.kind == "correspondence-staff" }?.message)
        #expect(try f.store.messageText(kept)?.contains("i el commutador") == true)
        #expect(history.contains { $0.kind == "correspondence-edited" && $0.actor == "anna" })
        #expect(throws: DeskError.undoWindowClosed(row.id, start.addingTimeInterval(300))) {
            try f.desk.editHeld(outbox: row.id, text: "Massa tard", actor: "anna", now: start.addingTimeInterval(301))
        }
    }

    @Test func withdrawnItIsNeverSent() throws {
        let (f, start) = try desk()
        _ = try f.change(.reply(text: "Perdó, ticket equivocat.", attachments: []), 311, at: start)
        let row = try held(f)
        _ = try f.desk.withdrawHeld(outbox: row.id, actor: "anna", now: start.addingTimeInterval(30))
        #expect(try f.store.outbox().first { $0.id == row.id }?.state == .withdrawn)
        #expect(try f.store.dueNotifications(now: start.addingTimeInterval(3600)).allSatisfy { $0.0.id != row.id })
        #expect(throws: StoreError.withdrawn(row.id)) { try f.store.retry(row.id) }
        #expect(try f.store.history(311).contains { $0.kind == "correspondence-withdrawn" })
        #expect(throws: DeskError.undoWindowClosed(row.id, start.addingTimeInterval(300))) {
            try f.desk.withdrawHeld(outbox: row.id, actor: "anna", now: start.addingTimeInterval(40))
        }
    }

    @Test func noWindowSendsAtOnceAndOtherNoticesAreNotHeld() throws {
        let (f, start) = try desk(undo: 0)
        _ = try f.change(.reply(text: "Fet.", attachments: []), 311, at: start)
        let row = try held(f)
        #expect(row.heldUntil == nil && row.nextAttempt == start)
        let ack = try #require(try f.store.outbox().first { $0.template == "acknowledgement" })
        #expect(throws: DeskError.notHeld(ack.id)) { try f.desk.withdrawHeld(outbox: ack.id, actor: "anna", now: start) }
    }
}
