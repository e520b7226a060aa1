import Foundation
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import PostgresNIO

/// Where the PostgreSQL database is and how to reach it (`[database]` in the configuration).
public struct PostgresSettings: Sendable, Equatable {
    public enum TLS: String, Sendable {
        /// Encrypted, the server's certificate checked against the system's CAs (or `caFile`) and its name.
        case verifyFull = "verify-full"
        /// Plain TCP: only for a server on loopback (a test cluster).
        case disable
    }

    public var host: String
    public var port: Int
    public var user: String
    public var password: String?
    public var database: String
    public var tls: TLS = .verifyFull
    public var caFile: String? = nil
    /// Connections kept open for the store's threads.
    public var poolSize = 4

    public init(host: String, port: Int, user: String, password: String?, database: String) {
        self.host = host
        self.port = port
        self.user = user
        self.password = password
        self.database = database
    }

    /// Reads `postgres://user@host:port/database` (no password in it: it comes from elsewhere).
    public static func parse(url: String) -> PostgresSettings? {
        guard let c = URLComponents(string: url), c.scheme == "postgres" || c.scheme == "postgresql", let host = c.host, !host.isEmpty,
              let user = c.user, !user.isEmpty, c.password == nil else { return nil }
        let database = String(c.path.drop { $0 == "/" })
        guard !database.isEmpty, !database.contains("/") else { return nil }
        return PostgresSettings(host: host, port: c.port ?? 5432, user: user, password: nil, database: database)
    }

    /// Whether the host is an address on 127.0.0.0/8 or ::1.
    public var isLoopback: Bool { host == "localhost" || host == "::1" || host.hasPrefix("127.") }
}

/// PostgreSQL through postgres-nio, for several daemons on one database. Calls block on the
/// store's own threads (never the cooperative pool) while the connection's event loop does the I/O.
///
/// Every write transaction first takes one transaction-scoped advisory lock, so writers are
/// serialised exactly as SQLite's are and every rule that reads and then writes stays correct
/// across processes and hosts; reads run in REPEATABLE READ snapshots and never wait for writers.
final class PostgresEngine: SQLEngine, @unchecked Sendable {
    let settings: PostgresSettings
    var dialect: SQLDialect { .postgres }
    private let group = MultiThreadedEventLoopGroup.singleton
    private let logger = Logger(label: "suport.postgres")
    private let lock = NSLock()
    private var idle: [PostgresConnection] = []
    private var nextID = 0
    private let tlsContext: NIOSSLContext?

    /// The advisory lock every writer takes (any number, the same everywhere: "suport").
    static let writerLock: Int64 = 0x7375_706f_7274
    /// The one that migrations take, so two processes do not migrate at once.
    static let migrationLock: Int64 = 0x7375_706f_7274 + 1

    init(_ settings: PostgresSettings) throws {
        self.settings = settings
        switch settings.tls {
        case .disable:
            guard settings.isLoopback else { throw PostgresStoreError.plaintextOffLoopback(settings.host) }
            tlsContext = nil
        case .verifyFull:
            // The certificate's name is checked against the host as written: an IP address cannot be checked.
            guard settings.host.rangeOfCharacter(from: CharacterSet.letters) != nil, !settings.host.contains(":") else {
                throw PostgresStoreError.addressWithTLS(settings.host)
            }
            var tls = TLSConfiguration.makeClientConfiguration()
            tls.certificateVerification = .fullVerification
            tls.minimumTLSVersion = .tlsv12
            if let ca = settings.caFile { tls.trustRoots = .file(ca) }
            tlsContext = try NIOSSLContext(configuration: tls)
        }
        // Fails here, at start, when the server cannot be reached or refuses us.
        release(try connection())
    }

    deinit {
        for c in idle { let closing: EventLoopFuture<Void> = c.close(); try? closing.wait() }
    }

    private func connection() throws -> PostgresConnection {
        lock.lock()
        while let c = idle.popLast() {
            if !c.isClosed {
                lock.unlock()
                return c
            }
            // The server ended it while it waited here: closed on our side too, never just dropped.
            discard(c)
        }
        nextID += 1
        let id = nextID
        lock.unlock()
        var config = PostgresConnection.Configuration(host: settings.host, port: settings.port, username: settings.user,
                                                      password: settings.password, database: settings.database,
                                                      tls: tlsContext.map { .require($0) } ?? .disable)
        config.options.connectTimeout = .seconds(10)
        // A daemon whose host is cut off in the middle of a write would hold the writers' lock
        // until TCP gave up on it (hours): the server ends a transaction left idle this long
        // instead. No transaction of ours waits between its statements for anything but CPU.
        config.options.additionalStartupParameters = [("idle_in_transaction_session_timeout", "15s"), ("application_name", "suport")]
        do {
            return try PostgresConnection.connect(on: group.next(), configuration: config, id: id, logger: logger).wait()
        } catch {
            throw PostgresStoreError.describe(error, settings)
        }
    }

