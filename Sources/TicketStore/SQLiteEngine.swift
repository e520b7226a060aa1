import Foundation
import GRDB

/// What the store needs of an engine besides running statements: transactions, reads,
/// migrations and housekeeping. Calls block.
protocol SQLEngine: Sendable {
    var dialect: SQLDialect { get }
    /// One write transaction, serialised with every other writer. `durable: false` commits
    /// without waiting for the disk: it survives a crash of the process, not of the machine.
    func write<T>(durable: Bool, _ body: (SQLSession) throws -> T) throws -> T
    /// A consistent snapshot of the database for the length of `body`.
    func read<T>(_ body: (SQLSession) throws -> T) throws -> T
    /// Applies the schema migrations not yet applied; returns their names.
    func migrate() throws -> [String]
    /// Gives the space that purges freed back for reuse.
    func reclaimSpace() throws
}

/// SQLite through GRDB: one file in WAL mode with a busy timeout, so the daemon and the CLI
/// can write at the same time; every write transaction is IMMEDIATE, so two writers wait for
/// each other instead of failing halfway, and every commit waits for the disk (`synchronous = FULL`).
final class SQLiteEngine: SQLEngine {
    let pool: DatabasePool
    var dialect: SQLDialect { .sqlite }

    init(path: String) throws {
        var config = Configuration()
        config.journalMode = .wal
        config.busyMode = .timeout(60)
        config.label = "suport"
        // A new database gives back the pages retention frees (an existing one is VACUUMed
        // instead). The mode is fixed when the file is first written, and switching to WAL
        // writes it, so it is asked for here, before GRDB does that. Only on an empty file:
        // on an existing one the pragma writes (and commits) the header page at every open,
        // which costs every command a commit and fails them all on a full disk.
        config.prepareDatabase { db in
            if !db.configuration.readonly, try Int.fetchOne(db, sql: "PRAGMA page_count") == 0 {
                try db.execute(sql: "PRAGMA auto_vacuum = INCREMENTAL")
            }
        }
        pool = try Self.open(path: path, configuration: config)
        // GRDB sets NORMAL on the writer when it switches to WAL, after `prepareDatabase` has
        // run, so FULL is set here, on the writer, once the pool is open.
        try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
    }

    /// Opens the pool, waiting out another process (the CLI, a daemon that is just stopping)
    /// that holds the lock SQLite needs to set WAL mode: the busy timeout does not cover that
    /// first statement, so a daemon started while the CLI reads would otherwise fail at once.
    private static func open(path: String, configuration: Configuration) throws -> DatabasePool {
        var delay = 0.05
        for _ in 0..<40 {
            do {
                return try DatabasePool(path: path, configuration: configuration)
            } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY || error.resultCode == .SQLITE_LOCKED {
                Thread.sleep(forTimeInterval: delay)
                delay = min(delay * 2, 1)
            }
        }
        return try DatabasePool(path: path, configuration: configuration)
    }

    /// The writer connection's `synchronous` setting (2 is FULL), for the test that keeps it so.
    func writerSynchronous() throws -> Int {
        try pool.writeWithoutTransaction { try Int.fetchOne($0, sql: "PRAGMA synchronous") ?? -1 }
    }

    func write<T>(durable: Bool, _ body: (SQLSession) throws -> T) throws -> T {
        try pool.writeWithoutTransaction { db in
            if !durable { try db.execute(sql: "PRAGMA synchronous = NORMAL") }
            defer { if !durable { try? db.execute(sql: "PRAGMA synchronous = FULL") } }
            var result: T?
            try db.inTransaction(.immediate) {
                result = try body(SQLSession(SQLiteConnection(db)))
                return .commit
            }
            guard let result else { preconditionFailure("a committed transaction always has a result") }
            return result
        }
    }

    func read<T>(_ body: (SQLSession) throws -> T) throws -> T {
        try pool.read { try body(SQLSession(SQLiteConnection($0))) }
    }

    /// Two processes may open a new database at once (the daemon starting while the MTA pipe
    /// delivers): each migration is one transaction that records itself, so when the other
    /// process applied one first, ours fails and is simply tried again against what is there.
    func migrate() throws -> [String] {
        // Every command opens the store: an up-to-date schema is read, not migrated.
        if try pool.read({ try Schema.migrator.hasCompletedMigrations($0) }) { return [] }
        let before = try pool.read { try Schema.migrator.appliedMigrations($0) }
        for attempt in 1... {
            do {
                try Schema.migrator.migrate(pool)
                break
            } catch where attempt < 20 {
                Thread.sleep(forTimeInterval: 0.1)
            }
        }
        let after = try pool.read { try Schema.migrator.appliedMigrations($0) }
        return after.filter { !before.contains($0) }
    }

    func reclaimSpace() throws {
        try pool.writeWithoutTransaction { db in
            if try Int.fetchOne(db, sql: "PRAGMA auto_vacuum") == 2 {
                try db.execute(sql: "PRAGMA incremental_vacuum")
            } else {
                try db.execute(sql: "VACUUM")
            }
            try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)")
        }
    }
}

/// One GRDB connection as the store's queries see it.
final class SQLiteConnection: SQLConnection {
    let db: Database
    var dialect: SQLDialect { .sqlite }

    init(_ db: Database) { self.db = db }

    private func statement(_ sql: String, _ arguments: [SQLValue], cached: Bool) throws -> Statement {
        let statement = cached ? try db.cachedStatement(sql: sql) : try db.makeStatement(sql: sql)
        try statement.setArguments(StatementArguments(arguments.map(\.databaseValue)))
        return statement
    }

    @discardableResult func execute(_ sql: String, _ arguments: [SQLValue], cached: Bool) throws -> Int {
        try statement(sql, arguments, cached: cached).execute()
        return db.changesCount
    }

    func query(_ sql: String, _ arguments: [SQLValue], cached: Bool) throws -> (SQLColumns, [[SQLValue]]) {
        let statement = try statement(sql, arguments, cached: cached)
        let columns = SQLColumns(statement.columnNames)
        var rows: [[SQLValue]] = []
        let cursor = try Row.fetchCursor(statement)
        while let row = try cursor.next() {
            rows.append(row.databaseValues.map(SQLValue.init))
        }
        return (columns, rows)
    }
}

extension SQLValue {
    init(_ value: DatabaseValue) {
        switch value.storage {
        case .null: self = .null
        case .int64(let i): self = .integer(i)
        case .double(let d): self = .real(d)
        case .string(let s): self = .text(s)
        case .blob(let d): self = .blob([UInt8](d))
        }
    }

    var databaseValue: DatabaseValue {
        switch self {
        case .null: return .null
        case .integer(let i): return i.databaseValue
        case .real(let d): return d.databaseValue
        case .text(let s): return s.databaseValue
        case .blob(let b): return Data(b).databaseValue
        }
    }
}
