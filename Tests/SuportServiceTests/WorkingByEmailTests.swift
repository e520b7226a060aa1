import Foundation
import MIME
import Testing
@testable import SuportService
@testable import Tickets
@testable import TicketStore

/// A desk where Anna and Pere work support, Marta treasury, and the MTA's
/// Authentication-Results prove staff mail.
func emailPolicy(_ adjust: (inout DeskPolicy) -> Void = { _ in }) -> DeskPolicy {
    let anna = Staff(id: "anna", name: "Anna Soler", address: "anna@example.test")
    let pere = Staff(id: "pere", name: "Pere Vila", address: "pere@example.test")
    let marta = Staff(id: "marta", name: "Marta Puig", address: "marta@example.test")
    var p = DeskPolicy(instanceID: "xarxa-1", messageIDDomain: "example.test",
                       queues: [Queue(name: "support", addresses: ["support@example.test"], commentAddress: "support-comment@example.test",
                                      staff: [anna, pere], language: .ca),
                                Queue(name: "treasury", addresses: ["treasury@example.test"], staff: [marta], language: .es)],
                       defaultQueue: "support",
                       lifecycle: Lifecycle(transitions: [.new: [.open, .resolved, .stalled, .rejected], .open: [.stalled, .resolved, .rejected],
                                                          .stalled: [.open, .resolved], .resolved: [.open], .rejected: [.open]]),
                       verification: SenderVerification(trustedAuthservIDs: ["mx.example.test"]))
    adjust(&p)
    return p
}

/// The templates the repository ships.
func shippedTemplates() throws -> NotificationTemplates {
    try Desk.loadTemplates(URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("config/templates").path)
}

extension Fixture {
    /// Mail from a staff member, proven by the MTA's header, about ticket 311.
    func staffMail(_ body: String, from who: String = "anna", to: String = "support@example.test", id: String = UUID().uuidString,
                   proven: Bool = true, at: Date = Date()) throws -> FilingOutcome {
        try file((proven ? [dmarcPass] : []) + ["From: \(who)@example.test", "To: \(to)", "Subject: Re: [suport#311] El router",
                                                "Message-ID: <\(id)@example.test>", "", body], at: at)
    }

    /// Mail from someone on the ticket (or not) about ticket 311.
    func personMail(_ from: String, _ body: String, extra: [String] = [], at: Date = Date()) throws -> FilingOutcome {
        try file(["From: \(from)", "To: support@example.test"] + extra + ["Subject: Re: [suport#311] El router",
                                                                           "Message-ID: <\(UUID().uuidString)@example.cat>", "", body], at: at)
    }

    /// The notifications queued since `count` rows: "template→recipient", sorted.
    func newNotices(after count: Int) throws -> [String] {
        try store.outbox(state: nil, ticket: nil, limit: 10_000).reversed().dropFirst(count).map { "\($0.template)→\($0.recipient)" }.sorted()
    }

    func noticeText(_ template: String, to recipient: String) throws -> String? {
        guard let row = try store.outbox().first(where: { $0.template == template && $0.recipient == recipient }) else { return nil }
        return Message(bytes: try store.outboxMessage(row.id)).text
    }
}

