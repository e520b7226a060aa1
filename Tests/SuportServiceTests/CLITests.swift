import Foundation
import MIME
import Testing
@testable import SuportService

/// A temporary installation: the example configuration pointing at a fresh database.
struct Installation {
    let folder: URL
    let config: String
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    init(edit: (String) -> String = { $0 }) throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("suport-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var text = try String(contentsOf: Self.repo.appendingPathComponent("config/suport.example.toml"), encoding: .utf8)
        text = text.replacingOccurrences(of: "templates = \"templates\"", with: "templates = \"\(Self.repo.path)/config/templates\"")
        text = text.replacingOccurrences(of: "canned = \"canned\"", with: "canned = \"\(Self.repo.path)/config/canned\"")
        config = folder.appendingPathComponent("suport.toml").path
        try edit(text).write(toFile: config, atomically: true, encoding: .utf8)
    }

    func run(_ args: [String], actor: String? = "anna", stdin: [UInt8]? = nil) throws -> CommandRun {
        var full = args + ["--config", config]
        if let actor { full += ["--actor", actor] }
        if args.first == "parse" || args.first == "bench" { full = args }
        return try CommandRun.suport(full, stdin: stdin)
    }

    func ingest(_ fixture: String) throws -> CommandRun {
        try CommandRun.suport(["ingest", "--config", config], stdin: Array(try Data(contentsOf: Self.repo.appendingPathComponent("fixtures/mail/\(fixture)"))))
    }
}

