import Foundation
import MailTransport
import MIME
import Testing

extension Integration {
/// Faults of the machine and the servers, with their expected outcomes.
@Suite(.serialized) struct FaultTests {
    let servers: MailServers

    init() throws {
        servers = try MailServers.get()
        try servers.emptyAll()
    }

    func send(_ count: Int, prefix: String) {
        let smtp = SMTPClient(Endpoint(host: "127.0.0.1", port: servers.port("MX_PORT"), tls: .none, username: "", password: ""), helo: "x")
        for i in 0..<count {
            let raw = "From: \(prefix)\(i)@customer.test\r\nTo: support@example.test\r\nSubject: \(prefix) \(i)\r\nMessage-ID: <\(prefix)\(i)@customer.test>\r\nAuto-Submitted: auto-generated\r\n\r\nx\r\n"
            _ = smtp.send(Array(raw.utf8), from: "\(prefix)\(i)@customer.test", to: ["support@example.test"])
        }
    }

    @Test func imapServerRestartedWhileFiling() throws {
        send(1000, prefix: "restart")
        #expect(eventually(timeout: 60) { servers.count("support", "INBOX") == 1000 })
        let desk = try DeskUnderTest(servers: servers)
        try desk.start()
        defer { desk.stop() }
        #expect(eventually(timeout: 60) { try desk.ticketCount() >= 20 })
        // The IMAP server dies at once (its clients dropped), stays away a moment, and comes back.
        try servers.imapStop(crash: true)
        let atStop = try desk.ticketCount()
        Thread.sleep(forTimeInterval: 2)
        try servers.imapStart()
        // Once, the mailbox that was being written when Dovecot died stayed unusable for two
        // minutes after the restart (not traced further; a stale lock is the likely cause), and
        // the poller's backoff, capped at 60 s, found it again only then.
        #expect(eventually(timeout: 300) { try desk.ticketCount() == 1000 && servers.count("support", "INBOX") == 0 })
        #expect(try desk.ticketCount() == 1000)
        #expect(atStop < 1000, "the restart came after the filing was done")
        #expect(eventually { (try? String(contentsOf: desk.log, encoding: .utf8))?.contains("mailbox reachable again") == true })
        let log = try String(contentsOf: desk.log, encoding: .utf8)
        // One line when the outage begins and one when it ends, per mailbox: not one per retry.
        let outages = log.components(separatedBy: "mailbox unavailable").count - 1
        #expect(outages >= 1 && outages <= 2)
    }

