import Foundation
import MailTransport
import Testing

extension Integration {
/// A flood from one sender through the real path: Postfix, Dovecot, `suport serve`. Every
/// message is filed once, the acknowledgements stop at the hourly cap, and staff working from
/// the CLI during the flood are answered, never refused. FLOOD_MESSAGES sets the size (CI:
/// 5,000); the CLI latencies are printed as figures, not asserted.
@Suite(.serialized) struct FloodTests {
    @Test func theDaemonFilesAFloodAndStaysResponsiveToTheCLI() throws {
        let total = Int(ProcessInfo.processInfo.environment["FLOOD_MESSAGES"] ?? "") ?? 5_000
        let servers = try MailServers.get()
        try servers.emptyAll()
        let desk = try DeskUnderTest(servers: servers)
        // Staff notes for 5,000 tickets would still be arriving in the mailboxes the next suites
        // share; the acknowledgements are what this test is about.
        var config = try String(contentsOfFile: desk.config, encoding: .utf8)
        config = config.replacingOccurrences(of: "staff_on_create = true", with: "staff_on_create = false")
            .replacingOccurrences(of: "comment = true ", with: "comment = false ")
        try config.write(toFile: desk.config, atomically: true, encoding: .utf8)
        try desk.start()
        defer { desk.stop() }
        // A first message to work on while the flood comes in.
        try servers.deliver("From: bob@customer.test\r\nTo: support@example.test\r\nSubject: abans\r\nMessage-ID: <abans@customer.test>\r\n\r\nx\r\n",
                            from: "bob@customer.test", to: ["support@example.test"])
        #expect(eventually { try desk.ticketCount() == 1 })

        let flooder = Thread {
            let smtp = SMTPClient(Endpoint(host: "127.0.0.1", port: servers.port("MX_PORT"), tls: .none, username: "", password: ""), helo: "x")
            for i in 0..<total {
                let raw = "From: flood@customer.test\r\nTo: support@example.test\r\nSubject: inundació \(i)\r\nMessage-ID: <flood\(i)@customer.test>\r\n\r\nmissatge \(i)\r\n"
                _ = smtp.send(Array(raw.utf8), from: "flood@customer.test", to: ["support@example.test"])
            }
        }
        flooder.start()

        // Staff keep working while the daemon files: read the queue, read a ticket, write a note.
        let expected = total + 1
        var latencies: [Double] = [], failures: [String] = [], duringFlood = 0, calls = 0
        let deadline = Date().addingTimeInterval(Double(total) / 10 + 120)
        while Date() < deadline {
            let filed = try desk.ticketCount()
            if filed == expected && servers.count("support", "INBOX") == 0 { break }
            let call: [String] = switch calls % 3 {
            case 0: ["list", "--queue", "support", "--status", "new", "--limit", "20"]
            case 1: ["show", "1"]
            default: ["comment", "1", "-m", "nota \(calls)"]
            }
            calls += 1
            let start = Date()
            let out = try desk.cli(call)
            latencies.append(Date().timeIntervalSince(start))
            let ok = call[0] == "list" ? out.contains("[suport#") && !out.hasPrefix("suport:") : out.hasPrefix("[suport#1]")
            if !ok { failures.append("\(call.joined(separator: " ")): \(out.prefix(200))") }
            if filed > 1 && filed < expected { duringFlood += 1 }
        }
        #expect(try desk.ticketCount() == expected)
        #expect(servers.count("support", "INBOX") == 0)
        #expect(failures.isEmpty, "\(failures.prefix(3))")
        // The CLI really ran while the daemon was filing, not only before or after.
        #expect(duringFlood >= 10)
        // One sender, well within an hour: at most the cap of acknowledgements (10).
        let outbox = try desk.cli(["outbox", "list", "--json", "--limit", "100000"])
        let acknowledgements = outbox.components(separatedBy: "\"template\": \"acknowledgement\"").count - 1
        #expect(acknowledgements == 11)  // bob's and flood's ten
        let log = try String(contentsOf: desk.log, encoding: .utf8)
        #expect(!log.contains("locked"))
        let sorted = latencies.sorted()
        func percentile(_ p: Double) -> Double { sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))] }
        print(String(format: "flood: %d messages from one sender filed; %d CLI calls during the flood, p50 %.3f s, p95 %.3f s, max %.3f s",
                     total, duringFlood, percentile(0.5), percentile(0.95), sorted.last ?? 0))
    }
}
}
