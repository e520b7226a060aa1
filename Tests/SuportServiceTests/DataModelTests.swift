import Foundation
import MIME
import Testing
@testable import SuportService
@testable import Tickets
@testable import TicketStore

/// A moment in Madrid time: "2026-12-04 17:00".
func madrid(_ text: String) -> Date { TimeRules.moment(text, in: TimeZone(identifier: "Europe/Madrid")!)! }

/// Weekdays 09–14 and 15–18 in Madrid, with two December holidays.
let office = BusinessCalendar(name: "office", timeZone: TimeZone(identifier: "Europe/Madrid")!, weekdays: [2, 3, 4, 5, 6],
                              windows: [BusinessCalendar.Window(start: 540, end: 840), BusinessCalendar.Window(start: 900, end: 1080)],
                              holidays: ["2026-12-08", "2026-12-25"])

/// The policy of the data-model tests: types and fields on support, two levels, an SLA on an
/// office calendar in Madrid, auto-close after 10 days.
func dataModelPolicy() -> DeskPolicy {
    emailPolicy { p in
        p.queues[0].types = ["incident", "request", "problem"]
        p.queues[0].fields = [CustomField(name: "node", kind: .text), CustomField(name: "antennas", kind: .number),
                              CustomField(name: "visit", kind: .date), CustomField(name: "link", kind: .choice(["fibre", "wifi"]))]
        p.queues[0].autoCloseDays = 10
        p.levels = [SupportLevel(name: "L1", staff: ["anna", "pere"]), SupportLevel(name: "L2", staff: ["marta"])]
        p.slaPolicies = [SLAPolicy(name: "std", queue: "support", firstResponseMinutes: 120, resolutionMinutes: 16 * 60, calendar: office)]
        p.defaultCalendar = office
        p.assetKinds = ["node", "telescope"]
    }
}

