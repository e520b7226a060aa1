import ArgumentParser
import Foundation
import SuportService

/// Holds an async result across the bridge from a synchronous command.
final class Outcome: @unchecked Sendable {
    var error: (any Error)?
}

struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the daemon: watch the mailboxes over IMAP and send the outbox over SMTP.",
        discussion: "Stops gracefully on SIGTERM or SIGINT: the message in hand is finished and committed, connections are closed, exit status 0.")

    @Option(help: "The configuration file (default: $SUPORT_CONFIG, else config/suport.toml).") var config: String?
    @Option(help: "trace, debug, info, notice, warning, error or critical (default: the configuration's [log] level).")
    var logLevel: String?

    func run() throws {
        let path = Configuration.path(config)
        let configuration: Configuration
        do { configuration = try Configuration.load(path: path, secrets: true) } catch {
            complain("\(error)")
            throw ExitCode(78)
        }
        // The command line is synchronous; the daemon runs on the concurrency pool while this
        // thread (not one of the pool's) waits for it.
        let outcome = Outcome()
        let done = DispatchSemaphore(value: 0)
        let level = logLevel
        Task {
            do { try await Daemon.run(configuration: configuration, logLevel: level) } catch { outcome.error = error }
            done.signal()
        }
        done.wait()
        if let error = outcome.error {
            complain("\(error)")
            throw ExitCode(1)
        }
    }
}

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Check the configuration, each mailbox and the SMTP server.")

    @Option(help: "The configuration file (default: $SUPORT_CONFIG, else config/suport.toml).") var config: String?

    func run() throws {
        let path = Configuration.path(config)
        do {
            let (report, ok) = Daemon.check(configuration: try Configuration.load(path: path, secrets: true))
            print(report)
            if !ok { throw ExitCode(1) }
        } catch let exit as ExitCode {
            throw exit
        } catch {
            complain("\(error)")
            throw ExitCode(78)
        }
    }
}