    private func release(_ c: PostgresConnection) {
        lock.lock()
        defer { lock.unlock() }
        if idle.count < settings.poolSize && !c.isClosed { idle.append(c) } else { discard(c) }
    }

    /// Closes a connection without waiting, and keeps it until its channel has closed: one let
    /// go sooner trips postgres-nio's check that no connection is dropped open (it stopped a
    /// debug daemon of the two-daemon chaos run when a full pool let one go).
    private func discard(_ c: PostgresConnection) {
        let closing: EventLoopFuture<Void> = c.close()
        closing.whenComplete { _ in withExtendedLifetime(c) {} }
    }

    /// Runs `body` between `begin` and COMMIT on one connection (ROLLBACK when it throws). A
    /// connection that failed is closed rather than given back.
    private func transaction<T>(_ begin: [String], _ body: (SQLSession) throws -> T) throws -> T {
        let c = try connection()
        let session = PostgresSession(c, logger: logger, settings: settings)
        do {
            for sql in begin { try session.execute(sql, [], cached: false) }
            let result = try body(SQLSession(session))
            try session.execute("COMMIT", [], cached: false)
            release(c)
            return result
        } catch {
            if (try? session.execute("ROLLBACK", [], cached: false)) != nil { release(c) } else { discard(c) }
            throw error
        }
    }

    func write<T>(durable: Bool, _ body: (SQLSession) throws -> T) throws -> T {
        // One statement after BEGIN: every round trip is paid by every write.
        try transaction(["BEGIN", "SELECT pg_advisory_xact_lock(\(Self.writerLock))"
                         + (durable ? "" : ", set_config('synchronous_commit', 'off', true)")], body)
    }

    func read<T>(_ body: (SQLSession) throws -> T) throws -> T {
        try transaction(["BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"], body)
    }

    func migrate() throws -> [String] {
        // Every command opens the store: an up-to-date schema is read, not migrated.
        let done = Set(try read { db in
            try Bool.fetchOne(db, sql: "SELECT to_regclass('schema_migrations') IS NOT NULL") == true
                ? try String.fetchAll(db, sql: "SELECT identifier FROM schema_migrations") : []
        })
        let wanted = PostgresSchema.migrations.map(\.name)
        if wanted.allSatisfy(done.contains) { return [] }
        return try transaction(["BEGIN", "SELECT pg_advisory_xact_lock(\(Self.migrationLock))"]) { db in
            try db.execute(sql: "CREATE TABLE IF NOT EXISTS schema_migrations (identifier TEXT PRIMARY KEY, applied_at DOUBLE PRECISION NOT NULL)")
            let applied = Set(try String.fetchAll(db, sql: "SELECT identifier FROM schema_migrations"))
            var names: [String] = []
            for m in PostgresSchema.migrations where !applied.contains(m.name) {
                for sql in m.statements { try db.execute(sql: sql) }
                try db.execute(sql: "INSERT INTO schema_migrations (identifier, applied_at) VALUES (?, ?)",
                               arguments: [m.name, Date().timeIntervalSince1970])
                names.append(m.name)
            }
            return names
        }
    }

    /// Runs one statement outside any transaction (CREATE DATABASE cannot run in one).
    func administer(_ sql: String) throws {
        let c = try connection()
        defer { release(c) }
        try PostgresSession(c, logger: logger, settings: settings).execute(sql, [], cached: false)
    }

    /// Autovacuum keeps the space purges free for reuse; a plain VACUUM asks for it now.
    func reclaimSpace() throws {
        let c = try connection()
        defer { release(c) }
        try PostgresSession(c, logger: logger, settings: settings).execute("VACUUM", [], cached: false)
    }
}

/// One PostgreSQL connection as the store's queries see it: `?` and `?NNN` become `$n`, and the
/// few SQLite function names the shared SQL uses become their PostgreSQL names.
final class PostgresSession: SQLConnection {
    let connection: PostgresConnection
    let logger: Logger
    let settings: PostgresSettings
    var dialect: SQLDialect { .postgres }

    init(_ connection: PostgresConnection, logger: Logger, settings: PostgresSettings) {
        self.connection = connection
        self.logger = logger
        self.settings = settings
    }

    private func run(_ sql: String, _ arguments: [SQLValue]) throws -> PostgresQueryResult {
        var binds = PostgresBindings(capacity: arguments.count)
        for a in arguments {
            switch a {
            case .null: binds.appendNull()
            case .integer(let i): binds.append(i)
            case .real(let d): binds.append(d)
            case .text(let s): binds.append(s)
            case .blob(let b): binds.append(ByteBuffer(bytes: b))
            }
        }
        do {
            return try connection.query(PostgresQuery(unsafeSQL: PostgresDialect.translate(sql), binds: binds), logger: logger).wait()
        } catch {
            throw PostgresStoreError.describe(error, settings)
        }
    }

    @discardableResult func execute(_ sql: String, _ arguments: [SQLValue], cached: Bool) throws -> Int {
        try run(sql, arguments).metadata.rows ?? 0
    }