@Suite struct TicketFieldTests {
    @Test func fieldsAreValidatedRecordedAndFiltered() throws {
        let f = try Fixture(policy: dataModelPolicy())
        _ = try f.file(firstMail)
        _ = try f.change(.type("Incident"), 311)
        _ = try f.change(.field("node", "  terrat-sants "), 311)
        _ = try f.change(.field("antennas", "3,0"), 311)
        _ = try f.change(.field("link", "WIFI"), 311)
        _ = try f.change(.externalRef("PROV-8812"), 311)
        _ = try f.change(.waitingFor(.supplier), 311)
        let t = try #require(try f.store.ticket(311))
        #expect(t.type == "incident" && t.externalRef == "PROV-8812" && t.waitingFor == .supplier)
        #expect(t.fields == ["node": "terrat-sants", "antennas": "3", "link": "wifi"])
        #expect(throws: DeskError.unknownType("visit", queue: "support", types: ["incident", "request", "problem"])) { try f.change(.type("visit"), 311) }
        #expect(throws: DeskError.invalidField("antennas", "\"molts\" is not a number")) { try f.change(.field("antennas", "molts"), 311) }
        #expect(throws: DeskError.invalidField("visit", "\"2026-13-01\" is not a day (write YYYY-MM-DD)")) { try f.change(.field("visit", "2026-13-01"), 311) }
        #expect(throws: DeskError.invalidField("link", "\"ftth\" is not one of fibre, wifi")) { try f.change(.field("link", "ftth"), 311) }
        #expect(throws: DeskError.unknownField("colour", queue: "support")) { try f.change(.field("colour", "red"), 311) }
        #expect(try f.change(.field("node", "terrat-sants"), 311).changed == false)
        let kinds = try f.store.history(311).map(\.kind)
        #expect(["type", "field", "reference", "waiting"].allSatisfy(kinds.contains))

        _ = try f.file(["From: eva@example.cat", "To: support@example.test", "Subject: Una altra", "Message-ID: <e2@example.cat>", "", "Hola."])
        var filter = TicketFilter()
        filter.fields = [("node", "TERRAT-SANTS")]
        #expect(try f.store.list(filter).map(\.number) == [311])
        filter = TicketFilter()
        filter.type = "incident"
        #expect(try f.store.list(filter).map(\.number) == [311])
        filter = TicketFilter()
        filter.waitingFor = .supplier
        #expect(try f.store.list(filter).map(\.number) == [311])
        filter = TicketFilter()
        filter.externalRef = "prov-8812"
        #expect(try f.store.list(filter).map(\.number) == [311])
        filter = TicketFilter()
        filter.sort = [SortTerm(.type, descending: true)]
        #expect(try f.store.list(filter).map(\.number) == [311, 312])
        // Custom fields sort too, numbers as numbers; tickets without the field come last.
        _ = try f.file(["From: pau@example.cat", "To: support@example.test", "Subject: Tercera", "Message-ID: <p9@example.cat>", "", "Hola."])
        _ = try f.change(.field("antennas", "12"), 313)
        filter = TicketFilter()
        filter.sort = [.field("antennas", numeric: true)]
        #expect(try f.store.list(filter).map(\.number) == [311, 313, 312])
        filter.sort = [.field("antennas", numeric: false, descending: true)]
        #expect(try f.store.list(filter).map(\.number) == [311, 313, 312], "as text, \"3\" comes after \"12\"")
        #expect(SortKey.parse("due,-field.antennas", numericFields: ["antennas"])?.map { $0.sql(.sqlite) } == [
            "COALESCE(t.due_at, t.resolution_due, 1e18) ASC", "(json_extract(t.fields, '$.\"antennas\"') IS NULL), CAST(json_extract(t.fields, '$.\"antennas\"') AS REAL) DESC"])
        #expect(SortKey.parse("field.x'); DROP TABLE tickets; --") == nil)
    }

    @Test func everyOwnerIsToldAsTheOwnerIs() throws {
        let f = try Fixture(policy: dataModelPolicy())
        _ = try f.file(firstMail)
        _ = try f.change(.owner("anna"), 311, actor: "pere")
        _ = try f.change(.addOwner("pere"), 311, actor: "anna")
        #expect(try f.store.ticket(311)?.owners == ["anna", "pere"])
        #expect(throws: DeskError.notStaffOfQueue("marta", "support")) { try f.change(.addOwner("marta"), 311) }
        let before = try f.store.outbox().count
        _ = try f.file(["From: Núria <nuria@example.cat>", "To: support@example.test", "Subject: Re: [suport#311] El router",
                        "Message-ID: <m2@example.cat>", "", "Encara no va."])
        #expect(try f.newNotices(after: before) == ["correspondence-staff→anna@example.test", "correspondence-staff→pere@example.test"])
        var filter = TicketFilter()
        filter.owner = "pere"
        #expect(try f.store.list(filter).map(\.number) == [311], "a co-owner's list has it")
        // The lead leaves: the next owner leads.
        _ = try f.change(.removeOwner("anna"), 311, actor: "pere")
        #expect(try f.store.ticket(311).map { [$0.owner ?? "-"] + $0.coOwners } == ["pere"])
        #expect(throws: DeskError.notAnOwner("anna")) { try f.change(.removeOwner("anna"), 311) }
    }

    @Test func escalatingTellsTheNewLevel() throws {
        let f = try Fixture(policy: dataModelPolicy(), templates: try shippedTemplates())
        _ = try f.file(firstMail)
        let before = try f.store.outbox().count
        _ = try f.change(.escalate(nil), 311, comment: "Cal accés al terrat.")
        #expect(try f.store.ticket(311)?.level == "L2")
        #expect(try f.newNotices(after: before) == ["escalated→marta@example.test"])
        let text = try #require(try f.noticeText("escalated", to: "marta@example.test"))
        #expect(text.contains("ara necessita el nivell L2") && text.contains("Cal accés al terrat."), "\(text)")
        #expect(throws: DeskError.noHigherLevel("L2")) { try f.change(.escalate(nil), 311) }
        #expect(throws: DeskError.unknownLevel("L3", levels: ["L1", "L2"])) { try f.change(.escalate("L3"), 311) }
        _ = try f.change(.escalate("l1"), 311)
        var filter = TicketFilter()
        filter.level = "L1"
        filter.firstLevel = "L1"
        #expect(try f.store.list(filter).map(\.number) == [311])
    }

    @Test func emailedCommandsSetTheNewFields() throws {
        let f = try Fixture(policy: dataModelPolicy())
        _ = try f.file(firstMail)
        _ = try f.staffMail("Tipus: incident\nRef: PROV-1\nEsperant: proveïdor\nCamp: node = terrat\nTermini: 2026-12-24 13:00\nResponsable: +pere\nEscala\n")
        let t = try #require(try f.store.ticket(311))
        #expect(t.type == "incident" && t.externalRef == "PROV-1" && t.waitingFor == .supplier && t.fields["node"] == "terrat")
        #expect(t.due == madrid("2026-12-24 13:00") && t.owners == ["pere"] && t.level == "L2")
    }
}

