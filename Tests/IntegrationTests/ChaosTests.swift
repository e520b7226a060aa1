import Foundation
import MailTransport
import MIME
import SuportService
import Testing

extension Integration {
/// Crash consistency: the daemon is killed with SIGKILL at random moments while it files
/// a batch and sends its notifications; at the end every message is filed exactly once, the
/// outbox holds exactly the notifications expected, and nothing is left in the mailbox.
/// CI runs 200 messages and 10 kills; `scripts/chaos` runs the full size
/// (CHAOS_MESSAGES, CHAOS_KILLS, CHAOS_SEED).
@Suite(.serialized) struct ChaosTests {
    @Test func sigkillAtRandomMomentsLosesAndDuplicatesNothing() throws {
        let env = ProcessInfo.processInfo.environment
        let total = Int(env["CHAOS_MESSAGES"] ?? "") ?? 200
        let kills = Int(env["CHAOS_KILLS"] ?? "") ?? 10
        let seed = UInt64(env["CHAOS_SEED"] ?? "") ?? 2026
        var rng = SplitMix(seed: seed)

        let servers = try MailServers.get()
        try servers.emptyAll()
        let smtp = SMTPClient(Endpoint(host: "127.0.0.1", port: servers.port("MX_PORT"), tls: .none, username: "", password: ""), helo: "x")
        for i in 0..<total {
            let raw = "From: r\(i % 37)@customer.test\r\nTo: support@example.test\r\nSubject: caos \(i)\r\nMessage-ID: <chaos\(i)@customer.test>\r\n\r\nmissatge \(i)\r\n"
            #expect(smtp.send(Array(raw.utf8), from: "r\(i % 37)@customer.test", to: ["support@example.test"]) == .sent)
        }
        #expect(eventually(timeout: 60) { servers.count("support", "INBOX") == total })

        let desk = try DeskUnderTest(servers: servers, retryBase: 0.5)
        let started = Date()
        var killed = 0, duringFiling = 0
        for _ in 0..<kills {
            try desk.start()
            // Let it work for a random while, then kill it mid-flight.
            Thread.sleep(forTimeInterval: Double.random(in: 0.05...0.4, using: &rng))
            #expect(desk.kill9(), "the daemon ended on its own before kill \(killed + 1): see its daemon.log")
            killed += 1
            if try desk.ticketCount() < total { duringFiling += 1 }
        }
        // The run must really have interrupted the filing, not only the idle daemon.
        #expect(duringFiling >= 1)
        try desk.start()
        defer { desk.stop() }
        #expect(eventually(timeout: Double(total) / 2 + 60) {
            try desk.ticketCount() + desk.setAsideCount() == total && servers.count("support", "INBOX") == 0
        }, "\((try? desk.ticketCount()) ?? -1) tickets, \((try? desk.setAsideCount()) ?? -1) set aside, \(servers.count("support", "INBOX")) in the inbox of \(total)")
        let retried = try desk.retryCrashedAside()
        #expect(eventually(timeout: 60) { try !desk.cli(["outbox", "list", "--state", "pending", "--json"]).contains("\"id\"") })

        // Exactly once: as many tickets as messages, no Message-ID filed twice.
        let list = try desk.cli(["list", "--json", "--limit", "100000"])
        #expect(list.components(separatedBy: "\"number\":").count - 1 == total)
        // The outbox holds exactly what was expected: per ticket one acknowledgement (at most 10 an
        // hour per sender, the rest suppressed) and a note to each of the 2 support staff.
        let outbox = try desk.cli(["outbox", "list", "--json", "--limit", "100000"])
        let acks = outbox.components(separatedBy: "\"template\": \"acknowledgement\"").count - 1
        let staffNotes = outbox.components(separatedBy: "\"template\": \"new-ticket\"").count - 1
        let senders = min(37, total)
        let expectedAcks = (0..<senders).reduce(0) { sum, s in sum + min(10, (total - s + 36) / 37) }
        #expect(acks == expectedAcks)
        #expect(staffNotes == 2 * total)
        let figures = "chaos: \(total) messages, \(killed) SIGKILLs (\(duringFiling) while filing), seed \(seed): \(total) tickets, 0 lost, 0 duplicates, "
            + "\(acks + staffNotes) notifications, \(retried) set aside after kills in a row and filed again, \(Int(Date().timeIntervalSince(started))) s"
        print(figures)
        try? figures.write(toFile: FileManager.default.temporaryDirectory.appendingPathComponent("suport-chaos-figures.txt").path,
                           atomically: true, encoding: .utf8)
    }
}
}
