import Foundation
import Logging
import MailTransport
import ServiceLifecycle

/// `suport serve`: the mailbox pollers, the outbox dispatcher and the scheduler in one service group that
/// stops gracefully on SIGTERM or SIGINT (finishing the message in hand and committing).
public enum Daemon {
    /// Runs until SIGTERM or SIGINT; `more` adds services on the same desk (the web desk, which
    /// this module cannot name).
    public static func run(configuration: Configuration, logLevel: String?,
                           more: (Desk, Logger) throws -> [any Service] = { _, _ in [] }) async throws {
        let logger = DaemonLog.makeLogger(level: logLevel ?? configuration.mail.logLevel, json: configuration.mail.jsonLogs)
        let desk = try Desk(configuration: configuration)
        // A long-running daemon finds a broken template at its start, not at its first notice.
        try desk.composer.templates.validate()
        var services: [any Service] = try more(desk, logger)
        let doorbell = Doorbell()
        // Another daemon on the same database shares the work: each mailbox, each notification
        // and the scheduler is in one daemon's hands at a time.
        let lease = DaemonLease(seconds: configuration.leaseSeconds)
        for gone in try lease.releaseTheDead(on: desk.store) {
            logger.notice("gave up what a daemon of this machine that is gone held", metadata: ["holder": "\(gone)"])
        }
        for mailbox in configuration.mail.mailboxes {
            services.append(MailboxPoller(desk: desk, settings: configuration.mail, mailbox: mailbox, lease: lease, logger: logger,
                                          doorbell: configuration.mail.smtp == nil ? nil : doorbell))
        }
        if let smtp = configuration.mail.smtp {
            services.append(OutboxDispatcher(desk: desk, settings: configuration.mail, endpoint: smtp, lease: lease, logger: logger,
                                             doorbell: doorbell))
        }
        guard !services.isEmpty else {
            throw ConfigError(file: configuration.file, key: "imap", line: nil, problem: "nothing to run: configure [imap], [smtp] or [web]")
        }
        services.append(Scheduler(desk: desk, lease: lease, logger: logger))
        logger.info("suport serving", metadata: ["mailboxes": "\(configuration.mail.mailboxes.map(\.name).joined(separator: ","))",
                                                 "smtp": "\(configuration.mail.smtp.map { "\($0.host):\($0.port)" } ?? "off")",
                                                 "web": "\(configuration.web.map { "\($0.host):\($0.port)" } ?? "off")",
                                                 "database": "\(configuration.databaseDescription)", "holder": "\(lease.holder)"])
        let group = ServiceGroup(configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
        logger.info("suport stopped")
    }

    /// `suport check`: the configuration, each mailbox and the SMTP server, in plain words.
    /// Returns the report and whether everything worked.
    public static func check(configuration: Configuration) -> (String, Bool) {
        var lines = ["configuration \(configuration.file): ok"]
        var ok = true
        do {
            let counts = try configuration.openStore().counts()
            lines.append("database \(configuration.databaseDescription): ok, \(counts["tickets"] ?? 0) tickets")
        } catch {
            lines.append("database \(configuration.databaseDescription): \(error)")
            ok = false
        }
        do {
            try Desk.loadTemplates(configuration.templatesPath).validate()
            lines.append("templates: ok")
        } catch {
            lines.append("templates: \(error)")
            ok = false
        }
        for mailbox in configuration.mail.mailboxes {
            do {
                let conn = try OAuthTokens.login(mailbox.endpoint, mailbox.tokens) { try IMAPConnection($0) }
                let selected = try conn.select(mailbox.folder)
                lines.append("mailbox \(mailbox.name) (\(mailbox.endpoint.username) at \(mailbox.endpoint.host):\(mailbox.endpoint.port), "
                    + "\(mailbox.folder)): ok, \(selected.exists) message\(selected.exists == 1 ? "" : "s") waiting"
                    + (conn.capabilities.contains("IDLE") ? ", IDLE available" : "") + loginWords(mailbox.tokens))
                conn.logout()
            } catch {
                lines.append("mailbox \(mailbox.name): \(error)")
                ok = false
            }
        }
        if let smtp = configuration.mail.smtp {
            let tokens = configuration.mail.smtpTokens
            let checked = Result { () throws -> Void in
                try OAuthTokens.login(smtp, tokens) { e in try SMTPClient(e, helo: configuration.mail.helo).check().get() }
            }
            switch checked {
            case .success: lines.append("smtp \(smtp.host):\(smtp.port): ok" + loginWords(tokens))
            case .failure(let error):
                lines.append("smtp: \(error)")
                ok = false
            }
        } else {
            lines.append("smtp: not configured (notifications wait in the outbox)")
        }
        return (lines.joined(separator: "\n"), ok)
    }

    /// How a login went, for `check`: the mechanism, and whether the token was refreshed.
    static func loginWords(_ tokens: OAuthTokens?) -> String {
        guard let tokens else { return "" }
        let how = switch tokens.origin {
        case .file: "from token_file"
        case .command: "from token_command"
        case .refresh: tokens.refreshCount > 0 ? "refreshed at the token endpoint" : "held"
        }
        return ", logged in with \(tokens.mechanism.rawValue.uppercased()) (token \(how))"
    }
}