@Suite struct SLADeskTests {
    @Test func remindersFireOnceAcrossARestart() throws {
        let f = try Fixture(policy: dataModelPolicy(), templates: try shippedTemplates())
        let filed = madrid("2026-12-02 09:00")
        _ = try f.file(firstMail, at: filed)
        _ = try f.change(.owner("anna"), 311, actor: "pere", at: filed.addingTimeInterval(60))
        let t = try #require(try f.store.ticket(311))
        #expect(t.sla.responseDue == madrid("2026-12-02 11:00") && t.sla.resolutionDue == madrid("2026-12-03 18:00"))
        var red = TicketFilter()
        red.sla = .red
        red.now = madrid("2026-12-02 11:30")
        #expect(try f.store.list(red).map(\.number) == [311])

        let before = try f.store.outbox().count
        #expect(try f.desk.runDueWork(now: madrid("2026-12-02 10:45")) == 1)
        #expect(try f.newNotices(after: before) == ["sla-warning→anna@example.test"])
        let text = try #require(try f.noticeText("sla-warning", to: "anna@example.test"))
        #expect(text.contains("El termini de la primera resposta a [suport#311]") && text.contains("2026-12-02 11:00 Europe/Madrid"), "\(text)")
        // Another daemon on the same database, a minute later: nothing more is due.
        let restarted = Desk(policy: f.policy, templates: try shippedTemplates(), store: try f.reopen())
        #expect(try restarted.runDueWork(now: madrid("2026-12-02 10:46")) == 0)
        // Red: the owner and the level above are told, once.
        #expect(try restarted.runDueWork(now: madrid("2026-12-02 11:05")) == 1)
        #expect(try restarted.runDueWork(now: madrid("2026-12-02 11:06")) == 0)
        #expect(try f.newNotices(after: before) == ["sla-breached→anna@example.test", "sla-breached→marta@example.test", "sla-warning→anna@example.test"])
        #expect(try f.store.history(311).filter { $0.kind.hasPrefix("sla-") }.map(\.kind) == ["sla-yellow", "sla-red"])
        // A staff answer ends the first-response deadline; the resolution's comes later, once.
        _ = try f.change(.reply(text: "Hi mirem.", attachments: []), 311, at: madrid("2026-12-02 11:10"))
        #expect(try f.store.ticket(311)?.sla.firstResponse == madrid("2026-12-02 11:10"))
        #expect(try restarted.runDueWork(now: madrid("2026-12-03 16:30")) == 1)
        #expect(try restarted.runDueWork(now: madrid("2026-12-03 16:31")) == 0)
        #expect(try f.store.history(311).filter { $0.kind.hasPrefix("sla-") }.map(\.newValue) == ["first answer", "first answer", "resolution"])
    }

    @Test func aTicketWaitingForItsRequesterClosesItself() throws {
        let f = try Fixture(policy: dataModelPolicy(), templates: try shippedTemplates())
        let start = madrid("2026-12-02 09:00")
        _ = try f.file(firstMail, at: start)
        _ = try f.change(.waitingFor(.requester), 311, at: start.addingTimeInterval(60))
        #expect(try f.desk.runDueWork(now: start.addingTimeInterval(9 * 86_400)) == 0)
        let before = try f.store.outbox().count
        #expect(try f.desk.runDueWork(now: start.addingTimeInterval(10 * 86_400 + 120)) == 1)
        let t = try #require(try f.store.ticket(311))
        #expect(t.status == .resolved && t.waitingFor == nil)
        #expect(try f.newNotices(after: before) == ["status→nuria@example.cat"])
        let text = try #require(try f.noticeText("status", to: "nuria@example.cat"))
        #expect(text.contains("fa 10 dies que esperàvem la vostra resposta"), "\(text)")
    }

    @Test func aReplyKeepsItOpen() throws {
        let f = try Fixture(policy: dataModelPolicy())
        let start = madrid("2026-12-02 09:00")
        _ = try f.file(firstMail, at: start)
        _ = try f.change(.waitingFor(.requester), 311, at: start)
        _ = try f.personMail("Núria <nuria@example.cat>", "Ja us ho dic demà.", at: start.addingTimeInterval(8 * 86_400))
        #expect(try f.desk.runDueWork(now: start.addingTimeInterval(11 * 86_400)) == 0)
        #expect(try f.store.ticket(311)?.status == .new)
    }
}