@Suite(.serialized) struct CLITests {
    @Test func checkConfigAcceptsTheExampleAndNamesABadKey() throws {
        let good = try Installation()
        let ok = try good.run(["check-config"], actor: nil)
        #expect(ok.status == 0 && ok.stdout.contains("2 queues"))
        let bad = try Installation { $0.replacingOccurrences(of: "language = \"es\"", with: "language = \"fr\"") }
        let run = try bad.run(["check-config"], actor: nil)
        #expect(run.status == 78)
        let line = try #require(try String(contentsOfFile: bad.config, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
            .firstIndex { $0.contains("language = \"fr\"") }) + 1
        #expect(run.stderr == "suport: \(bad.config):\(line): queues[1].language: must be one of ca, es, en, not \"fr\"\n")
    }

    /// `suport ingest` and the pipe's own small executable behave alike.
    @Test(arguments: [["suport", "ingest"], ["suport-ingest"]])
    func ingestFilesOnceAndSaysSo(_ command: [String]) throws {
        let i = try Installation()
        func pipe(_ arguments: [String], _ stdin: [UInt8]) throws -> CommandRun {
            try CommandRun.suport(Array(command.dropFirst()) + arguments, stdin: stdin, executable: command[0])
        }
        func mail(_ fixture: String) throws -> [UInt8] { Array(try Data(contentsOf: Installation.repo.appendingPathComponent("fixtures/mail/\(fixture)"))) }
        let first = try pipe(["--config", i.config], mail("rfc/catalan-latin1-qp.eml"))
        #expect(first.status == 0)
        #expect(first.stdout == "new ticket [suport#1] in support; 3 notifications queued\n")
        let again = try pipe(["--config", i.config], mail("rfc/catalan-latin1-qp.eml"))
        #expect(again.status == 0 && again.stdout.contains("already filed ([suport#1])"))
        let empty = try pipe(["--config", i.config], [])
        #expect(empty.status == 65)
        let broken = try pipe(["--config", "/nonexistent.toml"], Array("Subject: x\r\n\r\nx".utf8))
        #expect(broken.status == 75)
        #expect(broken.stderr.hasPrefix("suport: /nonexistent.toml"))
        let routed = try pipe(["--config", i.config, "--mailbox", "treasury@example.test", "--json"], mail("rfc/membership-fee-treasury.eml"))
        #expect(routed.status == 0)
        guard case .object(let fields) = try JSONValue.parse(Data(routed.stdout.utf8)) else { Issue.record("not an object: \(routed.stdout)"); return }
        let outcome = Dictionary(fields, uniquingKeysWith: { a, _ in a })
        #expect(outcome["ticket"] == .int(2))
        guard case .string(let summary) = outcome["summary"] else { Issue.record("no summary: \(routed.stdout)"); return }
        #expect(summary.hasPrefix("new ticket [suport#2] in treasury"))
        // A mistyped command line files nothing. The pipe's own executable keeps the mail with
        // the MTA (75) while the line is fixed; `suport ingest` is a command for people (64, EX_USAGE).
        let mistyped = try pipe(["--config", i.config, "--mailbx", "x"], mail("rfc/plain-ascii.eml"))
        #expect(mistyped.status == (command == ["suport-ingest"] ? 75 : 64))
        #expect(mistyped.stderr.contains("--mailbx"))
        guard case .array(let tickets) = try JSONValue.parse(Data(try i.run(["list", "--json"]).stdout.utf8)) else { Issue.record("list --json"); return }
        #expect(tickets.count == 2)
    }

    @Test func listShowAndJSON() throws {
        let i = try Installation()
        _ = try i.ingest("rfc/catalan-latin1-qp.eml")
        _ = try i.ingest("rfc/spanish-cp1252-8bit.eml")
        let list = try i.run(["list"])
        #expect(list.status == 0)
        #expect(list.stdout.contains("[suport#1]  support   new") && list.stdout.contains("[suport#2]  treasury  new"))
        let json = try JSONValue.parse(Data(try i.run(["list", "--queue", "treasury", "--json"]).stdout.utf8))
        guard case .array(let rows) = json, rows.count == 1, case .object(let row) = rows[0] else { Issue.record("\(json)"); return }
        #expect(row.first { $0.0 == "number" }?.1 == .int(2))
        #expect(try i.run(["list", "--status", "open"]).stdout == "No tickets.\n")
        let badQueue = try i.run(["list", "--queue", "nowhere"])
        #expect(badQueue.status == 1 && badQueue.stderr == "suport: no queue named \"nowhere\"\n")
        let show = try i.run(["show", "1", "--history"])
        #expect(show.stdout.hasPrefix("[suport#1] El node del terrat no respon des d'ahir\n"))
        #expect(show.stdout.contains("create") && show.stdout.contains("He reiniciat l'equip"))
        let missing = try i.run(["show", "99"])
        #expect(missing.status == 1 && missing.stderr == "suport: no ticket #99\n")
    }

    @Test func attachmentIsWrittenOnlyWhereAsked() throws {
        let i = try Installation()
        _ = try i.ingest("malformed/attachment-path-names.eml")
        let show = try i.run(["show", "1", "--json"])
        guard case .object(let t) = try JSONValue.parse(Data(show.stdout.utf8)),
              case .array(let atts)? = t.first(where: { $0.0 == "attachments" })?.1 else { Issue.record(Comment(rawValue: show.stdout)); return }
        #expect(atts.count == 3)
        let dir = i.folder.appendingPathComponent("out")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        for n in 1...3 {
            let run = try i.run(["attachment", "1", "\(n)", "-o", dir.path + "/"])
            #expect(run.status == 0, "\(run.stderr)")
        }
        let written = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
        #expect(written == ["a  b c.txt", "evil.sh", "passwd"])
        #expect(!FileManager.default.fileExists(atPath: i.folder.appendingPathComponent("etc/passwd").path))
        let exact = i.folder.appendingPathComponent("chosen.bin").path
        #expect(try i.run(["attachment", "1", "1", "-o", exact]).status == 0)
        #expect(try String(contentsOfFile: exact, encoding: .utf8) == "root:x:0:0")
        let stdout = try i.run(["attachment", "1", "2"])
        #expect(stdout.stdout == "echo")
        #expect(try i.run(["attachment", "1", "77"]).stderr == "suport: no attachment 77\n")
    }

    @Test func moveStatusAssignAndTheLifecycle() throws {
        let i = try Installation()
        _ = try i.ingest("rfc/catalan-latin1-qp.eml")
        let move = try i.run(["move", "1", "treasury", "--comment", "és una quota"])
        #expect(move.status == 0 && move.stdout.hasPrefix("[suport#1]: treasury, new"))
        // Now a treasury ticket: the support staff who moved it can no longer change it, marta can.
        let refused = try i.run(["status", "1", "stalled"])
        #expect(refused.status == 1 && refused.stderr == "suport: anna is not staff of the treasury queue\n")
        #expect(try i.run(["status", "1", "stalled"], actor: "marta").stdout.contains("stalled"))
        #expect(try i.run(["open", "1"], actor: "marta").stdout.contains("open"))
        #expect(try i.run(["resolve", "1"], actor: "marta").stdout.contains("resolved"))
        let forbidden = try i.run(["stall", "1"], actor: "marta")
        #expect(forbidden.status == 1 && forbidden.stderr == "suport: the lifecycle does not allow resolved → stalled\n")
        #expect(try i.run(["reject", "1"], actor: "marta").status == 1)
        #expect(try i.run(["status", "1", "sleeping"], actor: "marta").status == 1)
        #expect(try i.run(["open", "1"], actor: "marta").status == 0)
        #expect(try i.run(["assign", "1", "marta"], actor: "marta").stdout.contains("owner marta"))
        #expect(try i.run(["assign", "1", "ghost"], actor: "marta").stderr == "suport: no staff member \"ghost\"\n")
        #expect(try i.run(["assign", "1", "pere"], actor: "marta").stderr == "suport: pere is not staff of the treasury queue\n")
        #expect(try i.run(["take", "1"], actor: "pere").stderr == "suport: pere is not staff of the treasury queue\n")
        #expect(try i.run(["untake", "1"], actor: "marta").stdout.contains("owner nobody"))
        #expect(try i.run(["take", "1"], actor: "visitor@x.example").stderr == "suport: no staff member \"visitor@x.example\"\n")
        // An unknown or missing actor is refused for every change, not only for replies.
        #expect(try i.run(["priority", "1", "3"], actor: "ghost").stderr == "suport: no staff member \"ghost\"\n")
        let nobody = try i.run(["move", "1", "support"], actor: nil)
        #expect(nobody.status == 1 && nobody.stderr.contains("no staff member"))
        let outbox = try i.run(["outbox", "list", "--ticket", "1"]).stdout
        #expect(outbox.contains("queue-staff") && outbox.contains("marta@example.test"))
        #expect(outbox.contains("queue-requestors") && outbox.contains("status"))
    }

    @Test func replyCommentTitlePriorityRequestorAndCc() throws {
        let i = try Installation()
        _ = try i.ingest("rfc/catalan-latin1-qp.eml")
        let file = i.folder.appendingPathComponent("guia.pdf")
        try Data("%PDF-1.4".utf8).write(to: file)
        let reply = try i.run(["reply", "1", "-m", "Reinicieu el node, si us plau.", "--attach", file.path])
        #expect(reply.status == 0 && reply.stdout.contains("open"))
        let text = i.folder.appendingPathComponent("nota.txt")
        try "Nota interna".write(to: text, atomically: true, encoding: .utf8)
        #expect(try i.run(["comment", "1", "--file", text.path]).status == 0)
        #expect(try i.run(["comment", "1", "-m", "x"], actor: "montse@example.cat").status == 1)
        #expect(try i.run(["reply", "1"]).status != 0)
        #expect(try i.run(["title", "1", "Node del terrat caigut"]).status == 0)
        #expect(try i.run(["priority", "1", "7"]).status == 0)
        #expect(try i.run(["priority", "1", "70"]).stderr == "suport: priority must be 0–10, not 70\n")
        #expect(try i.run(["requestor", "1", "add", "Pau <pau@example.cat>"]).status == 0)
        #expect(try i.run(["cc", "1", "add", "jordi@example.cat"]).status == 0)
        #expect(try i.run(["cc", "1", "del", "jordi@example.cat"]).status == 0)
        #expect(try i.run(["requestor", "1", "del", "pau@example.cat"]).status == 0)
        #expect(try i.run(["requestor", "1", "add", "not an address"]).status == 1)
        guard case .object(let t) = try JSONValue.parse(Data(try i.run(["show", "1", "--json", "--history"]).stdout.utf8)) else { return }
        #expect(t.first { $0.0 == "title" }?.1 == .string("Node del terrat caigut"))
        #expect(t.first { $0.0 == "priority" }?.1 == .int(7))
        let rows = try JSONValue.parse(Data(try i.run(["outbox", "--json"]).stdout.utf8))
        guard case .array(let entries) = rows else { return }
        let correspondence = entries.compactMap { e -> Int? in
            guard case .object(let o) = e, o.first(where: { $0.0 == "template" })?.1 == .string("correspondence"),
                  case .int(let id)? = o.first(where: { $0.0 == "id" })?.1 else { return nil }
            return id
        }
        #expect(correspondence.count == 1)
        let sent = try i.run(["outbox", "show", "\(correspondence[0])"])
        let message = Message(bytes: Array(sent.stdout.utf8))
        #expect(message.to.map(\.address) == ["montse@example.cat"])
        #expect(message.text?.contains("Reinicieu el node") == true)
        #expect(message.attachments.map(\.filename) == ["guia.pdf"])
    }

    @Test func outboxRetryAndMigrate() throws {
        let i = try Installation()
        _ = try i.ingest("rfc/plain-ascii.eml")
        #expect(try i.run(["outbox", "retry", "1"]).stdout == "outbox 1: queued to be sent again\n")
        #expect(try i.run(["outbox", "retry", "99"]).stderr == "suport: no notification 99 in the outbox\n")
        #expect(try i.run(["outbox", "list", "--state", "pending"]).stdout.contains("acknowledgement"))
        #expect(try i.run(["db", "migrate"]).stdout == "the database is up to date\n")
    }

    @Test func cliAndIngestWriteAtOnce() throws {
        let i = try Installation()
        _ = try i.ingest("rfc/plain-ascii.eml")
        let errors = ErrorBox()
        DispatchQueue.concurrentPerform(iterations: 2) { worker in
            for n in 0..<15 {
                do {
                    let run: CommandRun
                    if worker == 0 {
                        run = try CommandRun.suport(["ingest", "--config", i.config],
                                                    stdin: Array("From: p\(n)@x.example\r\nSubject: p\(n)\r\nMessage-ID: <p\(n)@x>\r\n\r\nx".utf8))
                    } else {
                        run = try i.run(["comment", "1", "-m", "nota \(n)"])
                    }
                    if run.status != 0 { errors.add(run.stderr) }
                } catch { errors.add("\(error)") }
            }
        }
        #expect(errors.items.isEmpty, "\(errors.items)")
        #expect(try i.run(["list", "--json"]).stdout.components(separatedBy: "\"number\"").count - 1 == 16)
        #expect(try i.run(["show", "1", "--history"]).stdout.components(separatedBy: "  comment").count - 1 == 15)
    }
}

