import Foundation
import MIME
import Testing
@testable import SuportService
@testable import Tickets
@testable import TicketStore
import StoreTestSupport

/// A fresh database in a temporary folder, with the example desk.
struct Fixture {
    let folder: URL
    let store: SQLStore
    let desk: Desk
    /// The same database opened again (a restarted process).
    let reopen: () throws -> SQLStore
    var policy: DeskPolicy { desk.policy }

    init(policy: DeskPolicy = storePolicy(), templates: NotificationTemplates? = nil) throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("suport-store-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        (store, reopen) = try TestEngine.store(folder: folder, firstTicketNumber: 311)
        desk = Desk(policy: policy, templates: try templates ?? Fixture.plainTemplates(), store: store)
    }

    /// Templates that say their own name, the text and the comment: enough to see who got what.
    static func plainTemplates() throws -> NotificationTemplates {
        var sources: [Language: [TemplateName: String]] = [:]
        for l in Language.allCases {
            for n in TemplateName.allCases {
                sources[l, default: [:]][n] = "{{% CONTENT_TYPE: TEXT}}\n\(n.rawValue) {{title}}\n\n\(n.rawValue): {{text}}{{comment}}\n--\n{{actor}}\n"
            }
        }
        return try NotificationTemplates(sources: sources)
    }

    func file(_ lines: [String], mailbox: MailboxKey? = nil, at: Date = Date()) throws -> FilingOutcome {
        try desk.file(Desk.Mail(raw: Array(lines.joined(separator: "\r\n").utf8), mailbox: mailbox), now: at)
    }

    func change(_ c: TicketChange, _ n: Int, actor: String = "anna", comment: String? = nil, at: Date = Date()) throws -> ChangeOutcome {
        try desk.change(c, ticket: n, actor: actor, comment: comment, now: at)
    }
}

func storePolicy() -> DeskPolicy {
    let anna = Staff(id: "anna", name: "Anna Soler", address: "anna@example.test")
    let marta = Staff(id: "marta", name: "Marta Puig", address: "marta@example.test")
    return DeskPolicy(instanceID: "xarxa-1", messageIDDomain: "example.test",
                      queues: [Queue(name: "support", addresses: ["support@example.test"], commentAddress: "support-comment@example.test",
                                     staff: [anna], language: .ca),
                               Queue(name: "treasury", addresses: ["treasury@example.test"], staff: [marta], language: .es)],
                      defaultQueue: "support",
                      lifecycle: Lifecycle(transitions: [.new: [.open, .resolved, .stalled, .rejected], .open: [.stalled, .resolved, .rejected],
                                                         .stalled: [.open, .resolved], .resolved: [.open], .rejected: [.open]]))
}

let firstMail = ["From: Núria <nuria@example.cat>", "To: support@example.test", "Subject: El router", "Message-ID: <m1@example.cat>",
                 "Content-Type: multipart/mixed; boundary=b", "", "--b", "", "No funciona.", "--b",
                 "Content-Type: image/png", "Content-Disposition: attachment; filename=\"../../foto.png\"",
                 "Content-Transfer-Encoding: base64", "", "iVBORw0KGgo=", "--b--", ""]

