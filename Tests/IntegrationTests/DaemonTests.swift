import Foundation
import MailTransport
import MIME
import Testing

extension Integration {
/// The daemon end to end, as a real process, against real Dovecot and Postfix.
@Suite(.serialized) struct DaemonTests {
    let servers: MailServers

    init() throws {
        servers = try MailServers.get()
        try servers.emptyAll()
    }

    func request(_ subject: String, from: String = "bob@customer.test", to: String = "support@example.test",
                 id: String = UUID().uuidString, extra: [String] = [], body: String = "Hola, el node no va.") throws {
        let raw = (["From: Bob <\(from)>", "To: \(to)", "Subject: \(subject)", "Message-ID: <\(id)@customer.test>",
                    "Date: Sun, 22 Nov 2026 10:00:00 +0100"] + extra + ["", body, ""]).joined(separator: "\r\n")
        try servers.deliver(raw, from: from, to: [to])
    }

    @Test func conversationFromFirstMailToReopening() throws {
        let desk = try DeskUnderTest(servers: servers)
        try desk.start()
        defer { desk.stop() }

        // 1. A requestor writes: one ticket, and the acknowledgement with [suport#1] reaches them.
        try request("El router no arrenca", id: "first")
        #expect(eventually { try desk.ticketCount() == 1 })
        #expect(eventually { try servers.messages("outbox", to: "bob@customer.test").contains { $0.subject?.contains("[suport#1]") == true } })
        let ack = try #require(try servers.messages("outbox", to: "bob@customer.test").first)
        #expect(ack.header["Auto-Submitted"] == "auto-replied")
        #expect(ack.inReplyTo == ["first@customer.test"])
        #expect(eventually { try servers.messages("anna").contains { $0.subject?.contains("[suport#1]") == true } })

        // 2. Replies as a mail client writes them: with the tag, and with the tag deleted but In-Reply-To kept.
        try request("Re: [suport#1] El router no arrenca", id: "second", extra: ["In-Reply-To: <\(ack.messageID ?? "")>"],
                     body: "Encara no va.\n\n> Hem rebut el vostre missatge")
        try request("Re: El router no arrenca", id: "third", extra: ["In-Reply-To: <\(ack.messageID ?? "")>",
                                                                      "References: <first@customer.test> <\(ack.messageID ?? "")>"])
        #expect(eventually { try desk.cli(["show", "1", "--history"]).components(separatedBy: "  correspondence").count - 1 == 2 })
        #expect(try desk.ticketCount() == 1)

        // 3. Staff reply, move to treasury, resolve; the requestor hears each; their answer reopens.
        _ = try desk.cli(["reply", "1", "-m", "Reinicieu-lo, si us plau."])
        #expect(eventually { try servers.messages("outbox", to: "bob@customer.test").contains { $0.text?.contains("Reinicieu-lo") == true } })
        _ = try desk.cli(["move", "1", "treasury"])
        #expect(eventually { try servers.messages("marta").contains { $0.subject?.contains("[suport#1]") == true } })
        #expect(eventually { try servers.messages("outbox", to: "bob@customer.test").contains { $0.subject?.contains("l'equip de Tresoreria") == true } })
        _ = try desk.cli(["resolve", "1"], actor: "marta")
        #expect(try desk.status(1) == "resolved")
        #expect(eventually { try servers.messages("outbox", to: "bob@customer.test").contains { $0.subject?.contains("resuelta") == true } })
        try request("Re: [suport#1] torna a fallar", id: "fourth")
        #expect(eventually { try desk.status(1) == "open" })
        #expect(try desk.ticketCount() == 1)
        #expect(desk.stop() == 0)
        let log = try String(contentsOf: desk.log, encoding: .utf8)
        #expect(log.contains("filed") && log.contains("sent"))
        #expect(!log.contains("support-pw") && !log.contains("treasury-pw"))
    }

