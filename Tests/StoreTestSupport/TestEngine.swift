import Foundation
import TicketStore

/// Which engine the store tests run on: SQLite, or PostgreSQL when `SUPORT_TEST_POSTGRES` names
/// the settings file `scripts/postgres up` wrote (scripts/test runs the store's and the web
/// desk's suites on both). Each fixture gets a database of its own: a file, or a PostgreSQL
/// database copied from a template migrated once per run.
public enum TestEngine {
    public static let postgres: PostgresSettings? = {
        guard let file = ProcessInfo.processInfo.environment["SUPORT_TEST_POSTGRES"], !file.isEmpty else { return nil }
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { fatalError("SUPORT_TEST_POSTGRES: cannot read \(file)") }
        var env: [String: String] = [:]
        for line in text.split(separator: "\n") {
            let kv = line.split(separator: "=", maxSplits: 1).map(String.init)
            if kv.count == 2 { env[kv[0]] = kv[1] }
        }
        var s = PostgresSettings(host: env["PG_HOST"] ?? "localhost", port: Int(env["PG_PORT"] ?? "") ?? 5432, user: env["PG_USER"] ?? "suport",
                                 password: env["PG_PASSWORD"], database: env["PG_DATABASE"] ?? "suport")
        s.caFile = env["PG_CA"]
        return s
    }()

    public static var isPostgres: Bool { postgres != nil }

    /// A database migrated once, copied for every fixture (a copy costs far less than 21 migrations).
    private static let template = Result<String, any Error>(catching: {
        guard var s = postgres else { throw CocoaError(.featureUnsupported) }
        let name = "tpl_\(getpid())_" + String(UUID().uuidString.prefix(8)).lowercased()
        try SQLStore.createDatabase(name, on: s)
        s.database = name
        do { _ = try SQLStore(postgres: s) }
        return name
    })

    /// A new PostgreSQL database, migrated and empty; where it is.
    public static func postgresDatabase() throws -> PostgresSettings {
        guard var s = postgres else { throw CocoaError(.featureUnsupported) }
        let name = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        try SQLStore.createDatabase(name, template: try template.get(), on: s)
        s.database = name
        return s
    }

    /// A new, empty, migrated store, and how to open it again.
    public static func store(folder: URL, firstTicketNumber: Int) throws -> (SQLStore, () throws -> SQLStore) {
        guard isPostgres else {
            let path = folder.appendingPathComponent("t.sqlite").path
            return (try SQLStore(path: path, firstTicketNumber: firstTicketNumber), { try SQLStore(path: path, firstTicketNumber: firstTicketNumber) })
        }
        let settings = try postgresDatabase()
        return (try SQLStore(postgres: settings, firstTicketNumber: firstTicketNumber),
                { try SQLStore(postgres: settings, firstTicketNumber: firstTicketNumber) })
    }
}