@Suite(.serialized) struct WorkingByEmailCLITests {
    @Test func watchUnwatchAndShow() throws {
        let i = try Installation()
        _ = try i.ingest("rfc/catalan-latin1-qp.eml")
        #expect(try i.run(["watch", "1"], actor: "pere").status == 0)
        #expect(try i.run(["show", "1"]).stdout.contains("Watchers:   Pere Vila <pere@example.test>"))
        #expect(try i.run(["watch", "1"], actor: "pere").stdout.contains("already so"))
        let json = try i.run(["show", "1", "--json"]).stdout
        guard case .object(let fields) = try JSONValue.parse(Data(json.utf8)) else { Issue.record("\(json)"); return }
        #expect(fields.first { $0.0 == "watchers" }?.1 == .array([.string("pere@example.test")]))
        #expect(try i.run(["unwatch", "1"], actor: "pere").status == 0)
        #expect(!(try i.run(["show", "1"]).stdout.contains("Watchers:")))
        let stranger = try i.run(["watch", "1"], actor: "ghost")
        #expect(stranger.status == 1 && stranger.stderr.contains("no staff member"))
    }

    @Test func autoMailIsListedApartAndOurAddressesAreRefused() throws {
        let i = try Installation()
        let ooo = "From: eva@example.cat\r\nTo: support@example.test\r\nAuto-Submitted: auto-replied\r\nSubject: Fora de l'oficina\r\n"
            + "Message-ID: <ooo@example.cat>\r\n\r\nTorno dilluns.\r\n"
        let filed = try CommandRun.suport(["ingest", "--config", i.config], stdin: Array(ooo.utf8))
        #expect(filed.stdout == "new ticket [suport#1] in support; 0 notifications queued\n")
        #expect(try i.run(["list"]).stdout == "No tickets.\n")
        #expect(try i.run(["list", "--auto"]).stdout.contains("[suport#1]"))
        let loop = try i.run(["cc", "1", "add", "treasury@example.test"])
        #expect(loop.status == 1 && loop.stderr.contains("mail loop"), "\(loop.stderr)")
        #expect(try i.run(["due"]).stdout == "0 tickets changed\n")
    }

