import Foundation
import MIME
import Testing
@testable import SuportService
@testable import Tickets
@testable import TicketStore

/// The canned answers the repository ships, read as the configuration reads them.
func shippedCanned(queues: [Queue]) throws -> CannedAnswers {
    try CannedSettings.load(folder: Installation.repo.appendingPathComponent("config/canned").path, queues: queues) {
        ConfigError(file: "test", key: $0, line: nil, problem: $1)
    }
}

/// The e-mail policy with the shipped canned answers (and `adjust`).
func cannedPolicy(_ adjust: (inout DeskPolicy) -> Void = { _ in }) throws -> DeskPolicy {
    var p = emailPolicy(adjust)
    p.routing = [RoutingRule(queue: "treasury", recipient: "treasury@example.test")]
    p.canned = try shippedCanned(queues: p.queues)
    return p
}

/// A first message to treasury, from Jordi, ticket 312 after `firstMail`'s 311.
let treasuryMail = ["From: Jordi Mas <jordi@example.cat>", "To: treasury@example.test", "Subject: Rebut de la quota",
                    "Message-ID: <t1@example.cat>", "", "Em podeu enviar el rebut de la quota?", ""]

@Suite struct CannedAnswerTests {
    @Test func aCannedAnswerRendersInTheQueuesLanguageAndItsCommandApplies() throws {
        let f = try Fixture(policy: try cannedPolicy(), templates: try shippedTemplates())
        _ = try f.file(firstMail)
        #expect(f.desk.cannedNames(ticket: try #require(try f.store.ticket(311))) == ["need-details"])
        let before = try f.store.outbox().count
        let text = try f.desk.cannedText("need-details", ticket: 311, actor: "anna")
        #expect(text.hasPrefix("Waiting: requester\n") && text.contains("Hola Núria,") && text.contains("«El router»")
                && text.contains("[suport#311]"), "\(text)")
        let outcome = try f.desk.reply(ticket: 311, text: text, via: "canned answer need-details", actor: "anna")
        let t = try #require(try f.store.ticket(311))
        #expect(outcome.changed && t.waitingFor == .requester && t.status == .open)
        #expect(try f.store.history(311).last { $0.kind == "waiting" }?.note == "canned answer need-details: Waiting: requester")
        // The requestor reads the Catalan words and never the command.
        #expect(try f.newNotices(after: before).contains("correspondence→nuria@example.cat"))
        let sent = try #require(try f.noticeText("correspondence", to: "nuria@example.cat"))
        #expect(sent.contains("Per poder-vos ajudar amb «El router»") && !sent.contains("Waiting"), "\(sent)")

