import Foundation
import MIME

/// One message from standard input filed as the MTA pipe needs it: the exit status tells the
/// MTA whether to keep the message and try again. `suport ingest` and the small `suport-ingest`
/// executable (the pipe without the rest of the command line linked in) both run this.
public enum MailPipe {
    /// The message was filed, dropped as our own, or was filed before.
    public static let filed: Int32 = 0
    /// No bytes at all on standard input (EX_DATAERR): nothing to keep.
    public static let empty: Int32 = 65
    /// Anything that kept the message from being stored (EX_TEMPFAIL): the MTA retries.
    public static let tryAgain: Int32 = 75

    /// Reads standard input, files it with the configuration at `configPath` and prints the
    /// outcome (a line, or JSON); says why on standard error otherwise. Returns the exit status.
    public static func run(configPath: String, mailbox: String?, json: Bool) -> Int32 {
        let raw: [UInt8]
        do { raw = try RawInput.read(path: "-") } catch {
            return complain("\(error)", tryAgain)
        }
        guard !raw.isEmpty else { return complain("no message on standard input", empty) }
        let desk: Desk
        do { desk = try Desk(configuration: Configuration.load(path: configPath)) } catch {
            return complain("\(error)", tryAgain)
        }
        do {
            let outcome = try desk.file(Desk.Mail(raw: raw, source: mailbox))
            let summary = outcome.summary(tag: desk.policy.tag)
            print(json ? JSONValue.object([("ticket", outcome.ticket.map { .int($0) } ?? .null), ("summary", .string(summary)),
                                           ("notifications", .int(outcome.notifications))]).rendered()
                       : summary)
            return filed
        } catch {
            return complain("could not file the message, try again later: \(error)", tryAgain)
        }
    }

    private static func complain(_ message: String, _ status: Int32) -> Int32 {
        SuportService.complain(message)
        return status
    }
}