    @Test func showIsOnTheAccessRecord() throws {
        let i = try Installation()
        _ = try i.ingest("rfc/catalan-latin1-qp.eml")
        _ = try i.run(["show", "1"], actor: "anna")
        _ = try i.run(["show", "1", "--json"], actor: "pere@example.test")
        let audit = try i.run(["audit", "1"])
        #expect(audit.status == 0 && audit.stdout.contains("anna") && audit.stdout.contains("pere") && audit.stdout.contains("cli"))
        #expect(try i.run(["audit", "1", "--json"]).stdout.components(separatedBy: "\"actor\"").count - 1 == 2)
    }
}

@Suite(.serialized) struct TimeCLITests {
    @Test func timeAddListAndTheReport() throws {
        let i = try Installation()
        _ = try i.ingest("rfc/catalan-latin1-qp.eml")
        #expect(try i.run(["time", "1", "add", "1h30m", "--date", "2026-11-30", "-m", "diagnosi"], actor: "anna").status == 0)
        #expect(try i.run(["time", "1", "add", "45m", "--date", "2026-12-01", "--not-billable"], actor: "pere").status == 0)
        let list = try i.run(["time", "1", "list"])
        #expect(list.stdout.contains("diagnosi") && list.stdout.contains("Total: 2h15m"))
        #expect(try i.run(["show", "1"]).stdout.contains("Time:       2h15m worked"))
        let csv = try i.run(["report", "time", "--from", "2026-11-01", "--to", "2026-11-30", "--csv"])
        #expect(csv.stdout == "day,ticket,queue,organisation,assets,staff,minutes,billable,note\n2026-11-30,1,support,\"\",\"\",anna,90,yes,\"diagnosi\"\n")
        let table = try i.run(["report", "time", "--from", "2026-11-01", "--to", "2026-12-31"])
        #expect(table.stdout.contains("anna") && table.stdout.contains("total  2h15m  1h30m     45m"), "\(table.stdout)")
        let bad = try i.run(["time", "1", "add", "soon"])
        #expect(bad.status != 0 && bad.stderr.contains("not a duration"))
    }
}

