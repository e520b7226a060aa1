import Foundation
import MailTransport
import MIME
import Testing

extension Integration {
/// From the moment Postfix accepts a requestor's message to the moment the acknowledgement
/// lands in the requestor's mailbox, with the daemon in IDLE. Prints p50 and p95; asserts only
/// that every acknowledgement came. `scripts/bench-latency` runs it with 100 messages (CI: 5).
@Suite(.serialized) struct LatencyTests {
    @Test func acknowledgementLatencyWithIdle() throws {
        let count = Int(ProcessInfo.processInfo.environment["LATENCY_MESSAGES"] ?? "") ?? 5
        let servers = try MailServers.get()
        for user in ["support", "outbox", "anna", "pere"] { try servers.empty(user) }
        let desk = try DeskUnderTest(servers: servers, pollInterval: 600)
        try desk.start()
        defer { desk.stop() }
        #expect(eventually { (try? String(contentsOf: desk.log, encoding: .utf8))?.contains("suport serving") == true })
        Thread.sleep(forTimeInterval: 1)

        let watcher = try IMAPConnection(servers.imap("outbox"))
        var seen = Set(try { _ = try watcher.select("INBOX"); return try watcher.uidSearch("ALL") }())
        let smtp = SMTPClient(Endpoint(host: "127.0.0.1", port: servers.port("MX_PORT"), tls: .none, username: "", password: ""), helo: "x")
        var latencies: [Double] = []
        for i in 0..<count {
            let id = "lat\(i)-\(UUID().uuidString)@customer.test"
            let raw = "From: l\(i)@customer.test\r\nTo: support@example.test\r\nSubject: latency \(i)\r\nMessage-ID: <\(id)>\r\n\r\nx\r\n"
            guard smtp.send(Array(raw.utf8), from: "l\(i)@customer.test", to: ["support@example.test"]) == .sent else {
                Issue.record("could not send \(i)"); continue
            }
            let accepted = Date()
            var arrived: Date? = nil
            while arrived == nil && Date().timeIntervalSince(accepted) < 30 {
                _ = try watcher.idle(timeout: 2) { false }
                _ = try watcher.select("INBOX")
                let fresh = try watcher.uidSearch("ALL").filter { !seen.contains($0) }
                for message in try watcher.fetch(fresh) {
                    seen.insert(message.uid)
                    if Message(bytes: message.body).inReplyTo == [id] { arrived = Date() }
                }
            }
            guard let arrived else { Issue.record("no acknowledgement for message \(i)"); continue }
            latencies.append(arrived.timeIntervalSince(accepted))
        }
        watcher.logout()
        #expect(latencies.count == count)
        let sorted = latencies.sorted()
        func percentile(_ p: Double) -> Double { sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))] }
        let figures = String(format: "latency: %d messages, acknowledgement after SMTP acceptance: p50 %.2f s, p95 %.2f s, max %.2f s",
                             sorted.count, percentile(0.5), percentile(0.95), sorted.last ?? 0)
        print(figures)
    }
}
}