@Suite struct StoreTests {
    @Test func newTicketIsNumberedFromTheConfiguredStartAndAcknowledged() throws {
        let f = try Fixture()
        let outcome = try f.file(firstMail)
        #expect(outcome.ticket == 311)
        let t = try #require(try f.store.ticket(311))
        #expect(t.status == .new && t.queue == "support" && t.title == "El router")
        #expect(t.requestors == [Address(name: "Núria", address: "nuria@example.cat")])
        let outbox = try f.store.outbox()
        #expect(Set(outbox.map { "\($0.template)→\($0.recipient)" }) == ["acknowledgement→nuria@example.cat", "new-ticket→anna@example.test"])
        let ack = Message(bytes: try f.store.outboxMessage(try #require(outbox.first { $0.template == "acknowledgement" }).id))
        #expect(ack.subject?.hasPrefix("[suport#311] ") == true)
        #expect(ack.inReplyTo == ["m1@example.cat"])
        #expect(try f.store.attachments(311).map(\.filename) == ["../../foto.png"])
        #expect(try f.store.history(311).map(\.kind) == ["create"])
    }

    /// A list reads a page of tickets at once (two queries, not two a ticket): each keeps its own people, in order.
    @Test func aListedPageCarriesEachTicketsOwnPeople() throws {
        let f = try Fixture()
        for i in 0..<5 {
            let cc = i % 2 == 0 ? ["Cc: Veí \(i) <vei\(i)@example.cat>"] : []
            _ = try f.file(["From: Sòcia \(i) <socia\(i)@example.cat>", "To: support@example.test"] + cc
                           + ["Subject: Node \(i)", "Message-ID: <page-\(i)@example.cat>", "", "El node \(i) no respon.", ""])
        }
        _ = try f.change(.addCc(Address(name: nil, address: "tecnic@example.cat")), 313)
        let page = try f.store.list(TicketFilter())
        #expect(page.map(\.number) == [315, 314, 313, 312, 311])
        for t in page {
            let alone = try #require(try f.store.ticket(t.number))
            #expect(t.requestors == alone.requestors && t.ccs == alone.ccs && t.title == alone.title)
        }
        #expect(page.first { $0.number == 313 }?.ccs.map(\.address) == ["vei2@example.cat", "tecnic@example.cat"])
        #expect(page.first { $0.number == 312 }?.requestors == [Address(name: "Sòcia 1", address: "socia1@example.cat")])
        #expect(page.first { $0.number == 312 }?.ccs == [])
    }

    @Test func theSameMessageIsFiledOnce() throws {
        let f = try Fixture()
        _ = try f.file(firstMail, mailbox: MailboxKey(mailbox: "INBOX", uidValidity: 1, uid: 5))
        let again = try f.file(firstMail, mailbox: MailboxKey(mailbox: "INBOX", uidValidity: 1, uid: 5))
        #expect(again.action == .duplicate && again.ticket == 311)
        // The mailbox was recreated: new UIDVALIDITY, same message.
        let recreated = try f.file(firstMail, mailbox: MailboxKey(mailbox: "INBOX", uidValidity: 2, uid: 1))
        #expect(recreated.action == .duplicate)
        // From the MTA pipe, without a mailbox key.
        #expect(try f.file(firstMail).action == .duplicate)
        #expect(try f.store.intake(of: MailboxKey(mailbox: "INBOX", uidValidity: 2, uid: 1)) == .filed)
        let counts = try f.store.counts()
        #expect(counts["tickets"] == 1 && counts["messages"] == 1 && counts["outbox.pending"] == 2)
    }

    @Test func replyByThreadJoinsAndReopens() throws {
        let f = try Fixture()
        _ = try f.file(firstMail)
        _ = try f.change(.status(.resolved), 311)
        let ack = try #require(try f.store.outbox().first { $0.template == "acknowledgement" })
        let reply = try f.file(["From: nuria@example.cat", "Subject: Re: El router", "In-Reply-To: <\(ack.messageID)>",
                                "Message-ID: <m2@example.cat>", "", "Torna a fallar."])
        #expect(reply.ticket == 311)
        let t = try #require(try f.store.ticket(311))
        #expect(t.status == .open)
        #expect(try f.store.history(311).map(\.kind) == ["create", "status", "correspondence", "status"])
        #expect(try f.store.counts()["tickets"] == 1)
    }

    @Test func outsiderWithTheTagGetsNothing() throws {
        let f = try Fixture()
        _ = try f.file(firstMail)
        let before = try f.store.outbox().count
        let outcome = try f.file(["From: stranger@evil.example", "Subject: Re: [suport#311] send me everything", "", "hi"])
        #expect(outcome.ticket == 311)
        let new = try f.store.outbox().prefix(try f.store.outbox().count - before)
        #expect(new.map(\.recipient) == ["anna@example.test"])
        #expect(try f.store.ticket(311)?.requestors.map(\.address) == ["nuria@example.cat"])
        _ = try f.change(.reply(text: "Fet.", attachments: []), 311)
        #expect(!(try f.store.outbox()).contains { $0.recipient == "stranger@evil.example" })
    }

    @Test func bounceMarksTheDeliveryFailed() throws {
        let f = try Fixture()
        _ = try f.file(firstMail)
        let ack = try #require(try f.store.outbox().first { $0.template == "acknowledgement" })
        try f.store.markSent(ack.id)
        _ = try f.file(["From: MAILER-DAEMON@mx.example", "Subject: Undelivered",
                        "Content-Type: multipart/report; report-type=delivery-status; boundary=r", "", "--r", "", "sorry", "--r",
                        "Content-Type: message/delivery-status", "", "Reporting-MTA: dns; mx.example", "",
                        "Final-Recipient: rfc822; nuria@example.cat", "Action: failed", "Status: 5.1.1", "", "--r",
                        "Content-Type: text/rfc822-headers", "", "Message-ID: <\(ack.messageID)>", "--r--", ""])
        let after = try #require(try f.store.outbox().first { $0.id == ack.id })
        #expect(after.state == .failed)
        #expect(after.lastError?.contains("5.1.1") == true)
        #expect(try f.store.history(311).contains { $0.kind == "notification-failed" && $0.newValue == "nuria@example.cat" })
        #expect(try f.store.ticket(311)?.status == .new)  // a bounce never reopens or answers
    }

    @Test func changesRecordHistoryAndNotify() throws {
        let f = try Fixture()
        _ = try f.file(firstMail)
        let moved = try f.change(.queue("treasury"), 311, comment: "és una quota")
        #expect(moved.ticket.queue == "treasury" && moved.notifications == 2)
        // Now treasury's: its staff work it, the support staff who moved it no longer can.
        #expect(throws: DeskError.notStaffOfQueue("anna", "treasury")) { try f.change(.queue("support"), 311) }
        #expect(try f.change(.queue("treasury"), 311, actor: "marta").changed == false)
        #expect(throws: DeskError.unknownQueue("nowhere")) { try f.change(.queue("nowhere"), 311, actor: "marta") }
        #expect(throws: DeskError.unknownTicket(9)) { try f.change(.status(.open), 9) }
        _ = try f.change(.status(.resolved), 311, actor: "marta")
        #expect(throws: DeskError.transitionNotAllowed(from: .resolved, to: .stalled)) { try f.change(.status(.stalled), 311, actor: "marta") }
        #expect(throws: DeskError.unknownStaff("ghost")) { try f.change(.owner("ghost"), 311, actor: "marta") }
        #expect(throws: DeskError.notStaffOfQueue("anna", "treasury")) { try f.change(.owner("anna"), 311, actor: "marta") }
        _ = try f.change(.owner("marta"), 311, actor: "marta")
        _ = try f.change(.title("Quota duplicada\r\nBcc: x"), 311, actor: "marta")
        #expect(try f.store.ticket(311)?.title == "Quota duplicada  Bcc: x")
        #expect(throws: DeskError.invalidPriority(11)) { try f.change(.priority(11), 311, actor: "marta") }
        _ = try f.change(.addCc(Address(address: "Jordi@Example.cat")), 311, actor: "marta")
        #expect(throws: DeskError.lastRequestor("nuria@example.cat")) { try f.change(.removeRequestor("nuria@example.cat"), 311, actor: "marta") }
        _ = try f.change(.removeCc("jordi@example.cat"), 311, actor: "marta")
        let history = try f.store.history(311)
        #expect(history.map(\.kind) == ["create", "queue", "status", "owner", "title", "cc-added", "cc-removed"])
        #expect(history[1].note == "és una quota" && history[1].oldValue == "support" && history[1].newValue == "treasury")
    }

    @Test func cliReplyOpensANewTicketAndCarriesAttachments() throws {
        let f = try Fixture()
        _ = try f.file(firstMail)
        let outcome = try f.change(.reply(text: "Reinicieu-lo.", attachments: [OutgoingAttachment(filename: "guia.pdf", contentType: "application/pdf", data: [1, 2, 3])]), 311)
        #expect(outcome.ticket.status == .open)
        let sent = try #require(try f.store.outbox().first { $0.template == "correspondence" })
        #expect(sent.recipient == "nuria@example.cat")
        let message = Message(bytes: try f.store.outboxMessage(sent.id))
        #expect(message.text?.contains("Reinicieu-lo.") == true)
        #expect(message.attachments.map(\.filename) == ["guia.pdf"])
        #expect(try f.store.attachments(311).map(\.filename).contains("guia.pdf"))
    }

    @Test func commentsNeverReachRequestors() throws {
        // marta works treasury, and as an admin every queue.
        var policy = storePolicy()
        policy.admins = ["marta"]
        let f = try Fixture(policy: policy)
        _ = try f.file(firstMail)
        let before = try f.store.outbox().count
        _ = try f.change(.comment(text: "Intern", attachments: []), 311, actor: "marta")
        let new = try f.store.outbox().prefix(try f.store.outbox().count - before)
        #expect(new.map(\.recipient) == ["anna@example.test"])
    }

    @Test func attachmentsAreReadBackFromTheirMessageNotStoredTwice() throws {
        let f = try Fixture()
        _ = try f.file(firstMail)
        var second = firstMail
        second[3] = "Message-ID: <m9@example.cat>"
        _ = try f.file(second)
        let counts = try f.store.counts()
        #expect(counts["attachments"] == 2)
        // The two raw messages only: each attachment is read back from its message.
        #expect(counts["blobs"] == 2)
        for record in try f.store.attachments(311) {
            let (_, bytes) = try f.store.attachment(record.id, ofTicket: 311)
            #expect(bytes.count == record.size && ContentHash.sha256Hex(bytes) == record.sha256)
        }
    }

    /// Attachments inside an enclosed base64 message, uuencoded in text, inline images, a digest:
    /// each comes back from the raw message exactly as the parser first read it.
    @Test(arguments: ["rfc/forwarded-message", "legacy/uuencode-inline", "legacy/uuencode-part", "rfc/related-inline-image",
                      "rfc/digest", "rfc/attachment-rfc2231-name", "rfc/calendar-invite"])
    func everyKindOfAttachmentComesBackWhole(_ fixture: String) throws {
        let f = try Fixture()
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("fixtures/mail/\(fixture).eml")
        let raw = Array(try Data(contentsOf: url))
        let expected = Message(bytes: raw).attachments.map(\.data)
        let outcome = try f.desk.file(Desk.Mail(raw: raw))
        let number = try #require(outcome.ticket)
        let records = try f.store.attachments(number)
        #expect(records.count == expected.count && !expected.isEmpty)
        #expect(try records.map { try f.store.attachment($0.id, ofTicket: number).1 } == expected)
    }

    @Test func anAttachmentNoLongerInItsMessageIsAClearError() throws {
        let f = try Fixture()
        _ = try f.file(firstMail)
        let record = try #require(try f.store.attachments(311).first)
        try f.store.transaction { try $0.execute(sql: "UPDATE attachments SET sha256 = 'feed' WHERE id = ?", arguments: [record.id]) }
        #expect(throws: StoreError.unreadableAttachment(record.id)) { try f.store.attachment(record.id, ofTicket: 311) }
    }

    @Test func ackFloodIsCappedAndRecorded() throws {
        let f = try Fixture()
        for i in 0..<14 {
            _ = try f.file(["From: flood@b.example", "Subject: \(i)", "Message-ID: <f\(i)@b.example>", "", "x"])
        }
        let acks = try f.store.outbox().filter { $0.template == "acknowledgement" }
        #expect(acks.count == 10)
        #expect(try f.store.history(311 + 13).contains { $0.kind == "notification-suppressed" })
    }

    @Test func outboxRetryAndFailure() throws {
        let f = try Fixture()
        _ = try f.file(firstMail)
        let due = try f.store.dueNotifications()
        #expect(due.count == 2)
        let (entry, bytes) = due[0]
        #expect(Message(bytes: bytes).messageID == entry.messageID)
        try f.store.markFailed(entry.id, error: "421 try later", retryAt: Date().addingTimeInterval(60))
        #expect(try f.store.dueNotifications().count == 1)
        try f.store.markFailed(entry.id, error: "550 no such user", retryAt: nil)
        #expect(try f.store.outbox(state: .failed).map(\.id) == [entry.id])
        try f.store.retry(entry.id)
        #expect(try f.store.dueNotifications().contains { $0.0.id == entry.id })
        #expect(throws: StoreError.noSuchNotification(999)) { try f.store.retry(999) }
    }

    @Test func listFilters() throws {
        let f = try Fixture()
        _ = try f.file(firstMail)
        _ = try f.file(["From: x@y.example", "To: treasury@example.test", "Subject: 100% quota_", "Message-ID: <q@y>", "", "quota"])
        _ = try f.change(.queue("treasury"), 312)
        var filter = TicketFilter()
        filter.queue = "treasury"
        #expect(try f.store.list(filter).map(\.number) == [312])
        filter = TicketFilter()
        filter.search = "100%"
        #expect(try f.store.list(filter).map(\.number) == [312])
        filter.search = "funciona"
        #expect(try f.store.list(filter).map(\.number) == [311])
        filter = TicketFilter()
        filter.requestor = "NURIA@example.cat"
        filter.statuses = [.new]
        #expect(try f.store.list(filter).map(\.number) == [311])
        filter = TicketFilter()
        filter.unowned = true
        #expect(try f.store.list(filter).count == 2)
    }

    @Test func ourOwnMailIsDroppedButKept() throws {
        let f = try Fixture()
        let outcome = try f.file(["From: support@example.test", "Subject: loop", "", "x"])
        #expect(outcome.ticket == nil)
        #expect(try f.store.droppedMessages().first?.kind == "dropped")
        #expect(try f.store.rawMessage(try #require(outcome.message)) == Array(["From: support@example.test", "Subject: loop", "", "x"].joined(separator: "\r\n").utf8))
    }

    @Test func concurrentWritersFromTwoConnectionsNeverFail() async throws {
        let f = try Fixture()
        _ = try f.file(firstMail)
        let policy = f.policy
        let (first, second) = (try f.reopen(), try f.reopen())
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                let other = Desk(policy: policy, templates: try Fixture.plainTemplates(), store: first)
                for i in 0..<60 {
                    _ = try other.file(Desk.Mail(raw: Array("From: c\(i)@x.example\r\nSubject: \(i)\r\nMessage-ID: <c\(i)@x>\r\n\r\nx".utf8)))
                }
            }
            group.addTask {
                let other = Desk(policy: policy, templates: try Fixture.plainTemplates(), store: second)
                for i in 0..<60 {
                    _ = try other.change(.priority(i % 10), ticket: 311, actor: "anna")
                    _ = try other.change(.comment(text: "n\(i)", attachments: []), ticket: 311, actor: "anna")
                }
            }
            try await group.waitForAll()
        }
        #expect(try f.store.counts()["tickets"] == 61)
        #expect(try f.store.history(311).filter { $0.kind == "comment" }.count == 60)
    }
}

