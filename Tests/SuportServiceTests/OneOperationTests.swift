import Foundation
import MIME
import Testing
@testable import SuportService
@testable import Tickets
@testable import TicketStore

/// A desk whose staff mail is proven by the MTA's Authentication-Results.
func verifyingPolicy() -> DeskPolicy {
    var p = storePolicy()
    p.verification = SenderVerification(trustedAuthservIDs: ["mx.example.test"])
    return p
}

let dmarcPass = "Authentication-Results: mx.example.test; dkim=pass header.d=example.test; dmarc=pass header.from=example.test"

/// What a change leaves behind, without what differs by nature (ids, dates, Message-IDs):
/// the history entries, and each notification's template, recipient, Auto-Submitted,
/// signature (its last line) and files.
struct Trace: Equatable, CustomStringConvertible {
    var history: [String]
    var notices: [String]

    init(_ f: Fixture, ticket: Int, after historyCount: Int, outboxAfter outboxCount: Int, kinds: Set<String>? = nil) throws {
        history = try f.store.history(ticket).dropFirst(historyCount)
            .filter { kinds?.contains($0.kind) ?? true }
            .map { "\($0.kind) by \($0.actor): \($0.oldValue ?? "-") → \($0.newValue ?? "-") (\($0.note ?? ""))" }
        let rows = try f.store.outbox(state: nil, ticket: ticket, limit: 1000).reversed().dropFirst(outboxCount)
        notices = try rows.filter { kinds == nil || kinds!.contains($0.template) || kinds!.contains("status") && $0.template.hasPrefix("status") }
            .map { row in
                let m = Message(bytes: try f.store.outboxMessage(row.id))
                let words = (m.text ?? "").split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
                let files = m.attachments.map { "\($0.filename ?? "-"):\($0.data.count)" }
                return "\(row.template)→\(row.recipient) auto=\(m.header["Auto-Submitted"] ?? "none") signed=\(words.last ?? "-") \(files)"
            }
            .sorted()
    }

    var description: String { (history + notices).joined(separator: "\n") }
}

@Suite struct OneOperationTests {
    static let guide = OutgoingAttachment(filename: "guia.pdf", contentType: "application/pdf", data: Array("%PDF-1.4 guia".utf8))

    /// A staff reply by email and the same reply from the CLI; a status change from the CLI
    /// and the automatic one a staff reply makes: each pair leaves the same history and the
    /// same notifications (recipients, template, words, files, signature).
    @Test(arguments: ["staff reply", "status to open"])
    func theSameChangeFromEachSourceIsTheSame(_ which: String) throws {
        let byMail = try Fixture(policy: verifyingPolicy()), byCLI = try Fixture(policy: verifyingPolicy())
        for f in [byMail, byCLI] { _ = try f.file(firstMail) }
        let (h, o) = (try byMail.store.history(311).count, try byMail.store.outbox().count)
        var mail = OutgoingMessage(from: Address(name: "Anna Soler", address: "anna@example.test"), to: [Address(address: "support@example.test")],
                                   subject: "Re: [suport#311] El router", messageID: "staff-1@example.test", text: "Reinicieu-lo.")
        mail.autoSubmitted = nil
        mail.attachments = [Self.guide]
        let raw = Array(dmarcPass.utf8) + [13, 10] + (try mail.render())
        let kinds: Set<String>? = which == "staff reply" ? nil : ["status"]
        _ = try byMail.desk.file(Desk.Mail(raw: raw))
        if which == "staff reply" {
            _ = try byCLI.change(.reply(text: "Reinicieu-lo.", attachments: [Self.guide]), 311)
        } else {
            _ = try byCLI.change(.status(.open), 311, comment: "staff replied")
        }
        let a = try Trace(byMail, ticket: 311, after: h, outboxAfter: o, kinds: kinds)
        let b = try Trace(byCLI, ticket: 311, after: h, outboxAfter: o, kinds: kinds)
        #expect(a == b)
        #expect(!a.history.isEmpty && !a.notices.isEmpty)
        if which == "staff reply" {
            // The requestor gets the words, the file and the signature, as a person's mail (no Auto-Submitted).
            #expect(a.notices.contains { $0.hasPrefix("correspondence→nuria@example.cat auto=none signed=Anna Soler") && $0.contains("guia.pdf:13") })
            let words = try [byMail, byCLI].map { f in
                let row = try #require(try f.store.outbox().first { $0.template == "correspondence" })
                return Message(bytes: try f.store.outboxMessage(row.id)).text?.trimmingCharacters(in: .whitespacesAndNewlines)
            }
            #expect(words[0] == words[1] && words[0]?.contains("Reinicieu-lo.") == true)
            #expect(a.history.contains { $0.hasPrefix("status by anna: new → open") })
        }
    }