@Suite struct StaffCommandTests {
    @Test func aVerifiedStaffReplyAppliesItsCommandsAndSendsTheRestWithoutThem() throws {
        let f = try Fixture(policy: emailPolicy())
        _ = try f.file(firstMail)
        let before = try f.store.outbox().count
        _ = try f.staffMail("Estat: resolta\nResponsable: jo\nPrioritat: 7\nCc: +jordi@example.cat\nWatch\n\nHem reiniciat el router.\nAnna")
        let t = try #require(try f.store.ticket(311))
        #expect(t.status == .resolved && t.owner == "anna" && t.priority == 7)
        #expect(t.ccs.map(\.address) == ["jordi@example.cat"] && t.watchers.map(\.address) == ["anna@example.test"])
        let kinds = try f.store.history(311).map(\.kind)
        // The reply opens the new ticket, then each command in its order.
        #expect(Array(kinds.suffix(7)) == ["correspondence-staff", "status", "status", "owner", "priority", "cc-added", "watcher-added"])
        #expect(try f.store.history(311).last { $0.kind == "status" }?.note == "by email: Estat: resolta")
        // The requestor and the new Cc read the text and never the commands.
        let notices = try f.newNotices(after: before)
        #expect(notices.contains("correspondence→nuria@example.cat") && notices.contains("correspondence→jordi@example.cat"))
        let text = try #require(try f.noticeText("correspondence", to: "nuria@example.cat"))
        #expect(text.contains("Hem reiniciat el router.") && !text.contains("Estat") && !text.contains("Watch"))
        for row in try f.store.outbox() where row.recipient != "anna@example.test" {
            let words = Message(bytes: try f.store.outboxMessage(row.id)).text ?? ""
            #expect(!words.contains("Responsable: jo") && !words.contains("by email"), "\(row.template)→\(row.recipient)")
        }
    }

    @Test func eachCommandMovesTheTicket() throws {
        let f = try Fixture(policy: emailPolicy())
        _ = try f.file(firstMail)
        _ = try f.staffMail("Title: Router nou\nRequestor: +eva@example.cat\nQueue: treasury\nOwner: marta\n\nUs passo a tresoreria.")
        var t = try #require(try f.store.ticket(311))
        #expect(t.queue == "treasury" && t.title == "Router nou" && t.owner == nil)
        #expect(t.requestors.map(\.address) == ["nuria@example.cat", "eva@example.cat"])
        // After the move, Anna is not staff of the ticket's queue: her next line is refused, as from the CLI.
        #expect(try f.store.history(311).last { $0.kind == "command-failed" }?.note == "anna is not staff of the treasury queue")
        _ = try f.staffMail("Owner: me", from: "marta", to: "treasury@example.test")
        #expect(try f.store.ticket(311)?.owner == "marta")
        _ = try f.staffMail("Requestor: -eva@example.cat\nOwner: nobody\nUnwatch\nPriority: 2\n\nGracias.", from: "marta", to: "treasury@example.test")
        t = try #require(try f.store.ticket(311))
        #expect(t.requestors.map(\.address) == ["nuria@example.cat"] && t.owner == nil && t.priority == 2)
    }

    @Test func failedCommandsChangeNothingAndOnlyTheSenderHearsWhy() throws {
        let f = try Fixture(policy: emailPolicy(), templates: try shippedTemplates())
        _ = try f.file(firstMail)
        let before = try f.store.outbox().count
        _ = try f.staffMail("Queue: nowhere\nOwner: ghost\nStatus: new\nStatus: stalled\nCc: +support@example.test\n\nEn mirem el cas.")
        let t = try #require(try f.store.ticket(311))
        // new → open by the reply itself; "Status: stalled" works; the rest changes nothing.
        #expect(t.queue == "support" && t.owner == nil && t.status == .stalled && t.ccs.isEmpty)
        let failed = try f.store.history(311).filter { $0.kind == "command-failed" }
        #expect(failed.map { $0.newValue ?? "" } == ["Queue: nowhere", "Owner: ghost", "Status: new", "Cc: +support@example.test"])
        let notices = try f.newNotices(after: before)
        #expect(notices.filter { $0.hasPrefix("command-errors") } == ["command-errors→anna@example.test"])
        let errors = try #require(try f.noticeText("command-errors", to: "anna@example.test"))
        #expect(errors.contains("Queue: nowhere") && errors.contains("no queue named") && errors.contains("mail loop")
                && errors.contains("open → new"), "\(errors)")
        #expect(!errors.contains("Status: stalled"))
        for row in try f.store.outbox() where row.recipient == "nuria@example.cat" {
            let words = Message(bytes: try f.store.outboxMessage(row.id)).text ?? ""
            #expect(!words.contains("nowhere") && !words.contains("ghost"))
        }
    }

    @Test func aForgedStaffFromChangesNothingAndReachesNoRequestor() throws {
        let f = try Fixture(policy: emailPolicy())
        _ = try f.file(firstMail)
        let before = try f.store.outbox().count
        _ = try f.staffMail("Status: resolved\nOwner: me\n\nTot arreglat.", proven: false)
        let t = try #require(try f.store.ticket(311))
        #expect(t.status == .new && t.owner == nil)
        #expect(try f.newNotices(after: before).allSatisfy { !$0.contains("nuria@example.cat") })
        let entry = try #require(try f.store.history(311).last)
        #expect(entry.note?.contains("nothing proves anna sent it") == true)
        #expect(entry.note?.contains("its 2 command lines were not applied") == true)
    }

    @Test func commandsAloneSendNoReply() throws {
        let f = try Fixture(policy: emailPolicy())
        _ = try f.file(firstMail)
        let before = try f.store.outbox().count
        _ = try f.staffMail("Owner: pere\n")
        #expect(try f.store.ticket(311)?.owner == "pere")
        #expect(try f.newNotices(after: before) == ["owner→pere@example.test"])
        #expect(try f.store.history(311).map(\.kind).suffix(2) == ["commands", "owner"])
    }

    @Test func commandsWorkInAComment() throws {
        let f = try Fixture(policy: emailPolicy())
        _ = try f.file(firstMail)
        _ = try f.staffMail("Prioritat: 9\n\nÉs urgent, és la seu.", to: "support-comment@example.test")
        #expect(try f.store.ticket(311)?.priority == 9)
        #expect(try f.store.outbox().allSatisfy { $0.recipient != "nuria@example.cat" || $0.template == "acknowledgement" })
    }
}

