import Foundation
import MIME
import Testing
@testable import MailTransport

extension Integration {
/// IMAP and SMTP against the real servers.
@Suite(.serialized) struct TransportTests {
    let servers: MailServers

    init() throws {
        servers = try MailServers.get()
        for user in ["support", "treasury", "outbox"] { try servers.empty(user) }
    }

    @Test func imapFetchesWholeMessagesWithoutSettingSeen() throws {
        let raw = "From: bob@customer.test\r\nTo: support@example.test\r\nSubject: =?utf-8?q?H=C3=B2la?=\r\nMessage-ID: <t1@customer.test>\r\n\r\nbody {5}\r\nline\r\n"
        try servers.deliver(raw, from: "bob@customer.test", to: ["support@example.test"])
        _ = try servers.waitForMail("support")
        let conn = try IMAPConnection(servers.imap("support"))
        #expect(conn.capabilities.contains("IDLE"))
        let box = try conn.select("INBOX")
        #expect(box.exists == 1 && box.uidValidity > 0)
        let uids = try conn.uidSearch("ALL")
        let fetched = try conn.fetch(uids)
        #expect(fetched.count == 1)
        let message = Message(bytes: fetched[0].body)
        #expect(message.subject == "Hòla")
        #expect(message.text == "body {5}\nline\n")
        #expect(!fetched[0].flags.contains("\\Seen"))
        #expect(try conn.uidSearch("UNSEEN") == uids)
        try conn.create("Suport/Filed")
        try conn.create("Suport/Filed")
        try conn.move(uids, to: "Suport/Filed")
        #expect(try conn.uidSearch("ALL").isEmpty)
        #expect(try conn.select("Suport/Filed").exists == 1)
        conn.logout()
    }

    @Test func starttlsIsRequiredAndWorks() throws {
        let conn = try IMAPConnection(servers.imap("support", tls: .starttls))
        #expect(try conn.select("INBOX").uidValidity > 0)
        conn.logout()
    }

    @Test func wrongPasswordAndUntrustedCertificateAreClearErrors() {
        var bad = servers.imap("support")
        bad.password = "not-the-password-xyzzy"
        #expect {
            _ = try IMAPConnection(bad)
        } throws: { error in
            guard let e = error as? TransportError, case .authentication = e else { return false }
            return !"\(e)".contains("xyzzy")
        }
        var untrusted = servers.imap("support")
        untrusted.caFile = nil
        #expect {
            _ = try IMAPConnection(untrusted)
        } throws: { error in
            if let e = error as? TransportError, case .tls = e { return true }
            return false
        }
    }

    @Test func certificateForAnotherNameIsRefused() {
        // The same server reached as ::ffff:127.0.0.1: its certificate names only localhost and 127.0.0.1.
        var other = servers.imap("support")
        other.host = "::ffff:127.0.0.1"
        #expect {
            _ = try IMAPConnection(other)
        } throws: { error in
            guard let e = error as? TransportError, case .tls(let why) = e else { return false }
            return why.contains("name") && !e.isTransient
        }
        var smtp = servers.submission("support")
        smtp.host = "::ffff:127.0.0.1"
        let outcome = SMTPClient(smtp, helo: "x").send(Array("Subject: x\r\n\r\nx\r\n".utf8), from: "support@example.test", to: ["a@b.invalid"])
        guard case .unreachable(let why) = outcome else { Issue.record("\(outcome)"); return }
        #expect(why.contains("TLS failed"))
    }

    @Test func plaintextLoginIsRefusedOffLoopbackTrust() {
        // Dovecot trusts 127.0.0.1 → 127.0.0.1 as secure; from 127.0.0.2 plaintext must fail.
        #expect {
            _ = try IMAPConnection(servers.imap("support", tls: .none, local: "127.0.0.2"))
        } throws: { error in
            if let e = error as? TransportError, case .authentication = e { return true }
            return false
        }
        // The same client with STARTTLS required logs in from there.
        #expect((try? IMAPConnection(servers.imap("support", tls: .starttls, local: "127.0.0.2"))) != nil)
    }

    @Test func idleWakesOnNewMail() throws {
        let conn = try IMAPConnection(servers.imap("treasury"))
        _ = try conn.select("INBOX")
        let servers = self.servers
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.5) {
            try? servers.deliver("From: a@customer.test\r\nSubject: idle\r\n\r\nx\r\n", from: "a@customer.test", to: ["treasury@example.test"])
        }
        let start = Date()
        let woke = try conn.idle(timeout: 15, cancelled: { false })
        #expect(woke)
        #expect(Date().timeIntervalSince(start) < 14)
        conn.logout()
    }

    @Test func smtpSubmissionDeliversAndClassifiesFailures() throws {
        let smtp = SMTPClient(servers.submission("support"), helo: "suport.example.test")
        let raw = Array("From: support@example.test\r\nTo: bob@customer.invalid\r\nSubject: out\r\nMessage-ID: <o1@example.test>\r\n\r\nhi\r\n".utf8)
        #expect(smtp.send(raw, from: "support@example.test", to: ["bob@customer.invalid"]) == .sent)
        #expect(smtp.send(raw, from: "support@example.test", to: ["alice@example.test"]) == .sent)  // the connection is reused
        let caught = try servers.waitForMail("outbox", criteria: "HEADER Message-ID o1@example.test")
        #expect(caught.count >= 1)
        var wrong = servers.submission("support")
        wrong.password = "wrong"
        let refused = SMTPClient(wrong, helo: "x").send(raw, from: "support@example.test", to: ["a@b.invalid"])
        if case .unreachable(let e) = refused {
            #expect(e.contains("login refused") && !e.contains("wrong"), "\(e)")
        } else {
            Issue.record("a wrong password must not count as sent: \(refused)")
        }
        // The MX port refuses to relay for strangers: 554, permanent.
        let mx = SMTPClient(Endpoint(host: "127.0.0.1", port: servers.port("MX_PORT"), tls: .none, username: "", password: ""), helo: "x")
        let relay = mx.send(raw, from: "someone@customer.test", to: ["bob@elsewhere.invalid"])
        guard case .permanentFailure(let why) = relay, why.hasPrefix("554") else { Issue.record("relay denied: \(relay)"); return }
        var dead = servers.submission("support")
        dead.port = 1
        guard case .unreachable = SMTPClient(dead, helo: "x").send(raw, from: "support@example.test", to: ["a@b.invalid"]) else {
            Issue.record("a refused connection means the server is unreachable"); return
        }
    }
}
}
