import Foundation
import MailTransport

/// One mailbox the daemon watches.
public struct MailboxSettings: Sendable {
    /// A short name for logs and the dedupe key ("support").
    public let name: String
    public let endpoint: Endpoint
    /// The folder to watch, INBOX by default.
    public let folder: String
}

/// How the daemon reaches the mail servers: `[imap]`, `[[imap.mailboxes]]`, `[smtp]`, `[log]`.
public struct MailSettings: Sendable {
    public enum Mark: String, Sendable { case move, keyword }

    public let mailboxes: [MailboxSettings]
    /// Seconds between polls when IDLE is not used or reports nothing.
    public let pollInterval: Double
    public let useIdle: Bool
    /// Where filed messages go (mark = move), created if missing.
    public let filedFolder: String
    public let mark: Mark
    /// Messages fetched per UID FETCH.
    public let batchSize: Int
    public let smtp: Endpoint?
    public let helo: String
    /// First retry delay; doubled each time up to `retryMaximum`.
    public let retryBase: Double
    public let retryMaximum: Double
    /// After this long a notification that still fails is given up and recorded on the ticket.
    public let giveUpAfter: Double
    /// Seconds between looks at the outbox.
    public let outboxInterval: Double
    public let jsonLogs: Bool
    public let logLevel: String

    public static let keyword = "$SuportFiled"

    // MARK: the file's shape

    /// A number written as a TOML integer or float (`30` and `0.5` both mean seconds).
    struct Number: Decodable {
        let value: Double
        init(from decoder: Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let i = try? c.decode(Int.self) { value = Double(i) } else { value = try c.decode(Double.self) }
        }
    }

    struct IMAPSection: Decodable {
        let host: String
        let port: Int
        let tls: String?
        let caFile: String?
        let localAddress: String?
        let timeout: Number?
        let pollInterval: Number?
        let idle: Bool?
        let filedFolder: String?
        let mark: String?
        let batchSize: Int?
        let mailboxes: [MailboxEntry]

        enum CodingKeys: String, CodingKey {
            case host, port, tls, caFile = "ca_file", localAddress = "local_address", timeout, pollInterval = "poll_interval", idle
            case filedFolder = "filed_folder", mark, batchSize = "batch_size", mailboxes
        }
    }

    struct MailboxEntry: Decodable {
        let name: String
        let user: String
        let passwordEnv: String?
        let passwordFile: String?
        let folder: String?

        enum CodingKeys: String, CodingKey {
            case name, user, passwordEnv = "password_env", passwordFile = "password_file", folder
        }
    }

    struct SMTPSection: Decodable {
        let host: String
        let port: Int
        let tls: String?
        let caFile: String?
        let localAddress: String?
        let timeout: Number?
        let helo: String?
        let user: String?
        let passwordEnv: String?
        let passwordFile: String?
        let retryBaseSeconds: Number?
        let retryMaximumSeconds: Number?
        let giveUpAfterHours: Number?
        let outboxInterval: Number?

        enum CodingKeys: String, CodingKey {
            case host, port, tls, caFile = "ca_file", localAddress = "local_address", timeout, helo, user
            case passwordEnv = "password_env", passwordFile = "password_file", retryBaseSeconds = "retry_base_seconds"
            case retryMaximumSeconds = "retry_maximum_seconds", giveUpAfterHours = "give_up_after_hours", outboxInterval = "outbox_interval"
        }
    }

    struct LogSection: Decodable {
        let level: String?
        let format: String?
    }