@Suite(.serialized) struct ListSortTests {
    @Test func priorityIsAColumnAFilterAndASortKey() throws {
        let i = try Installation()
        _ = try i.ingest("rfc/catalan-latin1-qp.eml")
        _ = try i.ingest("rfc/telescope-booking-en.eml")
        _ = try i.ingest("rfc/spanish-cp1252-8bit.eml")
        _ = try i.run(["priority", "1", "7"])
        _ = try i.run(["priority", "3", "2"], actor: "marta")
        let sorted = try i.run(["list", "--sort", "-priority"]).stdout.split(separator: "\n").dropFirst().map { $0.prefix(10) }
        #expect(sorted == ["[suport#1]", "[suport#3]", "[suport#2]"], "\(sorted)")
        let byQueue = try i.run(["list", "--sort", "queue,-number"]).stdout.split(separator: "\n").dropFirst().map { $0.prefix(10) }
        #expect(byQueue == ["[suport#2]", "[suport#1]", "[suport#3]"], "\(byQueue)")
        #expect(try i.run(["list"]).stdout.split(separator: "\n").first?.contains("PRI") == true)
        let high = try i.run(["list", "--priority", "5-10", "--json"]).stdout
        #expect(high.components(separatedBy: "\"number\":").count - 1 == 1 && high.contains("\"number\": 1"))
        let bad = try i.run(["list", "--sort", "colour"])
        #expect(bad.status != 0 && bad.stderr.contains("--sort takes"))
    }
}

