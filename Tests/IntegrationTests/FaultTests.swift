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
        for user in ["support", "treasury", "outbox", "anna", "pere", "marta"] { try servers.empty(user) }
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
        #expect(eventually(timeout: 120) { try desk.ticketCount() == 1000 && servers.count("support", "INBOX") == 0 })
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