        // Treasury's own answer, in Spanish (its language), resolves the ticket; support has no such answer.
        let filed = try f.file(treasuryMail)
        let queue = try f.store.ticket(312)?.queue
        #expect(filed.ticket == 312 && queue == "treasury", "\(filed)")
        let receipt = try f.desk.cannedText("receipt-sent", ticket: 312, actor: "marta")
        #expect(receipt.contains("Hola Jordi Mas:") && receipt.contains("Le enviamos adjunto el recibo") && receipt.contains("Marta Puig"))
        _ = try f.desk.reply(ticket: 312, text: receipt, attachments: [OutgoingAttachment(filename: "rebut.pdf", contentType: "application/pdf",
                                                                                          data: Array("%PDF-1.4".utf8))],
                             via: "canned answer receipt-sent", actor: "marta")
        #expect(try f.store.ticket(312)?.status == .resolved)
        #expect(throws: DeskError.unknownCanned("receipt-sent", queue: "support", language: "ca", known: ["need-details"])) {
            _ = try f.desk.cannedText("receipt-sent", ticket: 311, actor: "anna")
        }
        #expect(throws: DeskError.notStaffOfQueue("anna", "treasury")) { _ = try f.desk.cannedText("receipt-sent", ticket: 312, actor: "anna") }
    }

    @Test func aCommandThatCannotApplyRefusesTheWholeAnswer() throws {
        var policy = emailPolicy()
        policy.canned = try CannedAnswers(sources: [CannedAnswers.Key(queue: nil, language: .ca, name: "away"): "Queue: nowhere\n\nUs passem de cua."])
        let f = try Fixture(policy: policy)
        _ = try f.file(firstMail)
        let before = try f.store.outbox().count, history = try f.store.history(311).count
        #expect(throws: DeskError.commandFailed("Queue: nowhere", "no queue named \"nowhere\"")) {
            _ = try f.desk.reply(ticket: 311, text: try f.desk.cannedText("away", ticket: 311, actor: "anna"), via: "canned answer away", actor: "anna")
        }
        let (outboxAfter, historyAfter) = (try f.store.outbox().count, try f.store.history(311).count)
        #expect(outboxAfter == before && historyAfter == history)
        // Commands alone, without words for the requestors, change the ticket and send nothing to them.
        _ = try f.desk.reply(ticket: 311, text: "Priority: 8\n", via: "canned answer x", actor: "anna")
        let toNuria = try f.newNotices(after: before).filter { $0.hasSuffix("nuria@example.cat") }
        #expect(try f.store.ticket(311)?.priority == 8 && toNuria.isEmpty)
    }

    @Test func aStaffReplyOfOnlyCannedNameSendsTheAnswerByEmail() throws {
        let f = try Fixture(policy: try cannedPolicy(), templates: try shippedTemplates())
        _ = try f.file(firstMail)
        let before = try f.store.outbox().count
        // Top-posted above the quote, with a signature: the staff member's own words are the one line.
        _ = try f.staffMail("Canned: need-details\n\nOn Tue, Núria wrote:\n> No funciona.\n-- \nAnna Soler\nXarxa")
        let t = try #require(try f.store.ticket(311))
        #expect(t.waitingFor == .requester)
        #expect(try f.store.history(311).contains { $0.kind == "correspondence-staff" && $0.note == "canned answer need-details" })
        let sent = try #require(try f.noticeText("correspondence", to: "nuria@example.cat"))
        #expect(sent.contains("Per poder-vos ajudar amb «El router»") && !sent.contains("Canned") && !sent.contains("Waiting"), "\(sent)")

        // An unknown name is a failed command told to the sender alone; the requestor gets nothing.
        let again = try f.store.outbox().count
        _ = try f.staffMail("Resposta: no-such-answer")
        let notices = try f.newNotices(after: again)
        #expect(notices == ["command-errors→anna@example.test"], "\(notices)")
        let errors = try #require(try f.noticeText("command-errors", to: "anna@example.test"))
        #expect(errors.contains("Canned: no-such-answer") && errors.contains("need-details"), "\(errors)")
        let toNuria = try f.newNotices(after: before).filter { $0.hasSuffix("nuria@example.cat") }
        #expect(toNuria.filter { $0.hasPrefix("correspondence") } == ["correspondence→nuria@example.cat"], "\(toNuria)")
    }

    @Test func onlyTheOwnLineNamesAnAnswer() {
        #expect(CannedAnswers.requested(in: "Canned: Welcome\n") == "welcome")
        #expect(CannedAnswers.requested(in: "Plantilla: benvinguda\n-- \nAnna") == "benvinguda")
        #expect(CannedAnswers.requested(in: "Canned: welcome\nand some words of my own") == nil)
        #expect(CannedAnswers.requested(in: "Hello,\nCanned: welcome") == nil)
        #expect(CannedAnswers.requested(in: "Canned:") == nil)
    }

    @Test func theCannedFolderIsCheckedWhenTheConfigurationIsRead() throws {
        let i = try Installation()
        let folder = i.folder.appendingPathComponent("canned/tresoreria/ca")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try "x".write(to: folder.appendingPathComponent("a.mustache"), atomically: true, encoding: .utf8)
        let text = try String(contentsOfFile: i.config, encoding: .utf8)
        try text.replacingOccurrences(of: "canned = \"\(Installation.repo.path)/config/canned\"", with: "canned = \"canned\"")
            .write(toFile: i.config, atomically: true, encoding: .utf8)
        let run = try i.run(["check-config"], actor: nil)
        #expect(run.status == 78 && run.stderr.contains("suport.canned") && run.stderr.contains("names neither a language"), "\(run.stderr)")
        try FileManager.default.moveItem(at: i.folder.appendingPathComponent("canned/tresoreria"), to: i.folder.appendingPathComponent("canned/treasury"))
        try "x".write(to: folder.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("treasury/ca/Bad Name.mustache"),
                      atomically: true, encoding: .utf8)
        let named = try i.run(["check-config"], actor: nil)
        #expect(named.status == 78 && named.stderr.contains("lowercase letters"), "\(named.stderr)")
    }

    @Test func theCommandLineSendsListsAndEditsCannedAnswers() throws {
        let i = try Installation()
        _ = try i.ingest("rfc/catalan-latin1-qp.eml")
        let list = try i.run(["canned", "list"], actor: nil)
        #expect(list.stdout.contains("support (ca, the queue's language): need-details")
                && list.stdout.contains("treasury (es, the queue's language): need-details, receipt-sent"), "\(list.stdout)")
        let show = try i.run(["canned", "show", "1", "need-details"])
        #expect(show.status == 0 && show.stdout.hasPrefix("Waiting: requester\n") && show.stdout.contains("[suport#1]"))
        // --edit: the staff member's editor changes the words before they go.
        let editor = i.folder.appendingPathComponent("editor.sh")
        try "#!/bin/sh\nsed -i 's/Hola /Bon dia, /' \"$1\"\n".write(to: editor, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: editor.path)
        setenv("EDITOR", editor.path, 1)
        unsetenv("VISUAL")
        defer { unsetenv("EDITOR") }
        let sent = try i.run(["reply", "1", "--canned", "need-details", "--edit"])
        #expect(sent.status == 0 && sent.stdout.contains("canned answer need-details sent"), "\(sent.stderr)")
        let shown = try i.run(["show", "1", "--json"])
        #expect(shown.stdout.contains("\"waitingFor\": \"requester\""), "\(shown.stdout)")
        let history = try i.run(["show", "1", "--history"])
        #expect(history.stdout.contains("Bon dia, "), "\(history.stdout)")
        let refused = try i.run(["reply", "1", "--canned", "need-details", "-m", "also this"])
        #expect(refused.status != 0 && refused.stderr.contains("--canned gives the text"))
        let unknown = try i.run(["reply", "1", "--canned", "nope"])
        #expect(unknown.status == 1 && unknown.stderr.contains("no canned answer \"nope\" for the support queue in ca: need-details"))
    }
}

