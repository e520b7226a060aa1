import Foundation
import TicketStore

extension Configuration {
    /// The store this configuration names, migrated: the PostgreSQL database, else the SQLite file.
    public func openStore() throws -> SQLStore {
        if let postgres { return try SQLStore(postgres: postgres, firstTicketNumber: firstTicketNumber) }
        return try SQLStore(path: databasePath, firstTicketNumber: firstTicketNumber)
    }
}

/// `[database]`: the PostgreSQL database several daemons share. Without it, the SQLite file
/// named by `suport.database` is the store.
enum DatabaseSettings {
    struct Section: Decodable {
        let url: String
        let passwordEnv: String?
        let passwordFile: String?
        let tls: String?
        let caFile: String?

        enum CodingKeys: String, CodingKey {
            case url, passwordEnv = "password_env", passwordFile = "password_file", tls, caFile = "ca_file"
        }
    }

    /// The settings, the password read at once: every command needs the database, so unlike
    /// the mail servers' secrets it is read even when `environment` is nil (from the process's own).
    static func build(_ s: Section, base: URL, environment: [String: String]?,
                      fail: (String, String) -> ConfigError) throws(ConfigError) -> PostgresSettings {
        guard var settings = PostgresSettings.parse(url: s.url) else {
            throw fail("database.url", "must be postgres://USER@HOST:PORT/DATABASE (the password goes in password_env or password_file)")
        }
        guard let tls = PostgresSettings.TLS(rawValue: s.tls ?? "verify-full") else {
            throw fail("database.tls", "must be verify-full or disable")
        }
        if tls == .disable && !settings.isLoopback {
            throw fail("database.tls", "\"disable\" (no TLS) is only allowed for a server on this machine")
        }
        settings.tls = tls
        settings.caFile = s.caFile.map { $0.hasPrefix("/") ? $0 : base.appendingPathComponent($0).path }
        settings.password = try MailSettings.secret(env: s.passwordEnv, file: s.passwordFile, key: "database",
                                                    environment: environment ?? ProcessInfo.processInfo.environment, base: base, fail: fail)
        return settings
    }
}
