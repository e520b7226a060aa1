import Foundation
import SuportService
import MailTransport
import MIME

/// Notifications sent per second to the configured SMTP server, over one connection kept
/// between messages (what the outbox dispatcher does) and over a new connection for each:
/// what `suport bench smtp` prints. A figure, not a test; it really sends `count` messages
/// twice, so point it at a test server.
public enum OutboxBenchmark {
    public static func run(configuration: Configuration, count: Int, to recipient: String) throws -> String {
        guard let endpoint = configuration.mail.smtp else {
            throw ConfigError(file: configuration.file, key: "smtp", line: nil, problem: "no [smtp] section to measure")
        }
        let sender = configuration.policy.queues[0].addresses[0]
        let messages = try (0..<count).map { i in
            let m = OutgoingMessage(from: Address(name: "Suport", address: sender), to: [Address(name: nil, address: recipient)],
                                    subject: "[suport#\(i + 1)] mesura de la cua de sortida",
                                    messageID: OutgoingMessage.newMessageID(domain: configuration.policy.messageIDDomain),
                                    text: String(repeating: "Hem rebut el vostre missatge i us respondrem aviat.\n", count: 20))
            return try m.render()
        }
        var lines: [String] = []
        var rates: [Double] = []
        for reuse in [true, false] {
            var client = SMTPClient(endpoint, helo: configuration.mail.helo)
            var failures = 0
            let seconds = seconds {
                for bytes in messages {
                    if !reuse { client = SMTPClient(endpoint, helo: configuration.mail.helo) }
                    if client.send(bytes, from: sender, to: [recipient]) != .sent { failures += 1 }
                }
            }
            rates.append(Double(count) / seconds)
            lines.append(String(format: "smtp (%@): %d notifications in %.2f s: %.1f per second (%d failed)",
                                reuse ? "one connection kept" : "a new connection each", count, seconds, Double(count) / seconds, failures))
        }
        lines.append(String(format: "ratio: %.1fx", rates[0] / rates[1]))
        return lines.joined(separator: "\n")
    }
}
