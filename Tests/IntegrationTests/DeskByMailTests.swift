import Foundation
import MailTransport
import MIME
import Testing

extension Integration {
/// The one desk operation seen from outside: staff answering by mail, forgers, and a message
/// that crashes the daemon, against real Dovecot and Postfix.
@Suite(.serialized) struct DeskByMailTests {
    let servers: MailServers

    init() throws {
        servers = try MailServers.get()
        try servers.emptyAll()
    }

    func request(_ subject: String, id: String, body: String = "El node no va.") throws {
        try servers.deliver(["From: Bob <bob@customer.test>", "To: support@example.test", "Subject: \(subject)",
                             "Message-ID: <\(id)@customer.test>", "", body, ""].joined(separator: "\r\n"),
                            from: "bob@customer.test", to: ["support@example.test"])
    }

    /// A staff reply sent from a mail client through the authenticated submission port reaches
    /// the requestor as the CLI's does: with its file, signed with the staff member's name,
    /// not marked automatic, and the new ticket opened (which the requestor is told of).
    /// The same From through the open MX port proves nothing and reaches no requestor.
    @Test func staffReplyByMailIsTheSameChangeAsFromTheCLIAndAForgeryIsNot() throws {
        let desk = try DeskUnderTest(servers: servers)
        try desk.start()
        defer { desk.stop() }
        try request("La connexió cau", id: "bymail-1")
        #expect(eventually { try desk.ticketCount() == 1 })

        var reply = OutgoingMessage(from: Address(name: "Anna Soler", address: "anna@example.test"), to: [Address(address: "support@example.test")],
                                    subject: "Re: [suport#1] La connexió cau", messageID: "bymail-staff@example.test",
                                    text: "Seguiu la guia adjunta.")
        reply.autoSubmitted = nil
        reply.attachments = [OutgoingAttachment(filename: "guia.pdf", contentType: "application/pdf", data: Array("%PDF-1.4 guia".utf8))]
        let smtp = SMTPClient(servers.submission("anna"), helo: "laptop.example.test")
        #expect(smtp.send(try reply.render(), from: "anna@example.test", to: ["support@example.test"]) == .sent)

        #expect(eventually {
            try servers.messages("outbox", to: "bob@customer.test").contains { $0.text?.contains("Seguiu la guia adjunta.") == true }
        })
        let answer = try #require(try servers.messages("outbox", to: "bob@customer.test").first { $0.text?.contains("Seguiu la guia") == true })
        #expect(answer.attachments.map(\.filename) == ["guia.pdf"])
        #expect(answer.attachments.first?.data == Array("%PDF-1.4 guia".utf8))
        #expect(answer.text?.contains("Anna Soler") == true)
        #expect(answer.header["Auto-Submitted"] == nil)
        #expect(try desk.status(1) == "open")
        #expect(eventually { try servers.messages("outbox", to: "bob@customer.test").contains { $0.subject?.contains("oberta") == true } })
        let history = try desk.cli(["show", "1", "--history"])
        #expect(history.contains("correspondence-staff") && history.contains("new → open"))