    @Test func notificationsWaitForADeadSMTPServerAndGoOutOnce() throws {
        let desk = try DeskUnderTest(servers: servers)
        try servers.smtpStop()
        var restarted = false
        defer { if !restarted { try? servers.smtpStart() } }
        try desk.start()
        defer { desk.stop() }
        // With Postfix down nothing can arrive by SMTP either: file by the MTA-pipe path.
        for i in 0..<5 {
            let raw = "From: c\(i)@customer.test\r\nTo: support@example.test\r\nSubject: caigut \(i)\r\nMessage-ID: <dead\(i)@customer.test>\r\n\r\nx\r\n"
            let p = Process()
            p.executableURL = DeskUnderTest.binary
            p.arguments = ["ingest", "--config", desk.config]
            let input = Pipe(), output = Pipe()
            p.standardInput = input
            p.standardOutput = output
            p.standardError = output
            try p.run()
            input.fileHandleForWriting.write(Data(raw.utf8))
            try input.fileHandleForWriting.close()
            let said = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            p.waitUntilExit()
            #expect(p.terminationStatus == 0 && said.hasPrefix("new ticket"), "\(said)")
        }
        #expect(eventually { try desk.cli(["outbox", "list", "--json"]).contains("\"attempts\": 1") })
        #expect(try !desk.cli(["outbox", "list", "--state", "sent"]).contains("acknowledgement"))
        // The dead server is tried once a round (retry_base_seconds = 1), not once for each of the
        // fifteen notifications waiting: about three tries in three seconds, all told.
        Thread.sleep(forTimeInterval: 3)
        let listing = try desk.cli(["outbox", "list", "--json"])
        let attempts = listing.components(separatedBy: "\"attempts\": ").dropFirst().compactMap { Int($0.prefix { $0.isNumber }) }
        #expect(attempts.count == 15)
        #expect(attempts.reduce(0, +) <= 6, "\(attempts)")
        try servers.smtpStart()
        restarted = true
        #expect(eventually(timeout: 40) { try !desk.cli(["outbox", "list", "--state", "pending", "--json"]).contains("\"id\"") })
        let acks = try servers.messages("outbox").filter { $0.subject?.contains("caigut") == true && $0.header["Auto-Submitted"] == "auto-replied" }
        #expect(acks.count == 5)
        #expect(Set(acks.compactMap(\.messageID)).count == 5)
    }

    @Test func killedMidBatchFilesEveryMessageOnce() throws {
        let smtp = SMTPClient(Endpoint(host: "127.0.0.1", port: servers.port("MX_PORT"), tls: .none, username: "", password: ""), helo: "x")
        for i in 0..<600 {
            let raw = "From: p\(i)@customer.test\r\nTo: support@example.test\r\nSubject: lot \(i)\r\nMessage-ID: <lot\(i)@customer.test>\r\nAuto-Submitted: auto-generated\r\n\r\nmissatge \(i)\r\n"
            #expect(smtp.send(Array(raw.utf8), from: "p\(i)@customer.test", to: ["support@example.test"]) == .sent)
        }
        let conn = try IMAPConnection(servers.imap("support"))
        #expect(eventually { (try? conn.select("INBOX").exists) == 600 })
        let desk = try DeskUnderTest(servers: servers)
        try desk.start()
        #expect(eventually(timeout: 60) { try desk.ticketCount() >= 40 })
        desk.kill9()
        let partial = try desk.ticketCount()
        #expect(partial < 600)
        try desk.start()
        defer { desk.stop() }
        #expect(eventually(timeout: 180) { try desk.ticketCount() == 600 && (try? conn.select("INBOX").exists) == 0 })
        #expect(try desk.ticketCount() == 600)
        conn.logout()
    }

    @Test func changedUIDValidityFilesNothingTwice() throws {
        for i in 0..<3 { try request("uidvalidity \(i)", id: "uv\(i)") }
        let conn = try IMAPConnection(servers.imap("support"))
        #expect(eventually { (try? conn.select("INBOX").exists) == 3 })
        try conn.create("Incoming")
        _ = try conn.select("INBOX")
        try conn.move(try conn.uidSearch("ALL"), to: "Incoming")
        let desk = try DeskUnderTest(servers: servers, folder: "Incoming")
        try desk.start()
        defer { desk.stop() }
        #expect(eventually { try desk.ticketCount() == 3 && servers.count("support", "Incoming") == 0 })
        let before = try desk.cli(["outbox", "list", "--json"]).components(separatedBy: "\"id\"").count
        // Recreate the folder (a new UIDVALIDITY) holding the same messages again.
        _ = try conn.select("INBOX")
        try conn.command("DELETE \"Incoming\"")
        try conn.create("Incoming")
        _ = try conn.select("Suport/Filed")
        try conn.command("UID COPY \(try conn.uidSearch("ALL").map(String.init).joined(separator: ",")) \"Incoming\"")
        #expect(eventually { servers.count("support", "Incoming") == 0 })
        #expect(try desk.ticketCount() == 3)
        #expect(try desk.cli(["outbox", "list", "--json"]).components(separatedBy: "\"id\"").count == before)
        conn.logout()
    }

    @Test func idleAnswersWithoutWaitingForThePoll() throws {
        let desk = try DeskUnderTest(servers: servers, pollInterval: 300)
        try desk.start()
        defer { desk.stop() }
        #expect(eventually { (try? String(contentsOf: desk.log, encoding: .utf8))?.contains("suport serving") == true })
        Thread.sleep(forTimeInterval: 1.5)  // the pollers are in IDLE by now
        let sent = Date()
        try request("IDLE prova", id: "idle1")
        #expect(eventually(timeout: 20) { try servers.messages("outbox", to: "bob@customer.test").contains { $0.subject?.contains("IDLE prova") == true } })
        #expect(Date().timeIntervalSince(sent) < 15)
    }