    func query(_ sql: String, _ arguments: [SQLValue], cached: Bool) throws -> (SQLColumns, [[SQLValue]]) {
        let result = try run(sql, arguments)
        guard let first = result.rows.first else { return (SQLColumns([]), []) }
        let columns = SQLColumns(first.map(\.columnName))
        return (columns, try result.rows.map { row in try row.map(Self.value) })
    }

    /// A cell as the store reads values: integers, reals, text and bytes, as SQLite gives them.
    static func value(_ cell: PostgresCell) throws -> SQLValue {
        guard cell.bytes != nil else { return .null }
        switch cell.dataType {
        case .int2, .int4, .int8, .oid: return .integer(try cell.decode(Int64.self))
        case .float4, .float8: return .real(try cell.decode(Double.self))
        case .bool: return .integer(try cell.decode(Bool.self) ? 1 : 0)
        case .numeric:
            let d = try cell.decode(Decimal.self)
            let n = NSDecimalNumber(decimal: d)
            return d == Decimal(n.int64Value) ? .integer(n.int64Value) : .real(n.doubleValue)
        case .bytea: return .blob(Array((try cell.decode(ByteBuffer.self)).readableBytesView))
        case .text, .varchar, .name, .bpchar, .jsonb, .unknown: return .text(try cell.decode(String.self))
        default:
            // Types the store never reads (a tsvector, when a test walks every column): their bytes as text.
            var bytes = cell.bytes!
            return .text(bytes.readString(length: bytes.readableBytes) ?? "")
        }
    }
}

/// The shared SQL, written in the dialect both engines speak, made PostgreSQL's: placeholders
/// numbered as SQLite numbers them, and three functions by their PostgreSQL names.
enum PostgresDialect {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var cache: [String: String] = [:]

    static func translate(_ sql: String) -> String {
        lock.lock()
        if let done = cache[sql] {
            lock.unlock()
            return done
        }
        lock.unlock()
        let done = rewrite(sql)
        lock.lock()
        if cache.count < 10_000 { cache[sql] = done }
        lock.unlock()
        return done
    }

    /// `?` → `$(highest so far + 1)`, `?N` → `$N`; `instr(` → `strpos(`, `char(` → `chr(`,
    /// `group_concat(` → `string_agg(`, `LIKE` → `ILIKE` (SQLite's LIKE ignores ASCII case).
    /// Quoted strings and identifiers are left as they are.
    static func rewrite(_ sql: String) -> String {
        let renames: [([Character], String)] = [("instr(", "strpos("), ("char(", "chr("), ("group_concat(", "string_agg("), ("LIKE ", "ILIKE ")]
            .map { (Array($0.0), $0.1) }
        let chars = Array(sql)
        func matches(_ word: [Character], at i: Int) -> Bool {
            guard i + word.count <= chars.count else { return false }
            for k in 0..<word.count where chars[i + k] != word[k] { return false }
            return true
        }
        func wordStarts(_ i: Int) -> Bool { i == 0 || !(chars[i - 1].isLetter || chars[i - 1].isNumber || chars[i - 1] == "_") }
        var out = ""
        out.reserveCapacity(sql.utf8.count + 16)
        var highest = 0
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if c == "'" || c == "\"" {
                var j = i + 1
                while j < chars.count && chars[j] != c { j += 1 }
                out.append(contentsOf: chars[i...min(j, chars.count - 1)])
                i = j + 1
                continue
            }
            if c == "?" {
                var j = i + 1
                while j < chars.count, chars[j].isASCII, chars[j].isNumber { j += 1 }
                let n = j > i + 1 ? Int(String(chars[(i + 1)..<j]))! : highest + 1
                highest = max(highest, n)
                out += "$\(n)"
                i = j
                continue
            }
            if wordStarts(i), let (from, to) = renames.first(where: { matches($0.0, at: i) }) {
                out += to
                i += from.count
                continue
            }
            out.append(c)
            i += 1
        }
        return out
    }
}

/// PostgreSQL's failures in words an operator can act on (the password never among them).
public enum PostgresStoreError: Error, CustomStringConvertible {
    case plaintextOffLoopback(String)
    case addressWithTLS(String)
    case server(String)

    public var description: String {
        switch self {
        case .plaintextOffLoopback(let host):
            return "database tls = \"disable\" is only for a server on loopback, not \(host): use verify-full"
        case .addressWithTLS(let host):
            return "database host \(host) is an address: with TLS, give the server's name as its certificate has it"
        case .server(let s): return s
        }
    }

    static func describe(_ error: any Error, _ settings: PostgresSettings) -> PostgresStoreError {
        if let e = error as? PSQLError {
            let message = e.serverInfo?[.message] ?? "\(e.code)"
            let detail = e.serverInfo?[.detail].map { " (\($0))" } ?? ""
            return .server("PostgreSQL at \(settings.host):\(settings.port)/\(settings.database): \(message)\(detail)")
        }
        return .server("PostgreSQL at \(settings.host):\(settings.port)/\(settings.database): \(error)")
    }
}