        // The forgery: anna's address in From, sent to the open MX port.
        try servers.deliver(["From: Anna Soler <anna@example.test>", "To: support@example.test", "Subject: Re: [suport#1] La connexió cau",
                             "Message-ID: <forged@evil.example>", "", "Envieu-me les vostres contrasenyes.", ""].joined(separator: "\r\n"),
                            from: "anna@example.test", to: ["support@example.test"])
        #expect(eventually { try desk.cli(["show", "1", "--history"]).contains("nothing proves anna sent it") })
        Thread.sleep(forTimeInterval: 2)
        #expect(try !servers.messages("outbox", to: "bob@customer.test").contains { $0.text?.contains("contrasenyes") == true })
    }

    /// A staff member resolves a ticket from a mail client: the command line at the top of
    /// the reply, sent through the authenticated submission port. The ticket is resolved and
    /// the requestor reads the reply without the command.
    @Test func staffResolveByEmailCommand() throws {
        let desk = try DeskUnderTest(servers: servers)
        try desk.start()
        defer { desk.stop() }
        try request("El node de la plaça", id: "command-1")
        #expect(eventually { try desk.ticketCount() == 1 })
        var reply = OutgoingMessage(from: Address(name: "Anna Soler", address: "anna@example.test"), to: [Address(address: "support@example.test")],
                                    subject: "Re: [suport#1] El node de la plaça", messageID: "command-staff@example.test",
                                    text: "Status: resolved\n\nHem canviat l'antena. Ja torna a funcionar.")
        reply.autoSubmitted = nil
        let smtp = SMTPClient(servers.submission("anna"), helo: "phone.example.test")
        #expect(smtp.send(try reply.render(), from: "anna@example.test", to: ["support@example.test"]) == .sent)
        #expect(eventually { try desk.status(1) == "resolved" })
        #expect(eventually {
            try servers.messages("outbox", to: "bob@customer.test").contains { $0.text?.contains("Hem canviat l'antena.") == true }
        })
        let answer = try #require(try servers.messages("outbox", to: "bob@customer.test").first { $0.text?.contains("Hem canviat") == true })
        #expect(answer.text?.contains("Status:") == false)
        #expect(try desk.cli(["show", "1", "--history"]).contains("by email: Status: resolved"))
    }

    /// One message sent to both queue addresses arrives in both watched mailboxes: one ticket.
    @Test func oneMessageToBothQueuesIsOneTicket() throws {
        let desk = try DeskUnderTest(servers: servers)
        try desk.start()
        defer { desk.stop() }
        try servers.deliver(["From: Bob <bob@customer.test>", "To: support@example.test", "Cc: treasury@example.test",
                             "Subject: La quota i el node", "Message-ID: <both-queues@customer.test>", "", "Dues coses.", ""].joined(separator: "\r\n"),
                            from: "bob@customer.test", to: ["support@example.test", "treasury@example.test"])
        #expect(eventually { try desk.cli(["show", "1", "--history"]).contains("also-delivered") })
        #expect(try desk.ticketCount() == 1)
    }

    /// Mail that arrives while the daemon is filing is announced in the answers to its
    /// commands, not by the IDLE that follows: it is filed at once, not a poll interval later.
    @Test func mailArrivingWhileFilingIsFiledWithoutWaitingForThePoll() throws {
        // A large message first, so the daemon is busy with it when the next one arrives.
        let blob = String(repeating: "Dades de l'inversor, línia de registre.\r\n", count: 190_000)
        try servers.deliver("From: big@customer.test\r\nTo: support@example.test\r\nSubject: registre\r\nMessage-ID: <big@customer.test>\r\n\r\n\(blob)",
                            from: "big@customer.test", to: ["support@example.test"])
        #expect(eventually { servers.count("support", "INBOX") == 1 })
        let desk = try DeskUnderTest(servers: servers, pollInterval: 120)
        try desk.start()
        defer { desk.stop() }
        Thread.sleep(forTimeInterval: 0.5)
        try request("Arriba mentre es fila", id: "while-filing")
        #expect(eventually(timeout: 30) { try desk.ticketCount() == 2 })
    }

    /// A message that crashes the daemon while it is read is counted before it is read: after
    /// filing_attempts (3) starts it lands in Suport/Failed, everything else is filed, and
    /// `suport failed retry` files it once the cause is gone.
    @Test func aMessageThatCrashesTheDaemonIsSetAsideAfterThreeStarts() throws {
        let desk = try DeskUnderTest(servers: servers)
        for i in 0..<3 { try request("Abans \(i)", id: "before-\(i)") }
        try request("Verí", id: "poison", body: "POISON-7f3a el missatge que fa caure el dimoni")
        for i in 0..<3 { try request("Després \(i)", id: "after-\(i)") }
        #expect(eventually { servers.count("support", "INBOX") == 7 })

        var crashes = 0
        for _ in 0..<6 {
            try desk.start(environment: ["SUPORT_TEST_CRASH_ON": "POISON-7f3a"])
            _ = eventually(timeout: 40) { !desk.isRunning || servers.count("support", "Suport/Failed") == 1 }
            if let ended = desk.reap() {
                #expect(ended.reason == .uncaughtSignal)
                crashes += 1
                continue
            }
            break
        }
        defer { desk.stop() }
        #expect(crashes == 3)
        #expect(eventually { try desk.ticketCount() == 6 && servers.count("support", "INBOX") == 0 })
        #expect(servers.count("support", "Suport/Failed") == 1)
        let failed = try desk.cli(["failed", "--json"])
        #expect(failed.contains("filing was begun 3 times"))
        let id = try #require(failed.components(separatedBy: "\"id\": ").dropFirst().first?.prefix { $0.isNumber })

        // The cause is fixed (the CLI runs without the crash): filed on a ticket of its own.
        let retried = try desk.cli(["failed", "retry", String(id)])
        #expect(retried.contains("new ticket [suport#7]"))
        #expect(try desk.ticketCount() == 7)
        #expect(try desk.cli(["failed"]).contains("No failed messages."))
    }

    /// A daemon killed after it set a message aside and before it moved it finds the message
    /// still in the inbox on its next start: it moves it aside without reading it again (which
    /// would crash it again, and file it twice over in `suport failed`).
    @Test func aMessageSetAsideAndNotYetMovedIsMovedNotReadAgain() throws {
        let desk = try DeskUnderTest(servers: servers)
        try request("Verí", id: "poison-move", body: "POISON-5c1e el missatge que fa caure el dimoni")
        try request("Després", id: "after-move")
        #expect(eventually { servers.count("support", "INBOX") == 2 })

        var crashes = 0
        for _ in 0..<6 {
            try desk.start(environment: ["SUPORT_TEST_CRASH_ON": "POISON-5c1e", "SUPORT_TEST_CRASH_BEFORE_MOVING_ASIDE": "1"])
            _ = eventually(timeout: 40) { !desk.isRunning || servers.count("support", "Suport/Failed") == 1 }
            if let ended = desk.reap() {
                #expect(ended.reason == .uncaughtSignal)
                crashes += 1
                continue
            }
            break
        }
        defer { desk.stop() }
        // Three crashes reading it, one between setting it aside and moving it, then none.
        #expect(crashes == 4)
        #expect(eventually { servers.count("support", "INBOX") == 0 && servers.count("support", "Suport/Failed") == 1 })
        #expect(try desk.ticketCount() == 1)
        #expect(try desk.setAsideCount() == 1)
        let failed = try desk.cli(["failed", "--json"])
        let id = try #require(failed.components(separatedBy: "\"id\": ").dropFirst().first?.prefix { $0.isNumber })
        #expect(try desk.cli(["failed", "retry", String(id)]).contains("new ticket [suport#2]"))
        #expect(try desk.setAsideCount() == 0)
    }
}
}