@Suite(.serialized) struct DataModelCLITests {
    func installation() throws -> Installation {
        try Installation { $0.replacingOccurrences(of: "admins = []", with: "admins = [\"anna\"]") }
    }

    func object(_ text: String) throws -> [String: JSONValue] {
        guard case .object(let pairs) = try JSONValue.parse(Data(text.utf8)) else { Issue.record("not an object: \(text)"); return [:] }
        return Dictionary(pairs, uniquingKeysWith: { a, _ in a })
    }

    @Test func fieldsAreSetShownAndCleared() throws {
        let i = try installation()
        _ = try i.ingest("rfc/catalan-latin1-qp.eml")
        for args in [["type", "incident"], ["due", "2026-12-24 13:00"], ["ref", "PROV-8812"], ["waiting", "supplier"], ["node", "terrat-sants"]] {
            let run = try i.run(["set", "1"] + args)
            #expect(run.status == 0, "\(args): \(run.stderr)")
        }
        let show = try i.run(["show", "1"]).stdout
        #expect(show.contains("Type:       incident") && show.contains("Reference:  PROV-8812") && show.contains("Waiting:    for supplier"))
        #expect(show.contains("Due:        2026-12-24 13:00 Europe/Madrid (set by staff)") && show.contains("node:       terrat-sants"), "\(show)")
        let json = try object(try i.run(["show", "1", "--json"]).stdout)
        #expect(json["type"] == .string("incident") && json["externalRef"] == .string("PROV-8812") && json["waitingFor"] == .string("supplier"))
        #expect(json["due"] == .string("2026-12-24T12:00:00Z") && json["slaPolicy"] == .string("incident"))
        #expect(json["fields"] == .object([("node", .string("terrat-sants"))]))
        let bad = try i.run(["set", "1", "type", "avaria"])
        #expect(bad.status == 1 && bad.stderr.contains("the support queue has no type \"avaria\": incident, request"))
        let badDue = try i.run(["set", "1", "due", "demà"])
        #expect(badDue.status == 1 && badDue.stderr.contains("is not a date"))
        #expect(try i.run(["unset", "1", "waiting"]).status == 0)
        #expect(!(try i.run(["show", "1"]).stdout.contains("Waiting:")))
        #expect(try i.run(["list", "--type", "incident", "--field", "node=terrat-sants"]).stdout.contains("[suport#1]"))
        #expect(try i.run(["list", "--field", "node=altres"]).stdout == "No tickets.\n")
        // Escalated: L1 → L2, and no further.
        #expect(try i.run(["escalate", "1"]).status == 0)
        #expect(try i.run(["show", "1"]).stdout.contains("Level:      L2"))
        #expect(try i.run(["escalate", "1"]).stderr.contains("L2 is the highest support level already"))
        // Two owners: the list shows both.
        _ = try i.run(["assign", "1", "anna"])
        _ = try i.run(["assign", "1", "pere", "--also"])
        #expect(try i.run(["list", "--owner", "pere"]).stdout.contains("anna,pere"))
    }

