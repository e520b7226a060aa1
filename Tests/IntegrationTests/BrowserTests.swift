import Foundation
import MailTransport
import MIME
import Testing

extension Integration {
/// The web desk in a real browser: headless Chromium driven by Selenium (Tests/browser/desk.py),
/// against `suport serve` with real Dovecot and Postfix. Every page a scenario visits is saved
/// as a screenshot in the folder the test prints.
@Suite(.serialized) struct BrowserTests {
    let servers: MailServers
    static let shots = FileManager.default.temporaryDirectory.appendingPathComponent("suport-browser-shots").path
    static let password = "browser-test-password"

    init() throws {
        servers = try MailServers.get()
        try servers.emptyAll()
        try servers.empty("alice")
        try FileManager.default.createDirectory(atPath: Self.shots, withIntermediateDirectories: true)
        print("browser screenshots: \(Self.shots)")
    }

    /// Runs one scenario of desk.py; its JSON, or the reason it failed.
    func browse(_ scenario: String, _ base: String, _ args: [String]) throws -> [String: Any] {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", MailServers.repo.appendingPathComponent("Tests/browser/desk.py").path, scenario, base, Self.shots] + args
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        let problem = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { throw BrowserFailure(description: "\(scenario): \(problem)") }
        return (try? JSONSerialization.jsonObject(with: data) as? [String: Any]) ?? [:]
    }

    struct BrowserFailure: Error, CustomStringConvertible { let description: String }

    /// A desk with the web desk on, staff passwords set, serving.
    func webDesk() throws -> DeskUnderTest {
        let desk = try DeskUnderTest(servers: servers, web: true)
        for who in ["anna", "marta"] {
            let out = try desk.cli(["staff", "passwd", who], actor: who, stdin: Self.password + "\n")
            #expect(out.contains("password set"), "\(out)")
        }
        try desk.start()
        #expect(eventually { try fetch(desk.webBase + "/healthz") == "ok\n" })
        return desk
    }

    /// A page as curl reads it (the desk answering at all).
    func fetch(_ url: String) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        p.arguments = ["-sf", url]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    func request(from: String, subject: String, body: String, id: String, extra: [String] = []) throws {
        try servers.deliver((["From: \(from)", "To: support@example.test", "Subject: \(subject)", "Message-ID: <\(id)@example.test>"]
                             + extra + ["", body, ""]).joined(separator: "\r\n"),
                            from: from.split(separator: "<").last.map { String($0.dropLast()) } ?? from, to: ["support@example.test"])
    }

    /// The message in alice's mailbox whose text has `words`, once it arrives, and the personal link it carries.
    func alicesMail(containing words: String) throws -> (message: Message, link: String?) {
        var found: Message?
        _ = eventually(timeout: 30) {
            found = try servers.messages("alice").first { $0.text?.contains(words) == true }
            return found != nil
        }
        let message = try #require(found, "no mail to alice with \(words.debugDescription)")
        let link = message.text?.firstMatch(of: /(http:\/\/127\.0\.0\.1:\d+\/r\/[A-Za-z0-9._\-]+)/).map { String($0.1) }
        return (message, link)
    }

    /// Anna logs in, filters the list, opens Alice's ticket, answers with a file and resolves
    /// it; Alice's mailbox receives the answer and its file; she follows the link in it,
    /// writes on the page, and the ticket opens again.
    @Test func staffAnswerInTheBrowserAndTheRequesterAnswersBackOnThePage() throws {
        let desk = try webDesk()
        defer { desk.stop() }
        try request(from: "Alice Serra <alice@example.test>", subject: "La fibra del carrer Gran no va", body: "Des d'ahir no hi ha llum a la fibra.",
                    id: "browser-alice-1")
        #expect(eventually { try desk.ticketCount() == 1 })
        try request(from: "Bob <bob@customer.test>", subject: "Una altra cosa", body: "Res a veure.", id: "browser-bob-1")
        #expect(eventually { try desk.ticketCount() == 2 })

        let file = desk.folder.appendingPathComponent("esquema-xarxa.pdf")
        try Data("%PDF-1.4 the network map".utf8).write(to: file)
        let seen = try browse("staff-reply", desk.webBase, ["anna", Self.password, "1", "fibra", file.path,
                                                            "Bon dia Alice,\nhi anem aquesta tarda. Us adjunto l'esquema."])
        #expect(seen["rows"] as? Int == 1)
        #expect(seen["status"] as? String == "resolved")

        // The answer reaches Alice with its file, and carries her personal link.
        let (answer, found) = try alicesMail(containing: "hi anem aquesta tarda")
        #expect(answer.attachments.contains { $0.filename == "esquema-xarxa.pdf" && $0.data == Array("%PDF-1.4 the network map".utf8) })
        let link = try #require(found)
        #expect(link.hasPrefix(desk.webBase + "/r/1."))
        #expect(eventually { try desk.status(1) == "resolved" })

        let requester = try browse("requester-reply", desk.webBase, [link, "Encara no funciona, ho sento."])
        #expect((requester["before"] as? String)?.contains("hi anem aquesta tarda") == true)
        #expect((requester["after"] as? String)?.contains("Encara no funciona") == true)
        #expect((requester["url"] as? String)?.hasSuffix("/my/1?saved=reply") == true)
        #expect(eventually { try desk.status(1) == "open" })

        // The daemon's own counters reach /metrics: three messages filed by the poller (two
        // requests and Alice's answer on the page), notifications sent by the dispatcher.
        let metrics = try fetch(desk.webBase + "/metrics")
        #expect(metrics.contains("suport_messages_filed_total 3"), "\(metrics)")
        #expect(metrics.firstMatch(of: /suport_notifications_sent_total (\d+)/).flatMap { Int($0.1) }.map { $0 >= 3 } == true)
        #expect(metrics.contains("http_server_request_duration"))
    }