@Suite struct ConversationTests {
    /// Núria opened 311 with Jordi in Cc; Anna owns it.
    func opened(templates: NotificationTemplates? = nil, _ adjust: (inout DeskPolicy) -> Void = { _ in }) throws -> Fixture {
        let f = try Fixture(policy: emailPolicy(adjust), templates: templates)
        _ = try f.file(firstMail)
        _ = try f.change(.addCc(Address(address: "jordi@example.cat")), 311)
        _ = try f.change(.owner("anna"), 311)
        return f
    }

    @Test func aRequestorsReplyReachesTheOtherRequestorTheCcAndTheOwnerButNotItsSender() throws {
        let f = try opened()
        _ = try f.change(.addRequestor(Address(address: "eva@example.cat")), 311)
        let before = try f.store.outbox().count
        _ = try f.personMail("Núria <nuria@example.cat>", "Ara tampoc funciona el wifi.")
        #expect(try f.newNotices(after: before)
                == ["correspondence-staff→anna@example.test", "correspondence→eva@example.cat", "correspondence→jordi@example.cat"])
        let text = try #require(try f.noticeText("correspondence", to: "jordi@example.cat"))
        #expect(text.contains("Ara tampoc funciona el wifi.") && text.contains("Núria"))
    }

    @Test func aCcsReplyReachesTheRequestor() throws {
        let f = try opened()
        let before = try f.store.outbox().count
        _ = try f.personMail("jordi@example.cat", "A mi també em passa.")
        #expect(try f.newNotices(after: before) == ["correspondence-staff→anna@example.test", "correspondence→nuria@example.cat"])
    }

    @Test func whoHadItFromTheWriterIsNotSentItAgain() throws {
        let f = try opened()
        let before = try f.store.outbox().count
        _ = try f.personMail("nuria@example.cat", "Hola a tots.", extra: ["Cc: jordi@example.cat"])
        #expect(try f.newNotices(after: before) == ["correspondence-staff→anna@example.test"])
    }

    @Test func theConversationCanBeSwitchedOff() throws {
        let f = try opened { $0.notify.conversation = false }
        let before = try f.store.outbox().count
        _ = try f.personMail("nuria@example.cat", "Res nou.")
        #expect(try f.newNotices(after: before) == ["correspondence-staff→anna@example.test"])
    }

    @Test func aNewCcOnAFollowUpIsAddedButNeverOurOwnOrStaff() throws {
        let f = try opened()
        _ = try f.personMail("nuria@example.cat", "Afegeixo l'Eva.",
                             extra: ["Cc: Eva <eva@example.cat>, treasury@example.test, pere@example.test, jordi@example.cat"])
        #expect(try f.store.ticket(311)?.ccs.map(\.address) == ["jordi@example.cat", "eva@example.cat"])
        #expect(try f.store.history(311).last { $0.kind == "cc-added" }?.newValue == "eva@example.cat")
    }

    @Test func anOutsiderAppendedIsNotRelayedToRequestors() throws {
        let f = try opened { $0.hijackPolicy = .append }
        let before = try f.store.outbox().count
        _ = try f.personMail("x@evil.example", "Pagueu aquí: http://evil.example")
        #expect(try f.newNotices(after: before) == ["correspondence-staff→anna@example.test"])
    }

    @Test func aWatcherHearsCorrespondenceAndComments() throws {
        let f = try opened()
        _ = try f.change(.watch("pere"), 311, actor: "pere")
        #expect(try f.store.ticket(311)?.watchers.map(\.address) == ["pere@example.test"])
        var before = try f.store.outbox().count
        _ = try f.personMail("nuria@example.cat", "Encara res.")
        #expect(try f.newNotices(after: before).contains("correspondence-staff→pere@example.test"))
        before = try f.store.outbox().count
        _ = try f.change(.reply(text: "Hi anem.", attachments: []), 311, actor: "anna")
        #expect(try f.newNotices(after: before).contains("correspondence→pere@example.test"))
        before = try f.store.outbox().count
        _ = try f.change(.comment(text: "Cal un tècnic.", attachments: []), 311, actor: "anna")
        #expect(try f.newNotices(after: before) == ["comment→pere@example.test"])
        _ = try f.change(.unwatch("pere"), 311, actor: "pere")
        before = try f.store.outbox().count
        _ = try f.personMail("nuria@example.cat", "Gràcies per venir, però encara falla.")
        #expect(!(try f.newNotices(after: before).contains("correspondence-staff→pere@example.test")))
    }

    @Test func filesGoOnWithinTheLimitAndAreNamedAbove() throws {
        let pdf = "Content-Type: application/pdf\r\nContent-Disposition: attachment; filename=\"factura.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\n"
            + Data(repeating: 65, count: 3000).base64EncodedString()
        let body = ["Content-Type: multipart/mixed; boundary=b", "", "--b", "", "Adjunto la factura.", "--b", pdf, "--b--"]
        for (limit, sent) in [(1_000_000, true), (1000, false)] {
            let f = try opened(templates: try shippedTemplates()) { $0.forwardAttachmentBytes = limit }
            _ = try f.file(["From: nuria@example.cat", "To: support@example.test", "Subject: Re: [suport#311] El router",
                            "Message-ID: <f\(limit)@example.cat>"] + body)
            for recipient in ["anna@example.test", "jordi@example.cat"] {
                let template = recipient == "anna@example.test" ? "correspondence-staff" : "correspondence"
                let row = try #require(try f.store.outbox().first { $0.template == template && $0.recipient == recipient })
                let m = Message(bytes: try f.store.outboxMessage(row.id))
                #expect(m.attachments.map(\.filename) == (sent ? ["factura.pdf"] : []), "\(limit) \(recipient)")
                #expect((m.text ?? "").contains("factura.pdf (3 KB)") == !sent, "\(m.text ?? "")")
            }
        }
    }
}