    @Test(arguments: ["trace", "info", "error"])
    func noSecretEverReachesTheLog(_ level: String) throws {
        // A wrong password for the mailbox and the SMTP login, and a token the server refuses
        // for the treasury mailbox: every error path runs and is logged.
        let forged = try signedToken("treasury@example.test", key: "bm90IHRoZSBzZXJ2ZXIncyBrZXksIGF0IGFsbCE=", servers: servers)
        let tokenFile = FileManager.default.temporaryDirectory.appendingPathComponent("forged-\(UUID().uuidString).token").path
        try forged.write(toFile: tokenFile, atomically: true, encoding: .utf8)
        let desk = try DeskUnderTest(servers: servers) { text in
            text.replacingOccurrences(of: "\npassword_file = ", with: "\nauth = \"oauth2\"\nmechanism = \"oauthbearer\"\ntoken_file = \"\(tokenFile)\"\n# was: ")
        }
        let secret = "Wr0ng-Pa55-\(level)-zq"
        var env = DeskUnderTest.environment
        env["TEST_SUPPORT_PASSWORD"] = secret
        env["TEST_SMTP_PASSWORD"] = secret
        let check = Process()
        check.executableURL = DeskUnderTest.binary
        check.arguments = ["check", "--config", desk.config]
        check.environment = env
        let out = Pipe()
        check.standardOutput = out
        check.standardError = out
        try check.run()
        let report = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        check.waitUntilExit()
        #expect(check.terminationStatus != 0)
        #expect(report.contains("login refused") && !report.contains(secret))
        #expect(report.contains("mailbox treasury: login refused") && !report.contains(String(forged.prefix(24))), "\(report)")

        let serve = Process()
        serve.executableURL = DeskUnderTest.binary
        serve.arguments = ["serve", "--config", desk.config, "--log-level", level]
        serve.environment = env
        let log = desk.folder.appendingPathComponent("secret.log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        serve.standardOutput = handle
        serve.standardError = handle
        try serve.run()
        try request("secret test \(level)", id: "secret-\(level)")
        Thread.sleep(forTimeInterval: 3)
        serve.terminate()
        serve.waitUntilExit()
        try handle.close()
        let text = try String(contentsOf: log, encoding: .utf8)
        #expect(level == "error" ? text.contains("mailbox unavailable") : text.contains("login refused"))
        #expect(!text.contains(secret) && !text.contains(forged) && !text.contains(String(forged.prefix(24))))
        #expect(!text.contains("support-pw") && !text.contains("treasury-pw"))
    }

    @Test func sigtermStopsCleanlyAndCheckReports() throws {
        let desk = try DeskUnderTest(servers: servers)
        let report = try desk.cli(["check"], actor: nil)
        #expect(report.contains("mailbox support") && report.contains("ok") && report.contains("smtp 127.0.0.1"))
        try desk.start()
        #expect(eventually { (try? String(contentsOf: desk.log, encoding: .utf8))?.contains("suport serving") == true })
        #expect(desk.stop() == 0)
        #expect(try String(contentsOf: desk.log, encoding: .utf8).contains("suport stopped"))
    }
}

/// A message that can never be filed is set aside instead of blocking the mailbox.
@Suite(.serialized) struct PoisonMessageTests {
    @Test func aMessageThatAlwaysFailsIsKeptAndMovedAside() throws {
        let servers = try MailServers.get()
        for user in ["support", "outbox"] { try servers.empty(user) }
        let desk = try DeskUnderTest(servers: servers)
        try desk.start()
        defer { desk.stop() }
        #expect(eventually { (try? String(contentsOf: desk.log, encoding: .utf8))?.contains("suport serving") == true })
        // A database that refuses this one message, as a bug or a corrupt index might.
        let sql = Process()
        sql.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        sql.arguments = ["python3", "-c", """
            import sqlite3, sys
            c = sqlite3.connect(sys.argv[1], timeout=30)
            c.execute("CREATE TRIGGER poison BEFORE INSERT ON messages WHEN NEW.subject = 'poison' BEGIN SELECT RAISE(ABORT, 'poisoned for the test'); END")
            c.commit()
            """, desk.folder.appendingPathComponent("suport.sqlite").path]
        try sql.run()
        sql.waitUntilExit()
        #expect(sql.terminationStatus == 0)
        try servers.deliver("From: p@customer.test\r\nTo: support@example.test\r\nSubject: poison\r\nMessage-ID: <poison@customer.test>\r\n\r\nx\r\n",
                            from: "p@customer.test", to: ["support@example.test"])
        try servers.deliver("From: q@customer.test\r\nTo: support@example.test\r\nSubject: healthy\r\nMessage-ID: <healthy@customer.test>\r\n\r\ny\r\n",
                            from: "q@customer.test", to: ["support@example.test"])
        #expect(eventually(timeout: 40) { try desk.ticketCount() == 1 && servers.count("support", "INBOX") == 0 })
        #expect(servers.count("support", "Suport/Failed") == 1)
        let failed = try desk.cli(["failed", "--json"])
        #expect(failed.contains("\"subject\": \"poison\"") && failed.contains("poisoned for the test"))
        #expect(try desk.cli(["list"]).contains("healthy"))
    }
}
}