@Suite struct OpeningTests {
    /// The daemon starting while the MTA pipe delivers: several processes create the same new
    /// database at once, and every one of them opens it.
    @Test func storesOpenedAtOnceOnANewDatabaseAllSucceed() throws {
        for round in 0..<10 {
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("suport-open-\(UUID().uuidString)-\(round).sqlite").path
            let errors = ErrorBox()
            DispatchQueue.concurrentPerform(iterations: 4) { _ in
                do { _ = try SQLStore(path: path) } catch { errors.add("\(error)") }
            }
            #expect(errors.items.isEmpty, "\(errors.items)")
            #expect(try SQLStore(path: path).migrate().isEmpty)
        }
    }
}

final class ErrorBox: @unchecked Sendable {
    private let lock = NSLock()
    private var list: [String] = []
    func add(_ s: String) { lock.lock(); list.append(s); lock.unlock() }
    var items: [String] { lock.lock(); defer { lock.unlock() }; return list }
}

@Suite struct BatchFilingTests {
    func raw(_ lines: [String]) -> [UInt8] { Array(lines.joined(separator: "\r\n").utf8) }

    @Test func aBatchFilesInOrderAndALaterMessageSeesAnEarlierTicket() throws {
        let f = try Fixture()
        let first = raw(["From: nuria@example.cat", "Subject: El node no respon", "Message-ID: <b1@example.cat>", "", "x"])
        let reply = raw(["From: nuria@example.cat", "Subject: Re: [suport#311] El node no respon", "Message-ID: <b2@example.cat>", "", "y"])
        let key = { (uid: UInt32) in MailboxKey(mailbox: "support", uidValidity: 7, uid: uid) }
        let outcomes = try f.desk.file(batch: [Desk.Mail(raw: first, mailbox: key(1)), Desk.Mail(raw: reply, mailbox: key(2)),
                                                Desk.Mail(raw: first, mailbox: key(3))]).map { try $0.get() }
        #expect(outcomes.map(\.ticket) == [311, 311, 311])
        #expect(outcomes[2].action == .duplicate)  // the same message under another UID, within the batch
        #expect(try f.store.history(311).map(\.kind).filter { $0 != "notification-suppressed" } == ["create", "correspondence"])
        #expect(try f.store.intake(of: key(3)) == .filed)
        // Filed again one by one afterwards: nothing changes.
        #expect(try f.desk.file(Desk.Mail(raw: reply, mailbox: key(2))).action == .duplicate)
    }