@Suite struct ResolutionTests {
    /// Ticket 311, resolved by Anna.
    func resolved(_ adjust: (inout DeskPolicy) -> Void = { _ in }) throws -> Fixture {
        let f = try Fixture(policy: emailPolicy(adjust))
        _ = try f.file(firstMail)
        _ = try f.change(.status(.resolved), 311, actor: "anna")
        return f
    }

    @Test func aThanksLeavesItResolvedAndTellsStaff() throws {
        let f = try resolved()
        let before = try f.store.outbox().count
        let outcome = try f.personMail("nuria@example.cat", "Moltes gràcies, ja funciona!\n\nNúria")
        #expect(!outcome.reopened)
        #expect(try f.store.ticket(311)?.status == .resolved)
        #expect(try f.newNotices(after: before) == ["correspondence-staff→anna@example.test", "correspondence-staff→pere@example.test"])
        #expect(try f.store.history(311).last?.note?.contains("only thanks") == true)
    }

    @Test func aReplyThatIsMoreThanThanksReopens() throws {
        let f = try resolved()
        #expect(try f.personMail("nuria@example.cat", "Gràcies, però torna a fallar.").reopened)
        #expect(try f.store.ticket(311)?.status == .open)
    }

    @Test(arguments: [(ReopenPolicy.always, Status.open), (.never, .resolved)])
    func reopenOnReplyDecides(_ rule: ReopenPolicy, _ status: Status) throws {
        let f = try resolved { $0.reopenOnReply = rule }
        _ = try f.personMail("nuria@example.cat", rule == .always ? "Gràcies!" : "Torna a fallar.")
        #expect(try f.store.ticket(311)?.status == status)
    }