    /// Builds the settings, reading secrets from the environment or files; `fail` makes the error for a key.
    /// `environment` is nil when secrets are not needed (the admin CLI): passwords stay empty then.
    static func build(imap: IMAPSection?, smtp: SMTPSection?, log: LogSection?, base: URL,
                      environment: [String: String]?, fail: (String, String) -> ConfigError) throws(ConfigError) -> MailSettings {
        func resolve(_ p: String) -> String { p.hasPrefix("/") ? p : base.appendingPathComponent(p).path }
        func tls(_ value: String?, host: String, key: String) throws(ConfigError) -> TLSMode {
            guard let mode = TLSMode(rawValue: value ?? "implicit") else { throw fail(key, "must be implicit, starttls or none") }
            if mode == .none {
                let probe = Endpoint(host: host, port: 0, tls: .none, username: "", password: "")
                guard probe.isLoopback else { throw fail(key, "\"none\" (no TLS) is only allowed for a server on this machine") }
            }
            return mode
        }
        func secret(env: String?, file: String?, key: String) throws(ConfigError) -> String {
            guard env != nil || file != nil else {
                throw fail(key, "give password_env or password_file (a password is never written in this file)")
            }
            guard let environment else { return "" }
            if let env {
                guard let value = environment[env], !value.isEmpty else { throw fail(key + ".password_env", "the environment variable \(env) is not set") }
                return value
            }
            if let file {
                guard let data = FileManager.default.contents(atPath: resolve(file)) else {
                    throw fail(key + ".password_file", "cannot read \(resolve(file))")
                }
                return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .newlines)
            }
            throw fail(key, "give password_env or password_file (a password is never written in this file)")
        }

        var mailboxes: [MailboxSettings] = []
        if let imap {
            let mode = try tls(imap.tls, host: imap.host, key: "imap.tls")
            for (i, m) in imap.mailboxes.enumerated() {
                var e = Endpoint(host: imap.host, port: imap.port, tls: mode, caFile: imap.caFile.map(resolve), username: m.user,
                                 password: try secret(env: m.passwordEnv, file: m.passwordFile, key: "imap.mailboxes[\(i)]"),
                                 localAddress: imap.localAddress)
                if let t = imap.timeout?.value { e.readTimeout = t; e.connectTimeout = min(t, 30) }
                guard !m.name.isEmpty, !m.name.contains(":") else { throw fail("imap.mailboxes[\(i)].name", "needs a name without ':'") }
                mailboxes.append(MailboxSettings(name: m.name, endpoint: e, folder: m.folder ?? "INBOX"))
            }
        }
        var smtpEndpoint: Endpoint? = nil
        if let smtp {
            let mode = try tls(smtp.tls, host: smtp.host, key: "smtp.tls")
            let password = smtp.user == nil ? "" : try secret(env: smtp.passwordEnv, file: smtp.passwordFile, key: "smtp")
            var e = Endpoint(host: smtp.host, port: smtp.port, tls: mode, caFile: smtp.caFile.map(resolve), username: smtp.user ?? "",
                             password: password, localAddress: smtp.localAddress)
            if let t = smtp.timeout?.value { e.readTimeout = t; e.connectTimeout = min(t, 30) }
            smtpEndpoint = e
        }
        let mark = Mark(rawValue: imap?.mark ?? "move")
        guard let mark else { throw fail("imap.mark", "must be move or keyword") }
        let format = log?.format ?? "text"
        guard format == "text" || format == "json" else { throw fail("log.format", "must be text or json") }
        return MailSettings(mailboxes: mailboxes, pollInterval: imap?.pollInterval?.value ?? 30, useIdle: imap?.idle ?? true,
                            filedFolder: imap?.filedFolder ?? "Suport/Filed", mark: mark, batchSize: max(1, imap?.batchSize ?? 20),
                            smtp: smtpEndpoint, helo: smtp?.helo ?? "localhost", retryBase: smtp?.retryBaseSeconds?.value ?? 60,
                            retryMaximum: smtp?.retryMaximumSeconds?.value ?? 3600, giveUpAfter: (smtp?.giveUpAfterHours?.value ?? 48) * 3600,
                            outboxInterval: smtp?.outboxInterval?.value ?? 5, jsonLogs: format == "json", logLevel: log?.level ?? "info")
    }
}
