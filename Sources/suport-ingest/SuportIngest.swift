import Foundation
import SuportService

/// `suport-ingest`: the MTA pipe alone, `suport ingest` without the command tree, the web desk
/// and the benchmarks linked in, so a process per message starts in less (docs/benchmarks.md).
/// Arguments are read by hand: there are three.
@main
struct SuportIngest {
    static let usage = """
        usage: suport-ingest [--config FILE] [--mailbox NAME] [--json] < message
        Files one message from standard input (for an MTA pipe), as `suport ingest` does.
        --config defaults to $SUPORT_CONFIG, else config/suport.toml.
        Exit status: 0 filed, dropped or already filed; 75 (EX_TEMPFAIL) on a transient failure
        or a mistyped command line, so the MTA keeps the message; 65 (EX_DATAERR) when there are no bytes at all.
        """

    static func main() {
        var config: String?, mailbox: String?, json = false
        var arguments = CommandLine.arguments.dropFirst()
        while let argument = arguments.popFirst() {
            switch argument {
            case "--config" where !arguments.isEmpty: config = arguments.popFirst()
            case "--mailbox" where !arguments.isEmpty: mailbox = arguments.popFirst()
            case "--json": json = true
            case "-h", "--help":
                print(usage)
                exit(0)
            default:
                // A mistyped pipe must not bounce the mail it was given: the MTA keeps it while
                // the command line is fixed.
                FileHandle.standardError.write(Data("suport-ingest: unexpected \(argument)\n\(usage)\n".utf8))
                exit(MailPipe.tryAgain)
            }
        }
        exit(MailPipe.run(configPath: Configuration.path(config), mailbox: mailbox, json: json))
    }
}