    /// Anna answers Alice with a canned answer she edits first (its command applies, Alice's
    /// mail has the words and not the command), hands a task to Pere (his mailbox hears of
    /// it, Alice's does not) and writes an article that the knowledge base then finds.
    @Test func aCannedAnswerATaskAndAnArticleFromTheBrowser() throws {
        let desk = try webDesk()
        defer { desk.stop() }
        try servers.empty("pere")
        try request(from: "Alice Serra <alice@example.test>", subject: "La fibra no té llum", body: "El router no té senyal.", id: "browser-alice-3")
        #expect(eventually { try desk.ticketCount() == 1 })
        let seen = try browse("reuse", desk.webBase, ["anna", Self.password, "1", "need-details", "pere", "Mirar la caixa del carrer"])
        #expect((seen["filled"] as? String)?.hasPrefix("Waiting: requester") == true, "\(seen)")
        #expect((seen["task_url"] as? String)?.hasSuffix("/tickets/2?saved=task") == true)
        #expect((seen["tasks"] as? [String])?.first?.contains("#2 Mirar la caixa del carrer") == true, "\(seen)")
        #expect((seen["articles"] as? [String])?.contains { $0.contains("La fibra no té llum") } == true, "\(seen)")
        #expect(eventually { (try desk.cli(["show", "1", "--json"])).contains("\"waitingFor\": \"requester\"") })
        let (answer, _) = try alicesMail(containing: "Fins aviat.")
        #expect(answer.text?.contains("Per poder-vos ajudar") == true && answer.text?.contains("Waiting:") == false)
        let told = try servers.waitForMail("pere", count: 1, timeout: 30).map { Message(bytes: $0) }
        #expect(told.contains { $0.text?.contains("Mirar la caixa del carrer") == true })
        #expect(try servers.messages("alice").allSatisfy { $0.text?.contains("Mirar la caixa") != true })
    }

    /// A move to treasury from the ticket's page tells treasury's staff (marta's mailbox).
    @Test func aMoveToTreasuryFromThePageTellsTreasury() throws {
        let desk = try webDesk()
        defer { desk.stop() }
        try servers.empty("marta")
        try request(from: "Alice Serra <alice@example.test>", subject: "Una pregunta", body: "Qui porta els pagaments?", id: "browser-alice-2")
        #expect(eventually { try desk.ticketCount() == 1 })
        _ = try browse("move", desk.webBase, ["anna", Self.password, "1", "treasury"])
        #expect(eventually { (try desk.cli(["show", "1", "--json"])).contains("\"queue\": \"treasury\"") })
        let told = try servers.waitForMail("marta", count: 1, timeout: 30).map { Message(bytes: $0) }
        #expect(told.contains { $0.subject?.contains("[suport#1]") == true })
    }

    /// Mail whose subject, name and HTML carry script shows as text in the browser, and
    /// nothing of it runs; a requester who changes the number, and staff who open another
    /// queue's ticket, see nothing of it.
    @Test func hostileMailNeverRunsAndNumbersLeadNowhere() throws {
        let desk = try webDesk()
        defer { desk.stop() }
        let html = "<html><body><p>Hola</p><img src=x onerror=\"document.title='pwned';window.__pwned=true\"><script>window.__pwned=true;alert(1)</script></body></html>"
        try request(from: "\"<script>alert(2)</script>\" <mallory@customer.test>", subject: "<script>alert('subject')</script> urgent",
                    body: html, id: "browser-mallory-1", extra: ["MIME-Version: 1.0", "Content-Type: text/html; charset=utf-8"])
        #expect(eventually { try desk.ticketCount() == 1 })
        let seen = try browse("hostile", desk.webBase, ["anna", Self.password, "1"])
        #expect((seen["text"] as? String)?.contains("<script>alert('subject')</script> urgent") == true)

        // Alice's ticket in support (hers), and one of treasury's.
        try request(from: "Alice Serra <alice@example.test>", subject: "El router", body: "Parpelleja.", id: "browser-alice-3")
        #expect(eventually { try desk.ticketCount() == 2 })
        try servers.deliver(["From: Carles <carles@customer.test>", "To: treasury@example.test", "Subject: Rebut de la quota",
                             "Message-ID: <browser-carles-1@example.test>", "", "El rebut, si us plau.", ""].joined(separator: "\r\n"),
                            from: "carles@customer.test", to: ["treasury@example.test"])
        #expect(eventually { try desk.ticketCount() == 3 })
        try desk.cli(["reply", "2", "-m", "Ho mirem."])
        let link = try #require(try alicesMail(containing: "Ho mirem.").link)
        let idor = try browse("idor", desk.webBase, [link, "1", "anna", Self.password, "3"])
        #expect((idor["requester_other"] as? String)?.contains("urgent") == false)
        #expect((idor["staff_foreign"] as? String)?.contains("El rebut") == false)
        #expect((idor["staff_foreign"] as? String)?.contains("not in your queues") == true)
    }
}
}