    @Test func organisationsAssetsAndTheirReports() throws {
        let i = try installation()
        #expect(try i.run(["org", "add", "Guifi Sants", "--domain", "example.cat", "--contact", "junta@guifisants.example"]).status == 0)
        let refused = try i.run(["org", "add", "Altres"], actor: "pere")
        #expect(refused.status == 1 && refused.stderr.contains("not one of the admins"))
        _ = try i.ingest("rfc/catalan-latin1-qp.eml")
        #expect(try i.run(["org", "members", "Guifi Sants", "--add", "eva@elsewhere.example"]).stdout.contains("eva@elsewhere.example"))
        let orgs = try i.run(["org", "list", "--json"]).stdout
        #expect(orgs.contains("\"name\": \"Guifi Sants\"") && orgs.contains("\"example.cat\""), "\(orgs)")
        #expect(try i.run(["asset", "add", "node-terrat", "--kind", "node", "--org", "guifi sants", "--location", "terrat del casal"]).status == 0)
        #expect(try i.run(["asset", "add", "x", "--kind", "tostadora"]).stderr.contains("is not one of node, antenna, telescope, product"))
        #expect(try i.run(["set", "1", "asset", "NODE-TERRAT"]).status == 0)
        #expect(try i.run(["time", "1", "add", "2h", "--date", "2026-12-01"]).status == 0)
        let shown = try i.run(["org", "show", "guifi sants"]).stdout
        #expect(shown.contains("Assets:   node-terrat") && shown.contains("[suport#1]"), "\(shown)")
        #expect(try i.run(["list", "--asset", "node-terrat"]).stdout.contains("[suport#1]"))
        let report = try i.run(["report", "time", "--from", "2026-12-01", "--to", "2026-12-31", "--org", "Guifi Sants", "--json"]).stdout
        let totals = try object(report)
        #expect(totals["minutes"] == .int(120))
        #expect(totals["byAsset"] == .array([.object([("asset", .string("node-terrat")), ("minutes", .int(120)), ("billableMinutes", .int(120))])]))
        #expect(try i.run(["asset", "show", "node-terrat", "--json"]).stdout.contains("\"location\": \"terrat del casal\""))
    }

    @Test func viewsDashboardAndSearch() throws {
        let i = try installation()
        _ = try i.ingest("rfc/catalan-latin1-qp.eml")
        _ = try i.ingest("rfc/telescope-booking-en.eml")
        _ = try i.run(["assign", "2", "anna"])
        #expect(try i.run(["view", "save", "meves", "--owner", "me", "--sort", "-priority"]).status == 0)
        let mine = try i.run(["list", "--view", "meves"]).stdout
        #expect(mine.contains("[suport#2]") && !mine.contains("[suport#1]"), "\(mine)")
        #expect(try i.run(["list", "--view", "meves"], actor: "pere").stdout == "No tickets.\n")
        #expect(try i.run(["list", "--view", "overdue"]).status == 0, "the configuration's views")
        let views = try i.run(["view", "list"]).stdout
        #expect(views.contains("meves") && views.contains("saved") && views.contains("overdue") && views.contains("config"))
        #expect(try i.run(["view", "save", "dolent", "--sla", "lila"]).stderr.contains("--sla takes green, yellow or red"))
        let dashboard = try i.run(["dashboard", "--json"]).stdout
        #expect(dashboard.contains("\"queue\": \"support\"") && dashboard.contains("\"unownedNew\""), "\(dashboard)")
        #expect(try i.run(["dashboard"]).stdout.contains("UNOWNED"))
        let title = try #require(try i.run(["show", "2", "--json"]).stdout.split(separator: "\n").first { $0.contains("\"title\"") })
        let word = try #require(title.split(separator: "\"").dropLast().last?.split(separator: " ").max { $0.count < $1.count })
        let found = try i.run(["search", String(word).uppercased(), "--json"]).stdout
        #expect(found.contains("\"number\": 2"), "\(word): \(found)")
    }
}