    @Test func fullDiskStopsFilingLeavesTheMailAndResumes() throws {
        let mount = FileManager.default.temporaryDirectory.appendingPathComponent("suport-full-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: mount, withIntermediateDirectories: true)
        #expect(try Self.run("/bin/mount", ["-t", "tmpfs", "-o", "size=3m", "tmpfs", mount.path]) == 0)
        defer { _ = try? Self.run("/bin/umount", ["-l", mount.path]) }
        let desk = try DeskUnderTest(servers: servers, database: mount.appendingPathComponent("suport.sqlite").path)
        try desk.start()
        defer { desk.stop() }
        send(3, prefix: "before")
        #expect(eventually { try desk.ticketCount() == 3 })
        // Fill the disk to the last byte.
        let filler = mount.appendingPathComponent("filler")
        _ = try? Self.run("/bin/dd", ["if=/dev/zero", "of=\(filler.path)", "bs=64k"])
        send(5, prefix: "during")
        Thread.sleep(forTimeInterval: 6)
        #expect(servers.count("support", "INBOX") == 5)  // nothing filed, nothing moved, nothing lost
        #expect(try desk.ticketCount() == 3)
        let log = try String(contentsOf: desk.log, encoding: .utf8)
        #expect(log.contains("full"))
        try FileManager.default.removeItem(at: filler)
        #expect(eventually(timeout: 90) { try desk.ticketCount() == 8 && servers.count("support", "INBOX") == 0 })
        #expect(servers.count("support", "Suport/Failed") == nil || servers.count("support", "Suport/Failed") == 0)
    }

    /// Staff work the same ticket from the CLI while the daemon files the requestor's replies
    /// into it: every CLI change succeeds (no "database is locked" reaches anyone), every reply
    /// is filed, and no change is lost. CONCURRENCY_SECONDS sets the length (default 30).
    @Test func cliChangesWhileTheDaemonFilesIntoTheSameTicket() throws {
        let seconds = Double(ProcessInfo.processInfo.environment["CONCURRENCY_SECONDS"] ?? "") ?? 30
        let desk = try DeskUnderTest(servers: servers)
        try desk.start()
        defer { desk.stop() }
        let smtp = SMTPClient(Endpoint(host: "127.0.0.1", port: servers.port("MX_PORT"), tls: .none, username: "", password: ""), helo: "x")
        let first = "From: bob@customer.test\r\nTo: support@example.test\r\nSubject: concurrent\r\nMessage-ID: <conc0@customer.test>\r\n\r\nx\r\n"
        #expect(smtp.send(Array(first.utf8), from: "bob@customer.test", to: ["support@example.test"]) == .sent)
        #expect(eventually { try desk.ticketCount() == 1 })

        let end = Date().addingTimeInterval(seconds)
        let failures = ErrorList()
        let sender = ReplySender(port: servers.port("MX_PORT"), until: end, failures: failures)
        let thread = Thread { sender.run() }
        thread.start()
        var changes = 0
        while Date() < end {
            changes += 1
            let out = try desk.cli(changes % 2 == 0 ? ["comment", "1", "-m", "nota \(changes)"] : ["priority", "1", "\(changes % 10)"])
            if !out.hasPrefix("[suport#1]") { failures.add(out) }
        }
        sender.done.wait()
        let replies = sender.sent
        #expect(failures.items.isEmpty, "\(failures.items.prefix(3))")
        #expect(eventually(timeout: 60) { servers.count("support", "INBOX") == 0 })
        let history = try desk.cli(["show", "1", "--history", "--json"])
        #expect(history.components(separatedBy: "\"kind\": \"correspondence\"").count - 1 == replies)
        #expect(history.components(separatedBy: "\"kind\": \"comment\"").count - 1 == changes / 2)
        #expect(try desk.ticketCount() == 1)
        #expect(!(try String(contentsOf: desk.log, encoding: .utf8)).contains("locked"))
    }

    @discardableResult
    static func run(_ tool: String, _ args: [String]) throws -> Int32 {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: tool)
        p.arguments = args
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        return p.terminationStatus
    }
}
}

final class ErrorList: @unchecked Sendable {
    private let lock = NSLock()
    private var list: [String] = []
    func add(_ s: String) { lock.lock(); list.append(s); lock.unlock() }
    var items: [String] { lock.lock(); defer { lock.unlock() }; return list }
}

/// Sends the requestor's replies, one every 100 ms, until a deadline.
final class ReplySender: @unchecked Sendable {
    let port: Int
    let until: Date
    let failures: ErrorList
    let done = DispatchSemaphore(value: 0)
    private(set) var sent = 0

    init(port: Int, until: Date, failures: ErrorList) {
        self.port = port
        self.until = until
        self.failures = failures
    }

    func run() {
        let smtp = SMTPClient(Endpoint(host: "127.0.0.1", port: port, tls: .none, username: "", password: ""), helo: "x")
        while Date() < until {
            let n = sent + 1
            let raw = "From: bob@customer.test\r\nTo: support@example.test\r\nSubject: Re: [suport#1] concurrent\r\nMessage-ID: <conc\(n)@customer.test>\r\n\r\nreply \(n)\r\n"
            if smtp.send(Array(raw.utf8), from: "bob@customer.test", to: ["support@example.test"]) == .sent { sent = n } else { failures.add("send \(n)") }
            Thread.sleep(forTimeInterval: 0.1)
        }
        done.signal()
    }
}