@Suite struct TaskTests {
    func fixture(approval: Bool = false) throws -> Fixture {
        try Fixture(policy: emailPolicy { p in
            p.queues[0].taskApproval = approval
            p.admins = ["marta"]
        }, templates: try shippedTemplates())
    }

    @Test func aTaskIsAChildTicketForItsOwnerThatBlocksItsParent() throws {
        let f = try fixture()
        _ = try f.file(firstMail)
        let before = try f.store.outbox().count
        let due = try #require(TimeRules.moment("2026-12-24 13:00", in: f.policy.displayZone))
        let task = try f.desk.addTask(parent: 311, owner: "pere", due: due, text: "Canviar el router del terrat\nEl model nou és a la taquilla.",
                                      actor: "anna")
        #expect(task.number == 312 && task.isTask && task.owner == "pere" && task.due == due && task.requestors.isEmpty)
        #expect(task.title == "Canviar el router del terrat" && task.queue == "support" && task.status == .open)
        #expect(try f.store.links(311).contains(TicketLink(kind: .parentOf, ticket: 312)))
        #expect(try f.desk.tasks(of: 311).map(\.number) == [312])
        #expect(try f.store.history(311).last?.kind == "task-added")
        // Only its owner hears of it, with its words; nothing reaches the parent's requestor.
        #expect(try f.newNotices(after: before) == ["owner→pere@example.test"])
        let told = try #require(try f.noticeText("owner", to: "pere@example.test"))
        #expect(told.contains("És una tasca") && told.contains("El model nou és a la taquilla."), "\(told)")

        #expect(throws: DeskError.openTasks(311, [312])) { _ = try f.change(.status(.resolved), 311) }
        // By email too, the parent stays open: the line fails and Anna is told why.
        _ = try f.staffMail("Status: resolved\n\nJa està.")
        #expect(try f.store.ticket(311)?.status == .open)
        #expect(try f.store.history(311).last { $0.kind == "command-failed" }?.note?.contains("tasks not finished: #312") == true)
        _ = try f.change(.status(.resolved), 312, actor: "pere")
        _ = try f.change(.status(.resolved), 311)
        #expect(try f.store.ticket(311)?.status == .resolved)
        #expect(try f.store.outbox().allSatisfy { $0.recipient != "nuria@example.cat" || $0.ticket == 311 })

        #expect(throws: DeskError.unknownStaff("ghost")) {
            _ = try f.desk.addTask(parent: 311, owner: "ghost", due: nil, text: "x", actor: "anna")
        }
        #expect(throws: DeskError.emptyText) { _ = try f.desk.addTask(parent: 311, owner: "pere", due: nil, text: " ", actor: "anna") }
    }

    @Test func aTaskAnswersToItsOwnDueDateNotToTheRequestersSLA() throws {
        let f = try Fixture(policy: dataModelPolicy())
        _ = try f.file(firstMail)
        #expect(try f.store.ticket(311)?.sla.resolutionDue != nil, "the parent is measured")
        let task = try f.desk.addTask(parent: 311, owner: "pere", due: nil, text: "Revisar l'antena", actor: "anna")
        let stored = try #require(try f.store.ticket(task.number))
        #expect(stored.sla.resolutionDue == nil && stored.effectiveDue == nil)
    }

    @Test func forcedResolutionGoesPastAnOpenTask() throws {
        let f = try fixture()
        _ = try f.file(firstMail)
        _ = try f.desk.addTask(parent: 311, owner: "pere", due: nil, text: "Revisar l'antena", actor: "anna")
        _ = try f.desk.change(.status(.resolved), ticket: 311, actor: "anna", force: true)
        #expect(try f.store.ticket(311)?.status == .resolved)
    }

    @Test func approvalOfATaskGoesBothWays() throws {
        let f = try fixture(approval: true)
        _ = try f.file(firstMail)
        _ = try f.desk.addTask(parent: 311, owner: "pere", due: nil, text: "Revisar l'antena", actor: "anna")
        var before = try f.store.outbox().count
        _ = try f.change(.status(.resolved), 312, actor: "pere")
        var task = try #require(try f.store.ticket(312))
        #expect(task.status == .resolved && task.approval == .pending)
        #expect(try f.newNotices(after: before).contains("task-approval→marta@example.test"))
        let asked = try #require(try f.noticeText("task-approval", to: "marta@example.test"))
        #expect(asked.contains("Pere Vila ha tancat la tasca [suport#312]") && asked.contains("suport task approve 312"), "\(asked)")
        // Closed but not approved: the parent still waits; nobody but an admin approves; approval does not lapse.
        #expect(throws: DeskError.openTasks(311, [312])) { _ = try f.change(.status(.resolved), 311) }
        #expect(throws: DeskError.notAnAdmin("anna")) { _ = try f.change(.review(approved: true, note: nil), 312) }
        #expect(ApprovalRules.deadline(of: task, policy: f.policy) == nil)

        // Sent back: open again, its owner told why.
        before = try f.store.outbox().count
        _ = try f.change(.review(approved: false, note: "Falta la foto de l'antena."), 312, actor: "marta")
        task = try #require(try f.store.ticket(312))
        #expect(task.status == .open && task.approval == nil)
        #expect(try f.newNotices(after: before) == ["task-reviewed→pere@example.test"])
        let back = try #require(try f.noticeText("task-reviewed", to: "pere@example.test"))
        #expect(back.contains("torna a estar oberta") && back.contains("Falta la foto"), "\(back)")
        #expect(throws: DeskError.noApprovalPending(312)) { _ = try f.change(.review(approved: true, note: nil), 312, actor: "marta") }

        // Closed again and approved, by the admin's mail: the parent may be resolved.
        _ = try f.change(.status(.resolved), 312, actor: "pere")
        before = try f.store.outbox().count
        _ = try f.file([dmarcPass, "From: marta@example.test", "To: support@example.test", "Subject: Re: [suport#312] Revisar l'antena",
                        "Message-ID: <approve@example.test>", "", "Aprova", "", "> Pere Vila ha tancat la tasca"])
        task = try #require(try f.store.ticket(312))
        #expect(task.status == .resolved && task.approval == .approved)
        #expect(try f.newNotices(after: before) == ["task-reviewed→pere@example.test"])
        let history = try f.store.history(312).filter { $0.kind == "approval" }.map { "\($0.oldValue ?? "")→\($0.newValue ?? "")" }
        #expect(history == ["pending→sent-back", "pending→approved"])
        _ = try f.change(.status(.resolved), 311)
        #expect(try f.store.ticket(311)?.status == .resolved)
        // A ticket that is no task has nothing to approve.
        #expect(throws: DeskError.notATask(311)) { _ = try f.change(.review(approved: true, note: nil), 311, actor: "marta") }
    }

    @Test func theCommandLineAddsListsAndReviewsTasks() throws {
        let i = try Installation {
            $0.replacingOccurrences(of: "task_approval = false", with: "task_approval = true")
                .replacingOccurrences(of: "admins = []", with: "admins = [\"marta\"]")
        }
        _ = try i.ingest("rfc/catalan-latin1-qp.eml")
        let add = try i.run(["task", "add", "1", "--to", "pere", "--due", "2026-12-24", "-m", "Canviar el router"])
        #expect(add.status == 0 && add.stdout.contains("[suport#2]: task of [suport#1] for pere, due 2026-12-24 23:59 Europe/Madrid: Canviar el router"),
                "\(add.stdout)\(add.stderr)")
        let show = try i.run(["show", "1"])
        #expect(show.stdout.contains("Task:       #2 open, pere, due 2026-12-24 23:59 Europe/Madrid: Canviar el router"), "\(show.stdout)")
        let resolve = try i.run(["resolve", "1"])
        #expect(resolve.status == 1 && resolve.stderr.contains("tasks not finished: #2"), "\(resolve.stderr)")
        _ = try i.run(["resolve", "2"], actor: "pere")
        let list = try i.run(["task", "list", "1"])
        #expect(list.stdout.contains("#2 resolved, waiting for approval, pere"), "\(list.stdout)")
        let notAdmin = try i.run(["task", "approve", "2"], actor: "anna")
        #expect(notAdmin.status == 1 && notAdmin.stderr.contains("anna is not one of the admins"))
        let back = try i.run(["task", "send-back", "2", "-m", "Falta provar-lo"], actor: "marta")
        #expect(back.status == 0 && back.stdout.contains("open"), "\(back.stdout)\(back.stderr)")
        _ = try i.run(["resolve", "2"], actor: "pere")
        let approve = try i.run(["task", "approve", "2"], actor: "marta")
        #expect(approve.status == 0)
        let json = try i.run(["show", "1", "--json"])
        #expect(json.stdout.contains("\"approval\": \"approved\""), "\(json.stdout)")
        #expect(try i.run(["resolve", "1"]).status == 0)
        let noApproval = try Installation { $0.replacingOccurrences(of: "task_approval = false", with: "task_approval = true") }
        let refused = try noApproval.run(["check-config"], actor: nil)
        #expect(refused.status == 78 && refused.stderr.contains("task_approval: needs an admin"), "\(refused.stderr)")
    }
}
