import Foundation
import MailTransport

/// One mailbox the daemon watches.
public struct MailboxSettings: Sendable {
    /// A short name for logs and the dedupe key ("support").
    public let name: String
    public let endpoint: Endpoint
    /// The folder to watch, INBOX by default.
    public let folder: String
    /// With `auth = "oauth2"`: where the login's access token comes from.
    public var tokens: OAuthTokens? = nil
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
    /// With `auth = "oauth2"` in `[smtp]`: where its access token comes from.
    public var smtpTokens: OAuthTokens? = nil
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

    /// The keys of a login by OAuth 2.0, the same in a mailbox and in `[smtp]` (`OAuthSettings` reads them).
    protocol OAuthKeys {
        var auth: String? { get }
        var mechanism: String? { get }
        var tokenFile: String? { get }
        var tokenCommand: String? { get }
        var tokenURL: String? { get }
        var clientID: String? { get }
        var clientSecretEnv: String? { get }
        var clientSecretFile: String? { get }
        var refreshTokenFile: String? { get }
        var scope: String? { get }
        var tokenCAFile: String? { get }
        var deviceURL: String? { get }
    }

    struct MailboxEntry: Decodable, OAuthKeys {
        let name: String
        let user: String
        let passwordEnv: String?
        let passwordFile: String?
        let folder: String?
        let auth, mechanism, tokenFile, tokenCommand, tokenURL, clientID, clientSecretEnv, clientSecretFile, refreshTokenFile, scope,
            tokenCAFile, deviceURL: String?

        enum CodingKeys: String, CodingKey {
            case name, user, passwordEnv = "password_env", passwordFile = "password_file", folder
            case auth, mechanism, tokenFile = "token_file", tokenCommand = "token_command", tokenURL = "token_url", clientID = "client_id"
            case clientSecretEnv = "client_secret_env", clientSecretFile = "client_secret_file", refreshTokenFile = "refresh_token_file"
            case scope, tokenCAFile = "token_ca_file", deviceURL = "device_url"
        }
    }

    struct SMTPSection: Decodable, OAuthKeys {
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
        let auth, mechanism, tokenFile, tokenCommand, tokenURL, clientID, clientSecretEnv, clientSecretFile, refreshTokenFile, scope,
            tokenCAFile, deviceURL: String?

        enum CodingKeys: String, CodingKey {
            case host, port, tls, caFile = "ca_file", localAddress = "local_address", timeout, helo, user
            case passwordEnv = "password_env", passwordFile = "password_file", retryBaseSeconds = "retry_base_seconds"
            case retryMaximumSeconds = "retry_maximum_seconds", giveUpAfterHours = "give_up_after_hours", outboxInterval = "outbox_interval"
            case auth, mechanism, tokenFile = "token_file", tokenCommand = "token_command", tokenURL = "token_url", clientID = "client_id"
            case clientSecretEnv = "client_secret_env", clientSecretFile = "client_secret_file", refreshTokenFile = "refresh_token_file"
            case scope, tokenCAFile = "token_ca_file", deviceURL = "device_url"
        }
    }

    struct LogSection: Decodable {
        let level: String?
        let format: String?
    }

    /// A secret named by `<name>_env` or `<name>_file` (relative to `base`); "" when
    /// `environment` is nil (secrets not needed).
    static func secret(env: String?, file: String?, key: String, name: String = "password", environment: [String: String]?, base: URL,
                       fail: (String, String) -> ConfigError) throws(ConfigError) -> String {
        guard env != nil || file != nil else {
            throw fail(key, "give \(name)_env or \(name)_file (a \(name.replacingOccurrences(of: "_", with: " ")) is never written in this file)")
        }
        guard let environment else { return "" }
        if let env {
            guard let value = environment[env], !value.isEmpty else { throw fail(key + ".\(name)_env", "the environment variable \(env) is not set") }
            return value
        }
        if let file {
            let path = file.hasPrefix("/") ? file : base.appendingPathComponent(file).path
            guard let data = FileManager.default.contents(atPath: path) else { throw fail(key + ".\(name)_file", "cannot read \(path)") }
            return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .newlines)
        }
        throw fail(key, "give \(name)_env or \(name)_file")
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
        func secret(env: String?, file: String?, key: String, name: String = "password") throws(ConfigError) -> String {
            try MailSettings.secret(env: env, file: file, key: key, name: name, environment: environment, base: base, fail: fail)
        }
        /// The token source of an `auth = "oauth2"` login; nil for a password (the default).
        func oauth(_ k: some OAuthKeys, key: String, login: String) throws(ConfigError) -> OAuthTokens? {
            guard let auth = k.auth, auth != "password" else { return nil }
            guard auth == "oauth2" else { throw fail(key + ".auth", "must be password or oauth2") }
            guard let mechanism = Bearer.Mechanism(rawValue: k.mechanism ?? "") else {
                throw fail(key + ".mechanism", "with auth = \"oauth2\", give mechanism = \"xoauth2\" (Google, Microsoft) or \"oauthbearer\" (RFC 7628)")
            }
            let sources = [k.tokenFile != nil, k.tokenCommand != nil, k.tokenURL != nil].filter { $0 }.count
            guard sources == 1 else {
                throw fail(key, "with auth = \"oauth2\", give one of token_file, token_command or token_url (and its client_id, refresh_token_file)")
            }
            let origin: OAuthTokens.Origin
            if let file = k.tokenFile {
                origin = .file(resolve(file))
            } else if let command = k.tokenCommand {
                origin = .command(command)
            } else {
                let url = k.tokenURL ?? ""
                guard url.lowercased().hasPrefix("https://") else { throw fail(key + ".token_url", "must be an https:// address") }
                guard let client = k.clientID, !client.isEmpty else { throw fail(key + ".client_id", "the application's client id is needed with token_url") }
                guard let refresh = k.refreshTokenFile else { throw fail(key + ".refresh_token_file", "the file holding the refresh token is needed with token_url") }
                // A public client (the device-code flow) has no secret.
                let clientSecret = k.clientSecretEnv == nil && k.clientSecretFile == nil
                    ? "" : try secret(env: k.clientSecretEnv, file: k.clientSecretFile, key: key, name: "client_secret")
                if let device = k.deviceURL, !device.lowercased().hasPrefix("https://") {
                    throw fail(key + ".device_url", "must be an https:// address")
                }
                origin = .refresh(OAuthTokens.Refresh(tokenURL: url, clientID: client, clientSecret: clientSecret,
                                                      refreshTokenFile: resolve(refresh), scope: k.scope, caFile: k.tokenCAFile.map(resolve),
                                                      deviceURL: k.deviceURL))
            }
            return environment == nil ? nil : OAuthTokens(mechanism: mechanism, origin: origin, login: login)
        }