    @Test func aBatchWithAMessageTheDatabaseRefusesFilesTheRestOneByOne() throws {
        let f = try Fixture()
        try f.store.transaction { db in
            switch db.dialect {
            case .sqlite:
                try db.execute(sql: "CREATE TRIGGER poison BEFORE INSERT ON messages WHEN NEW.subject = 'poison' BEGIN SELECT RAISE(ABORT, 'poisoned'); END")
            case .postgres:
                try db.execute(sql: """
                    CREATE FUNCTION poison() RETURNS trigger LANGUAGE plpgsql AS $$
                    BEGIN IF NEW.subject = 'poison' THEN RAISE EXCEPTION 'poisoned'; END IF; RETURN NEW; END $$
                    """)
                try db.execute(sql: "CREATE TRIGGER poison BEFORE INSERT ON messages FOR EACH ROW EXECUTE FUNCTION poison()")
            }
        }
        let healthy = raw(["From: a@example.cat", "Subject: healthy", "Message-ID: <h@example.cat>", "", "x"])
        let poison = raw(["From: b@example.cat", "Subject: poison", "Message-ID: <p@example.cat>", "", "y"])
        let results = try f.desk.file(batch: [Desk.Mail(raw: healthy), Desk.Mail(raw: poison)])
        // The batch's one transaction failed whole; one by one, the healthy message still files.
        #expect(try results[0].get().ticket == 311)
        #expect(throws: (any Error).self) { try results[1].get() }
        #expect(try f.store.counts()["tickets"] == 1)
        #expect(try f.store.counts()["intake_keys"] == 1)
        // The poisoned one is still counted as begun, to be set aside if it never files.
        #expect(try f.store.read { try Int.fetchOne($0, sql: "SELECT attempts FROM intake_attempts") } == 1)
    }
}

