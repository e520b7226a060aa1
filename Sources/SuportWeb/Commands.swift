import ArgumentParser
import Foundation
import Logging
import ServiceLifecycle
import SuportService

/// Holds an async result across the bridge from a synchronous command.
final class Outcome: @unchecked Sendable {
    var error: (any Error)?
}

/// Runs async work from a synchronous command: the work goes to the concurrency pool while
/// this thread (not one of the pool's) waits for it.
func wait(_ work: @escaping @Sendable () async throws -> Void) throws {
    let outcome = Outcome()
    let done = DispatchSemaphore(value: 0)
    Task {
        do { try await work() } catch { outcome.error = error }
        done.signal()
    }
    done.wait()
    if let error = outcome.error {
        complain("\(error)")
        throw ExitCode(1)
    }
}

/// What `serve` and `web` both take: the configuration (read with its secrets) and the log level.
public struct ServiceOptions: ParsableArguments {
    @Option(help: "The configuration file (default: $SUPORT_CONFIG, else config/suport.toml).") var config: String?
    @Option(help: "trace, debug, info, notice, warning, error or critical (default: the configuration's [log] level).")
    var logLevel: String?

    public init() {}

    /// The configuration, or exit status 78 (EX_CONFIG) with the reason.
    func load() throws -> Configuration {
        do { return try Configuration.load(path: Configuration.path(config), secrets: true) } catch {
            complain("\(error)")
            throw ExitCode(78)
        }
    }
}

public struct Serve: ParsableCommand {
    public static let configuration = CommandConfiguration(commandName: "serve", 
        abstract: "Run the daemon: watch the mailboxes over IMAP, send the outbox over SMTP, and serve the web desk ([web]).",
        discussion: "Stops gracefully on SIGTERM or SIGINT: the message in hand is finished and committed, connections are closed, exit status 0.")

    @OptionGroup var options: ServiceOptions

    public init() {}

    public func run() throws {
        let configuration = try options.load()
        let level = options.logLevel
        try wait {
            try await Daemon.run(configuration: configuration, logLevel: level) { desk, logger in
                guard let web = configuration.web else { return [] }
                return [try WebDesk(desk: desk, settings: web, logger: logger).application()]
            }
        }
    }
}

public struct Web: ParsableCommand {
    public static let configuration = CommandConfiguration(commandName: "web", 
        abstract: "Serve only the web desk ([web]), for a host that serves pages while another runs the daemon.",
        discussion: "Stops gracefully on SIGTERM or SIGINT.")

    @OptionGroup var options: ServiceOptions

    public init() {}

    public func run() throws {
        let configuration = try options.load()
        guard let web = configuration.web else {
            complain("\(configuration.file): no [web] section: nothing to serve")
            throw ExitCode(78)
        }
        let level = options.logLevel
        try wait {
            let logger = DaemonLog.makeLogger(level: level ?? configuration.mail.logLevel, json: configuration.mail.jsonLogs)
            let desk = try Desk(configuration: configuration)
            try desk.composer.templates.validate()
            let app = try WebDesk(desk: desk, settings: web, logger: logger).application()
            logger.info("suport web serving", metadata: ["listen": "\(web.host):\(web.port)", "database": "\(configuration.databaseDescription)"])
            let group = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
            try await group.run()
            logger.info("suport web stopped")
        }
    }
}