    /// Support asks for approval, and waits three days for it.
    func approving() throws -> Fixture {
        try resolved { p in
            p.queues[0] = Queue(name: "support", addresses: ["support@example.test"], commentAddress: "support-comment@example.test",
                                staff: p.queues[0].staff, language: .ca, approval: true, approvalDays: 3)
        }
    }

    @Test func resolvingAsksTheRequestorToApprove() throws {
        let f = try approving()
        #expect(try f.store.ticket(311)?.approval == .pending)
        #expect(try f.store.outbox().contains { $0.template == "approval-request" && $0.recipient == "nuria@example.cat" })
        #expect(!(try f.store.outbox().contains { $0.template == "status" && $0.recipient == "nuria@example.cat" }))
    }

    @Test func anApprovalClosesItAsApproved() throws {
        let f = try approving()
        _ = try f.personMail("nuria@example.cat", "D'acord.")
        let t = try #require(try f.store.ticket(311))
        #expect(t.status == .resolved && t.approval == .approved)
        #expect(try f.store.history(311).last { $0.kind == "approval" }?.newValue == "approved")
    }

    @Test func aReplyThatDoesNotConfirmReopens() throws {
        let f = try approving()
        #expect(try f.personMail("nuria@example.cat", "No, encara no va.").reopened)
        let t = try #require(try f.store.ticket(311))
        #expect(t.status == .open && t.approval == nil)
    }

    @Test func noAnswerClosesItWithoutApprovalOnceAcrossARestart() throws {
        let f = try approving()
        let resolvedAt = try #require(try f.store.ticket(311)?.resolved)
        #expect(try f.desk.runDueWork(now: resolvedAt.addingTimeInterval(2 * 86_400)) == 0)
        #expect(try f.desk.runDueWork(now: resolvedAt.addingTimeInterval(3 * 86_400 + 1)) == 1)
        // A daemon started again on the same database finds nothing more to do.
        let again = Desk(policy: f.policy, templates: try Fixture.plainTemplates(),
                         store: try f.reopen())
        #expect(try again.runDueWork(now: resolvedAt.addingTimeInterval(4 * 86_400)) == 0)
        let t = try #require(try f.store.ticket(311))
        #expect(t.status == .resolved && t.approval == .expired)
        #expect(try f.store.history(311).filter { $0.kind == "approval" }.map(\.note) == ["no answer within 3 days: closed as resolved, without approval"])
    }
}