@Suite struct ClientTests {
    @Test func requestersBelongByDomainOrMembership() throws {
        let f = try Fixture(policy: dataModelPolicy())
        try f.store.saveOrganisation(Organisation(name: "Guifi Sants", domains: ["example.cat"]), now: Date())
        try f.store.saveOrganisation(Organisation(name: "Observatori", members: ["eva@example.cat"]), now: Date())
        _ = try f.file(firstMail)
        _ = try f.file(["From: eva@example.cat", "To: support@example.test", "Subject: Telescopi", "Message-ID: <e1@example.cat>", "", "Hola."])
        _ = try f.file(["From: pau@mail.example.cat", "To: support@example.test", "Subject: Node", "Message-ID: <p1@example.cat>", "", "Hola."])
        #expect(try [311, 312, 313].map { try f.store.ticket($0)?.organisation } == ["Guifi Sants", "Observatori", "Guifi Sants"])
        var filter = TicketFilter()
        filter.organisation = "guifi sants"
        #expect(try f.store.list(filter).map(\.number) == [313, 311])
        #expect(throws: StoreError.taken("the domain example.cat belongs to Guifi Sants already")) {
            try f.store.saveOrganisation(Organisation(name: "Altres", domains: ["example.cat"]), now: Date())
        }
        #expect(throws: DeskError.unknownOrganisation("Ningú")) { try f.change(.organisation("Ningú"), 311) }
        _ = try f.change(.organisation("observatori"), 311)
        #expect(try f.store.ticket(311)?.organisation == "Observatori")
    }

    @Test func ticketsNameAssetsAndTheTimeReportSumsByThem() throws {
        let f = try Fixture(policy: dataModelPolicy())
        try f.store.saveOrganisation(Organisation(name: "Observatori", domains: ["example.cat"]), now: Date())
        try f.store.saveAsset(Asset(name: "TJO-1", kind: "telescope", organisation: "Observatori", location: "cúpula nord"), now: Date())
        _ = try f.file(firstMail)
        _ = try f.file(["From: eva@example.cat", "To: support@example.test", "Subject: Telescopi", "Message-ID: <e1@example.cat>", "", "Hola."])
        _ = try f.change(.addAsset("tjo-1"), 311)
        #expect(try f.store.ticket(311)?.assets == ["TJO-1"])
        #expect(throws: DeskError.unknownAsset("TJO-9")) { try f.change(.addAsset("TJO-9"), 311) }
        _ = try f.change(.addTime(TimeEntry(minutes: 90, day: "2026-12-01")), 311)
        _ = try f.change(.addTime(TimeEntry(minutes: 30, day: "2026-12-01", billable: false)), 312)
        var filter = TicketFilter()
        filter.asset = "TJO-1"
        #expect(try f.store.list(filter).map(\.number) == [311])
        let report = try f.desk.timeReport(from: "2026-12-01", to: "2026-12-31", staff: nil, queue: nil)
        #expect(report.byAsset == [TimeReport.Total(key: "-", minutes: 30, billable: 0), TimeReport.Total(key: "TJO-1", minutes: 90, billable: 90)])
        #expect(report.byOrganisation == [TimeReport.Total(key: "Observatori", minutes: 120, billable: 90)])
        let onlyAsset = try f.desk.timeReport(from: "2026-12-01", to: "2026-12-31", staff: nil, queue: nil, asset: "tjo-1")
        #expect(onlyAsset.total == 90)
        _ = try f.change(.removeAsset("tjo-1"), 311)
        #expect(try f.store.ticket(311)?.assets == [])
    }
}

@Suite struct DashboardTests {
    @Test func theDeskAtAGlance() throws {
        let f = try Fixture(policy: dataModelPolicy())
        let start = madrid("2026-12-02 09:00")
        _ = try f.file(firstMail, at: start)
        _ = try f.file(["From: eva@example.cat", "To: support@example.test", "Subject: Una altra", "Message-ID: <e1@example.cat>", "", "Hola."],
                       at: start.addingTimeInterval(600))
        _ = try f.file(["From: eva@example.cat", "To: treasury@example.test", "Subject: Quota", "Message-ID: <e2@example.cat>", "", "Hola."],
                       at: start.addingTimeInterval(1200))
        _ = try f.change(.queue("treasury"), 313, at: start.addingTimeInterval(1250))
        _ = try f.change(.owner("anna"), 312, actor: "pere", at: start.addingTimeInterval(1300))
        _ = try f.change(.status(.open), 312, at: start.addingTimeInterval(1400))
        _ = try f.change(.waitingFor(.requester), 312, at: start.addingTimeInterval(1500))
        _ = try f.change(.addTime(TimeEntry(minutes: 45, day: TimeRules.day(start, in: office.timeZone))), 312, at: start.addingTimeInterval(1600))
        let d = try f.desk.dashboard(now: madrid("2026-12-02 11:30"))
        #expect(d.queues.map(\.name) == ["support", "treasury"])
        let s = d.queues[0]
        #expect(s.byStatus == ["new": 1, "open": 1] && s.unownedNew == 1, "\(d)")
        #expect(s.red == 1 && s.yellow == 0, "311's first answer was due at 11:00; 312 waits for its requester")
        #expect(s.waiting == ["requester": 1] && s.oldestWaiting?.number == 311 && s.minutesThisMonth == 45)
        #expect(d.queues[1].byStatus == ["new": 1] && d.queues[1].red == 0 && d.queues[1].oldestWaiting?.number == 313)
    }
}