    @Test func aRequestorsReplyThatReopensTellsTheOwnerAndTheCc() throws {
        let f = try Fixture()
        _ = try f.file(firstMail)
        _ = try f.change(.addCc(Address(address: "jordi@example.cat")), 311)
        _ = try f.change(.owner("anna"), 311)
        _ = try f.change(.status(.resolved), 311, actor: "anna")
        let before = try f.store.outbox().count
        let outcome = try f.file(["From: nuria@example.cat", "Subject: Re: [suport#311] El router", "Message-ID: <r2@example.cat>", "", "Torna a fallar."])
        #expect(outcome.summary(tag: f.policy.tag).contains("reopened"))
        let new = try f.store.outbox().prefix(try f.store.outbox().count - before).map { "\($0.template)→\($0.recipient)" }
        // The Cc reads the requestor's words too (the conversation reaches everyone on it).
        #expect(Set(new) == ["correspondence-staff→anna@example.test", "correspondence→jordi@example.cat", "status→jordi@example.cat",
                             "status-owner→anna@example.test"])
        #expect(try f.store.history(311).last { $0.kind == "status" }?.actor == "nuria@example.cat")
    }

    @Test func theLogSaysReopenedOnlyWhenTheLifecycleAllowedIt() throws {
        var policy = storePolicy()
        policy.lifecycle = Lifecycle(transitions: [.new: [.open, .resolved], .open: [.resolved], .resolved: []])
        let f = try Fixture(policy: policy)
        _ = try f.file(firstMail)
        _ = try f.change(.status(.resolved), 311)
        let outcome = try f.file(["From: nuria@example.cat", "Subject: Re: [suport#311] El router", "Message-ID: <r3@example.cat>", "", "Hola?"])
        #expect(try f.store.ticket(311)?.status == .resolved)
        #expect(!outcome.summary(tag: f.policy.tag).contains("reopened"))
    }

    @Test func aForgedStaffReplyReachesNoRequestor() throws {
        let f = try Fixture(policy: verifyingPolicy())
        _ = try f.file(firstMail)
        let before = try f.store.outbox().count
        _ = try f.file(["From: Anna Soler <anna@example.test>", "Subject: Re: [suport#311] El router", "Message-ID: <forged@evil.example>",
                        "", "Envieu-me la contrasenya."])
        let new = try f.store.outbox().prefix(try f.store.outbox().count - before)
        #expect(new.map(\.recipient) == ["anna@example.test"])  // the owner-or-staff note about an outsider, nothing else
        #expect(new.first?.template == "outsider")
        #expect(try f.store.history(311).last?.note?.contains("nothing proves anna sent it") == true)
    }

    @Test func aLookupThatFailsAbortsTheFilingInsteadOfOpeningANewTicket() throws {
        let f = try Fixture()
        _ = try f.file(firstMail)
        let ack = try #require(try f.store.outbox().first { $0.template == "acknowledgement" })
        // The thread lookup reads messages and the outbox; make it fail.
        try f.store.transaction { try $0.execute(sql: "ALTER TABLE outbox RENAME TO outbox_away") }
        #expect(throws: (any Error).self) {
            try f.file(["From: nuria@example.cat", "Subject: Re: El router", "In-Reply-To: <\(ack.messageID)>", "Message-ID: <r4@example.cat>", "", "x"])
        }
        try f.store.transaction { try $0.execute(sql: "ALTER TABLE outbox_away RENAME TO outbox") }
        #expect(try f.store.counts()["tickets"] == 1)
        // Tried again once the database answers: it joins its ticket.
        #expect(try f.file(["From: nuria@example.cat", "Subject: Re: El router", "In-Reply-To: <\(ack.messageID)>", "Message-ID: <r4@example.cat>", "", "x"]).ticket == 311)
    }

    @Test func aMessageBegunTooOftenIsSetAsideAndCanBeFiledAgain() throws {
        let f = try Fixture()
        let raw = Array(firstMail.joined(separator: "\r\n").utf8)
        let mail = Desk.Mail(raw: raw, mailbox: MailboxKey(mailbox: "support", uidValidity: 3, uid: 9))
        // Three starts that crashed while reading it: each counted, before anything was parsed,
        // in a database opened again each time.
        for _ in 0..<3 { _ = try f.reopen().beginAttempt(mail.attempt, now: Date()) }
        let outcome = try f.desk.file(mail)
        guard case .setAside(let id) = outcome.action else { Issue.record("\(outcome)"); return }
        #expect(try f.store.counts()["tickets"] == 0)
        let failed = try #require(try f.store.failedIntake().first)
        #expect(failed.id == id && failed.uid == 9 && failed.subject == "El router" && failed.error.contains("3 times"))
        // Until it is moved aside on the server, a poller asking for that UID is told it is set aside.
        #expect(try f.store.intake(of: mail.mailbox!) == .setAside(id))
        #expect(try f.store.intake(of: MailboxKey(mailbox: "support", uidValidity: 3, uid: 10)) == .new)
        let retried = try f.desk.retryFailed(id)
        #expect(retried.ticket == 311)
        #expect(try f.store.failedIntake().isEmpty)
        #expect(try f.store.intake(of: MailboxKey(mailbox: "support", uidValidity: 3, uid: 9)) == .filed)
        #expect(try f.store.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM intake_attempts") } == 0)
    }

    /// The one writer sets only the columns an operation changed: SQLite rewrites every index
    /// naming a column of an UPDATE's SET list, changed or not. A trigger `UPDATE OF` a column
    /// fires the same way on both engines, so it sees which columns each write named.
    @Test func aWriteSetsOnlyTheColumnsItChanges() throws {
        let f = try Fixture()
        _ = try f.file(firstMail)
        try f.store.transaction { db in
            try db.execute(sql: "CREATE TABLE column_writes (ticket INTEGER, col TEXT)")
            for col in ["priority", "owner", "queue", "updated_at"] {
                if db.dialect == .sqlite {
                    try db.execute(sql: """
                        CREATE TRIGGER written_\(col) AFTER UPDATE OF \(col) ON tickets
                        BEGIN INSERT INTO column_writes VALUES (NEW.number, '\(col)'); END
                        """)
                } else {
                    try db.execute(sql: """
                        CREATE FUNCTION written_\(col)() RETURNS trigger AS $$
                        BEGIN INSERT INTO column_writes VALUES (NEW.number, '\(col)'); RETURN NEW; END $$ LANGUAGE plpgsql
                        """)
                    try db.execute(sql: "CREATE TRIGGER written_\(col) AFTER UPDATE OF \(col) ON tickets FOR EACH ROW EXECUTE FUNCTION written_\(col)()")
                }
            }
        }
        func written() throws -> [String] {
            try f.store.read { db in try SQLRow.fetchAll(db, sql: "SELECT col FROM column_writes ORDER BY col").map { $0["col"] ?? "" } }
        }
        // The requestor writes again: the ticket is touched, its owner, priority and queue are not.
        _ = try f.file(["From: nuria@example.cat", "Subject: Re: [suport#311] El router", "Message-ID: <m2@example.cat>", "", "Encara no."])
        #expect(try written() == ["updated_at"])
        _ = try f.change(.priority(7), 311)
        #expect(try written() == ["priority", "updated_at", "updated_at"])
        #expect(try f.store.ticket(311)?.priority == 7)
    }

    @Test func everyCommitWaitsForTheDisk() throws {
        let f = try Fixture()
        func durable() throws -> Bool {
            if let engine = f.store.engine as? SQLiteEngine { return try engine.writerSynchronous() == 2 }
            return try f.store.transaction { try String.fetchOne($0, sql: "SHOW synchronous_commit") } == "on"
        }
        #expect(try durable())
        _ = try f.file(firstMail)  // counting an attempt commits without waiting for a moment, and back
        #expect(try durable())
    }

    @Test func requestorsAreToldInTheirLanguageAndTheQueueByItsName() throws {
        var policy = storePolicy()
        policy.queues = policy.queues.map {
            Queue(name: $0.name, addresses: $0.addresses, commentAddress: $0.commentAddress, staff: $0.staff, language: $0.language,
                  displayNames: $0.name == "treasury" ? [.ca: "Tresoreria", .es: "Tesorería"] : [.ca: "Suport", .es: "Soporte"])
        }
        let f = try Fixture(policy: policy, templates: try Desk.loadTemplates(Installation.repo.appendingPathComponent("config/templates").path))
        _ = try f.file(firstMail)
        _ = try f.change(.queue("treasury"), 311)
        let note = try #require(try f.store.outbox().first { $0.template == "queue-requestors" })
        let m = Message(bytes: try f.store.outboxMessage(note.id))
        #expect(m.subject?.contains("Ara porta la vostra petició l'equip de Tresoreria") == true)
        #expect(m.from.first?.name == "Tresoreria")
        _ = try f.change(.status(.resolved), 311, actor: "marta")
        let status = try #require(try f.store.outbox().first { $0.template == "status" })
        #expect(Message(bytes: try f.store.outboxMessage(status.id)).subject?.contains("Su solicitud ahora está resuelta") == true)
    }
}