@Suite struct MailThatIsNotWhatItSeemsTests {
    static func fixture(_ name: String) throws -> [UInt8] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("fixtures/bounces/\(name)")
        return Array(try Data(contentsOf: url))
    }

    @Test func aQmailBounceIsFiledOnItsTicketAndMarksTheDeliveryFailed() throws {
        let f = try Fixture(policy: emailPolicy())
        _ = try f.file(["From: gone@customer.example", "To: support@example.test", "Subject: El router", "Message-ID: <g1@customer.example>",
                        "", "No funciona."])
        let ack = try #require(try f.store.outbox().first { $0.template == "acknowledgement" })
        // The bounce returns our acknowledgement's headers.
        let raw = String(decoding: try Self.fixture("qmail.eml"), as: UTF8.self)
            .replacingOccurrences(of: "suport-57-ack@example.test", with: ack.messageID)
            .replacingOccurrences(of: "[suport#57]", with: "[suport#311]")
        let outcome = try f.desk.file(Desk.Mail(raw: Array(raw.utf8)))
        guard case .filed(.bounce(311, _)) = outcome.action else { Issue.record("\(outcome.action)"); return }
        #expect(outcome.notifications == 0)
        #expect(try f.store.outbox().first { $0.id == ack.id }?.state == .failed)
        #expect(try f.store.list(TicketFilter()).count == 1)
    }

    @Test func oneMessageInTwoMailboxesIsOneTicket() throws {
        let f = try Fixture(policy: emailPolicy())
        func copy(_ to: String) -> [String] {
            ["Return-Path: <nuria@example.cat>", "Delivered-To: \(to)",
             "Received: from mx.example.test by mail.example.test with LMTP id \(to.prefix(3)); Tue, 1 Dec 2026 10:00:01 +0000",
             "From: nuria@example.cat", "To: support@example.test", "Cc: treasury@example.test", "Subject: Quota i router",
             "Message-ID: <both@example.cat>", "", "Hola."]
        }
        let first = try f.file(copy("support@example.test"), mailbox: MailboxKey(mailbox: "support", uidValidity: 1, uid: 1))
        let second = try f.file(copy("treasury@example.test"), mailbox: MailboxKey(mailbox: "treasury", uidValidity: 1, uid: 1))
        #expect(first.ticket == 311 && second.action == .duplicate && second.ticket == 311)
        #expect(try f.store.list(TicketFilter()).count == 1)
        #expect(try f.store.history(311).last?.kind == "also-delivered" && f.store.history(311).last?.newValue == "treasury")
        // A message that differs in more than its trace fields is another message.
        var other = copy("treasury@example.test")
        other[other.count - 1] = "Hola de nou."
        _ = try f.file(other, mailbox: MailboxKey(mailbox: "treasury", uidValidity: 1, uid: 2))
        #expect(try f.store.list(TicketFilter()).count == 2)
    }

    static let outOfOffice = ["From: eva@example.cat", "To: support@example.test", "Auto-Submitted: auto-replied",
                              "Subject: Fora de l'oficina", "Message-ID: <ooo@example.cat>", "", "Torno dilluns."]

    @Test func autoMailThatJoinsNoTicketIsFiledSilently() throws {
        let f = try Fixture(policy: emailPolicy())
        let outcome = try f.file(Self.outOfOffice)
        #expect(outcome.ticket == 311 && outcome.notifications == 0)
        #expect(try f.store.outbox().isEmpty)
        #expect(try f.store.list(TicketFilter()).isEmpty)
        var auto = TicketFilter()
        auto.auto = true
        #expect(try f.store.list(auto).map(\.number) == [311])
        #expect(try f.store.ticket(311)?.autoFiled == true)
    }

    @Test func autoMailThatJoinsNoTicketCanBeDropped() throws {
        let f = try Fixture(policy: emailPolicy { $0.unmatchedAutoMail = .drop })
        let outcome = try f.file(Self.outOfOffice)
        guard case .filed(.drop(let reason)) = outcome.action else { Issue.record("\(outcome.action)"); return }
        #expect(reason.contains("auto_mail = drop"))
        #expect(try f.store.droppedMessages().count == 1)
        var auto = TicketFilter()
        auto.auto = true
        #expect(try f.store.list(auto).isEmpty)
    }

    @Test func ourOwnAddressesCannotBeAdded() throws {
        let f = try Fixture(policy: emailPolicy())
        _ = try f.file(firstMail)
        for change in [TicketChange.addCc(Address(address: "Support@example.test")), .addRequestor(Address(address: "support-comment@example.test"))] {
            #expect(throws: DeskError.self) { try f.change(change, 311) }
        }
        #expect(try f.store.ticket(311)?.ccs.isEmpty == true)
    }
}