        var mailboxes: [MailboxSettings] = []
        if let imap {
            let mode = try tls(imap.tls, host: imap.host, key: "imap.tls")
            for (i, m) in imap.mailboxes.enumerated() {
                guard !m.name.isEmpty, !m.name.contains(":") else { throw fail("imap.mailboxes[\(i)].name", "needs a name without ':'") }
                let tokens = try oauth(m, key: "imap.mailboxes[\(i)]", login: "mailbox \(m.name)")
                let password = m.auth == "oauth2" ? "" : try secret(env: m.passwordEnv, file: m.passwordFile, key: "imap.mailboxes[\(i)]")
                var e = Endpoint(host: imap.host, port: imap.port, tls: mode, caFile: imap.caFile.map(resolve), username: m.user,
                                 password: password, localAddress: imap.localAddress)
                if let t = imap.timeout?.value { e.readTimeout = t; e.connectTimeout = min(t, 30) }
                var mailbox = MailboxSettings(name: m.name, endpoint: e, folder: m.folder ?? "INBOX")
                mailbox.tokens = tokens
                mailboxes.append(mailbox)
            }
        }
        var smtpEndpoint: Endpoint? = nil
        var smtpTokens: OAuthTokens? = nil
        if let smtp {
            let mode = try tls(smtp.tls, host: smtp.host, key: "smtp.tls")
            smtpTokens = try oauth(smtp, key: "smtp", login: "smtp")
            if smtp.auth == "oauth2" && smtp.user == nil { throw fail("smtp.user", "the account to log in as is needed with auth = \"oauth2\"") }
            let password = smtp.user == nil || smtp.auth == "oauth2" ? "" : try secret(env: smtp.passwordEnv, file: smtp.passwordFile, key: "smtp")
            var e = Endpoint(host: smtp.host, port: smtp.port, tls: mode, caFile: smtp.caFile.map(resolve), username: smtp.user ?? "",
                             password: password, localAddress: smtp.localAddress)
            if let t = smtp.timeout?.value { e.readTimeout = t; e.connectTimeout = min(t, 30) }
            smtpEndpoint = e
        }
        let mark = Mark(rawValue: imap?.mark ?? "move")
        guard let mark else { throw fail("imap.mark", "must be move or keyword") }
        let format = log?.format ?? "text"
        guard format == "text" || format == "json" else { throw fail("log.format", "must be text or json") }
        var settings = MailSettings(mailboxes: mailboxes, pollInterval: imap?.pollInterval?.value ?? 30, useIdle: imap?.idle ?? true,
                            filedFolder: imap?.filedFolder ?? "Suport/Filed", mark: mark, batchSize: max(1, imap?.batchSize ?? 20),
                            smtp: smtpEndpoint, helo: smtp?.helo ?? "localhost", retryBase: smtp?.retryBaseSeconds?.value ?? 60,
                            retryMaximum: smtp?.retryMaximumSeconds?.value ?? 3600, giveUpAfter: (smtp?.giveUpAfterHours?.value ?? 48) * 3600,
                            outboxInterval: smtp?.outboxInterval?.value ?? 5, jsonLogs: format == "json", logLevel: log?.level ?? "info")
        settings.smtpTokens = smtpTokens
        return settings
    }
}