@Suite struct RequesterLanguageTests {
    let english = ["From: Helen Marsh <h.marsh@university.example.ac.uk>", "To: support@example.test", "Subject: Telescope T3",
                   "Message-ID: <hm1@example.ac.uk>", "", "Hello, the remote access to the telescope fails since the update. Could you please have a look?"]

    @Test func aRequesterIsAnsweredInTheLanguageTheyWrite() throws {
        let f = try Fixture(policy: dataModelPolicy(), templates: try shippedTemplates())
        _ = try f.file(english)
        let ack = try #require(try f.noticeText("acknowledgement", to: "h.marsh@university.example.ac.uk"))
        #expect(ack.contains("Hello Helen Marsh,") && ack.contains("filed as [suport#311] in our Support queue"), "\(ack)")
        // Staff are told in the queue's language, as before.
        #expect(try f.noticeText("new-ticket", to: "anna@example.test")?.contains("Ha arribat la petició") == true)
        #expect(try f.store.language(of: "H.Marsh@university.example.ac.uk")?.language == .en)
        // A later message in another language does not change what was learned first.
        _ = try f.file(["From: h.marsh@university.example.ac.uk", "To: support@example.test", "Subject: Re: [suport#311] Telescope T3",
                        "Message-ID: <hm2@example.ac.uk>", "", "Bon dia, ja funciona i us ho agraeixo molt. Gràcies per tot!"])
        #expect(try f.store.language(of: "h.marsh@university.example.ac.uk")?.language == .en)
    }

    @Test func staffSetALanguageAndNoticesFollowIt() throws {
        let f = try Fixture(policy: dataModelPolicy(), templates: try shippedTemplates())
        _ = try f.file(firstMail)
        try f.store.setLanguage(.es, of: "nuria@example.cat", by: "anna", now: Date())
        _ = try f.change(.status(.resolved), 311)
        let text = try #require(try f.noticeText("status", to: "nuria@example.cat"))
        #expect(text.contains("Su solicitud [suport#311] ahora está: resuelta"), "\(text)")
        try f.store.setLanguage(nil, of: "nuria@example.cat", by: "anna", now: Date())
        #expect(try f.store.language(of: "nuria@example.cat") == nil)
    }
}

@Suite struct TemplateFieldTests {
    @Test func templatesReadTheTicketsData() throws {
        var sources: [Language: [TemplateName: String]] = [:]
        for l in Language.allCases {
            for n in TemplateName.allCases {
                sources[l, default: [:]][n] = "{{% CONTENT_TYPE: TEXT}}\n\(n.rawValue)\n\n"
                    + "type={{type}} due={{due}} sla={{sla}} level={{level}} org={{organisation}} node={{field_node}} owners={{owners}} "
                    + "assets={{assets}} ref={{reference}} waiting={{waiting_for}}\n"
            }
        }
        let f = try Fixture(policy: dataModelPolicy(), templates: try NotificationTemplates(sources: sources))
        try f.store.saveOrganisation(Organisation(name: "Guifi Sants", domains: ["example.cat"]), now: Date())
        try f.store.saveAsset(Asset(name: "node-terrat", kind: "node"), now: Date())
        let start = madrid("2026-12-02 09:00")
        _ = try f.file(firstMail, at: start)
        for change in [TicketChange.type("incident"), .field("node", "terrat"), .addAsset("node-terrat"), .externalRef("P-1"), .waitingFor(.support)] {
            _ = try f.change(change, 311, at: start.addingTimeInterval(60))
        }
        _ = try f.change(.owner("pere"), 311, at: start.addingTimeInterval(120))
        _ = try f.change(.addOwner("anna"), 311, actor: "pere", at: start.addingTimeInterval(120))
        _ = try f.change(.status(.open), 311, actor: "anna", at: start.addingTimeInterval(180))
        let text = try #require(try f.noticeText("status-owner", to: "pere@example.test"))
        #expect(text.contains("type=incident due=2026-12-03 18:00 Europe/Madrid sla=verd (a temps) level=L1 org=Guifi Sants node=terrat "
                              + "owners=Pere Vila, Anna Soler assets=node-terrat ref=P-1 waiting=l'equip de suport"), "\(text)")
    }
}
