import Foundation

/// A private PostgreSQL cluster from `scripts/postgres` (root, loopback, TLS), one for the
/// whole run, stopped at exit; each test makes a database of its own in it.
final class PostgresServer: @unchecked Sendable {
    let settings: [String: String]
    var port: Int { Int(settings["PG_PORT"] ?? "") ?? 0 }
    var ca: String { settings["PG_CA"] ?? "" }
    var password: String { settings["PG_PASSWORD"] ?? "" }

    init() throws {
        let out = try MailServers.run(MailServers.repo.appendingPathComponent("scripts/postgres").path, ["up"])
        let s = MailServers.settings(out)
        guard s["PG_DIR"] != nil else { throw NSError(domain: "postgres", code: 1, userInfo: [NSLocalizedDescriptionKey: out]) }
        settings = s
    }

    static let shared: Result<PostgresServer, any Error> = {
        let result = Result { try PostgresServer() }
        if case .success(let server) = result {
            dir = server.settings["PG_DIR"]
            atexit { if let d = PostgresServer.dir { _ = try? MailServers.run(MailServers.repo.appendingPathComponent("scripts/postgres").path, ["down", d]) } }
        }
        return result
    }()
    nonisolated(unsafe) static var dir: String?

    static func get() throws -> PostgresServer { try shared.get() }

    /// A new, empty database; its name.
    func createDatabase() throws -> String {
        let name = "it_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        _ = try MailServers.run("/usr/bin/psql", ["-q", "-v", "ON_ERROR_STOP=1", "-c", "CREATE DATABASE \(name)",
                                                  "host=localhost port=\(port) user=suport dbname=suport sslmode=verify-full sslrootcert=\(ca)"],
                                environment: ["PGPASSWORD": password])
        return name
    }

    /// The `[database]` section for a database of this cluster.
    func section(_ database: String) -> String {
        """

        [database]
        url = "postgres://suport@localhost:\(port)/\(database)"
        password_env = "TEST_DB_PASSWORD"
        ca_file = "\(ca)"

        """
    }
}