@Suite struct BlobTests {
    @Test func aLargeMessageAndItsAttachmentComeBackWholeFromTheirParts() throws {
        let f = try Fixture()
        var rng = SystemRandomNumberGenerator()
        let data = (0..<2_600_000).map { _ in UInt8.random(in: 0...255, using: &rng) }  // three parts
        let lines = ["From: helen@university.example", "Subject: Frames", "Message-ID: <frames@university.example>",
                     "Content-Type: multipart/mixed; boundary=b", "", "--b", "", "Attached.", "--b",
                     "Content-Type: application/octet-stream", "Content-Disposition: attachment; filename=frames.fits",
                     "Content-Transfer-Encoding: base64", "", Base64.encodeForTest(data), "--b--", ""]
        let outcome = try f.file(lines)
        let number = try #require(outcome.ticket)
        #expect(try f.store.rawMessage(try #require(outcome.message)) == Array(lines.joined(separator: "\r\n").utf8))
        let stored = try #require(try f.store.attachments(number).first)
        let (_, bytes) = try f.store.attachment(stored.id, ofTicket: number)
        #expect(bytes == data)
        // The raw message of 3.5 MB in four parts; the attachment is read back from it.
        #expect(try f.store.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM blob_parts") } == 4)
    }
}

@Suite struct SizeLimitTests {
    @Test func anOversizedMessageIsFiledFromItsBeginningAndKeptWhole() throws {
        var policy = storePolicy()
        policy.maxMessageBytes = 4096
        let f = try Fixture(policy: policy)
        let attachment = Base64.encodeForTest([UInt8](repeating: 0x41, count: 20_000))
        let lines = ["From: Núria <nuria@example.cat>", "Subject: Foto gran", "Message-ID: <big@example.cat>",
                     "Content-Type: multipart/mixed; boundary=b", "", "--b", "", "Us envio la foto.", "--b",
                     "Content-Type: image/png", "Content-Disposition: attachment; filename=foto.png", "Content-Transfer-Encoding: base64", "",
                     attachment, "--b--", ""]
        let outcome = try f.file(lines)
        let number = try #require(outcome.ticket)
        #expect(try f.store.ticket(number)?.title == "Foto gran")
        #expect(try f.store.attachments(number).isEmpty)
        #expect(try f.store.messageText(try #require(outcome.message))?.contains("Us envio la foto.") == true)
        #expect(try f.store.rawMessage(try #require(outcome.message)) == Array(lines.joined(separator: "\r\n").utf8))
        #expect(try f.store.history(number).contains { $0.note?.contains("over the limit") == true })
        #expect(try f.store.outbox().contains { $0.template == "too-large" && $0.recipient == "nuria@example.cat" })
    }

