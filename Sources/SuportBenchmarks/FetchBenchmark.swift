import Foundation
import SuportService
import MailTransport

/// How long the daemon's own IMAP client takes to fetch every message of the first mailbox
/// in its batches, without filing anything (BODY.PEEK, so nothing changes on the server):
/// what `suport bench fetch` prints, to tell transport time from filing time.
public enum FetchBenchmark {
    public static func run(configuration: Configuration) throws -> String {
        guard let mailbox = configuration.mail.mailboxes.first else {
            throw ConfigError(file: configuration.file, key: "imap.mailboxes", line: nil, problem: "no mailbox to fetch from")
        }
        var uids: [UInt32] = [], bytes = 0
        let seconds = try seconds {
            let connection = try IMAPConnection(mailbox.endpoint)
            _ = try connection.select(mailbox.folder)
            uids = try connection.uidSearch("ALL")
            for batch in uids.chunks(of: configuration.mail.batchSize) {
                bytes += try connection.fetch(Array(batch)).reduce(0) { $0 + $1.body.count }
            }
            connection.logout()
        }
        return String(format: "suport's IMAP client: %d messages, %.1f MB in batches of %d: %.2f s (login included)",
                      uids.count, Double(bytes) / 1_048_576, configuration.mail.batchSize, seconds)
    }
}