    @Test func attachmentsOverTheLimitStayInTheRawMessage() throws {
        var policy = storePolicy()
        policy.maxAttachments = 3
        let f = try Fixture(policy: policy)
        var lines = ["From: nuria@example.cat", "Subject: Moltes fotos", "Message-ID: <many@example.cat>",
                     "Content-Type: multipart/mixed; boundary=b", "", "--b", "", "Les fotos de la instal·lació."]
        for i in 0..<8 {
            lines += ["--b", "Content-Type: image/png", "Content-Disposition: attachment; filename=f\(i).png",
                      "Content-Transfer-Encoding: base64", "", Base64.encodeForTest(Array("foto \(i)".utf8))]
        }
        lines += ["--b--", ""]
        let outcome = try f.file(lines)
        let number = try #require(outcome.ticket)
        #expect(try f.store.attachments(number).map(\.filename) == ["f0.png", "f1.png", "f2.png"])
        #expect(try f.store.history(number).contains { $0.note?.contains("8 attachments: the first 3 are stored, the other 5") == true })
        #expect(try f.store.rawMessage(try #require(outcome.message)) == Array(lines.joined(separator: "\r\n").utf8))
        #expect(try f.store.messageText(try #require(outcome.message))?.contains("instal·lació") == true)
    }

    @Test func nestingDeeperThanTheLimitIsNotOpened() throws {
        var policy = storePolicy()
        policy.maxNestingDepth = 3
        let f = try Fixture(policy: policy)
        // Five multiparts, one in another; the attachment sits in the innermost.
        var lines = ["From: nuria@example.cat", "Subject: Reenviat", "Message-ID: <deep@example.cat>"]
        for level in 0..<5 { lines += ["Content-Type: multipart/mixed; boundary=b\(level)", "", "--b\(level)"] }
        lines += ["Content-Type: application/pdf", "Content-Disposition: attachment; filename=deep.pdf", "", "%PDF-1.4"]
        for level in (0..<5).reversed() { lines += ["--b\(level)--"] }
        lines += [""]
        let outcome = try f.file(lines)
        let number = try #require(outcome.ticket)
        let id = try #require(outcome.message)
        #expect(try f.store.attachments(number).isEmpty)
        #expect(try f.store.messageText(id)?.contains("deep.pdf") == true)  // read as text, not lost
        let deep = try f.store.read { try String.fetchOne($0, sql: "SELECT defects FROM messages WHERE id = ?", arguments: [id]) }
        #expect(deep?.contains("nesting-too-deep") == true)

        // The same message under the default limit keeps its attachment.
        let g = try Fixture()
        let again = try g.file(lines)
        #expect(try g.store.attachments(try #require(again.ticket)).map(\.filename) == ["deep.pdf"])
    }
}

enum Base64 {
    /// Standard base64 in 76-character lines, for building test messages.
    static func encodeForTest(_ bytes: [UInt8]) -> String {
        let s = Array(Data(bytes).base64EncodedString().utf8)
        return stride(from: 0, to: s.count, by: 76).map { String(decoding: s[$0..<min(s.count, $0 + 76)], as: UTF8.self) }
            .joined(separator: "\r\n")
    }
}
