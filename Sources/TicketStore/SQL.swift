import Foundation

/// The store's SQL, engine-neutral: every query in this module is written once, against these
/// types, and runs on SQLite (`SQLiteEngine`) or PostgreSQL (`PostgresEngine`). The SQL is
/// the common dialect of both (ON CONFLICT, RETURNING, CASE instead of boolean
/// sums, aliased subqueries); where the two truly differ (full-text search, a planner hint,
/// JSON paths) the code asks `SQLSession.dialect`, so the difference sits beside its rule.

/// A value bound to a statement or read from a row.
public enum SQLValue: Sendable, Equatable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob([UInt8])
}

/// The two dialects the store's SQL is written for.
public enum SQLDialect: Sendable {
    case sqlite, postgres
}

/// A Swift value as a statement argument, and read back from a column.
protocol SQLConvertible {
    var sqlValue: SQLValue { get }
    /// Nil when the column holds something else (or NULL).
    static func from(_ value: SQLValue) -> Self?
}

extension Int: SQLConvertible {
    var sqlValue: SQLValue { .integer(Int64(self)) }
    static func from(_ value: SQLValue) -> Int? {
        switch value {
        case .integer(let i): return Int(i)
        case .real(let d) where d == d.rounded(.towardZero) && abs(d) < 9e18: return Int(d)
        default: return nil
        }
    }
}

extension Int64: SQLConvertible {
    var sqlValue: SQLValue { .integer(self) }
    static func from(_ value: SQLValue) -> Int64? { Int.from(value).map(Int64.init) }
}

extension UInt32: SQLConvertible {
    var sqlValue: SQLValue { .integer(Int64(self)) }
    static func from(_ value: SQLValue) -> UInt32? { Int.from(value).flatMap(UInt32.init(exactly:)) }
}

extension Double: SQLConvertible {
    var sqlValue: SQLValue { .real(self) }
    static func from(_ value: SQLValue) -> Double? {
        switch value {
        case .real(let d): return d
        case .integer(let i): return Double(i)
        default: return nil
        }
    }
}

/// Stored as 0 or 1 on both engines (the columns are integers).
extension Bool: SQLConvertible {
    var sqlValue: SQLValue { .integer(self ? 1 : 0) }
    static func from(_ value: SQLValue) -> Bool? { Int.from(value).map { $0 != 0 } }
}

extension String: SQLConvertible {
    var sqlValue: SQLValue { .text(self) }
    static func from(_ value: SQLValue) -> String? {
        if case .text(let s) = value { return s }
        return nil
    }
}

extension Data: SQLConvertible {
    var sqlValue: SQLValue { .blob([UInt8](self)) }
    static func from(_ value: SQLValue) -> Data? {
        switch value {
        case .blob(let b): return Data(b)
        case .text(let s): return Data(s.utf8)
        default: return nil
        }
    }
}

extension Array: SQLConvertible where Element == UInt8 {
    var sqlValue: SQLValue { .blob(self) }
    static func from(_ value: SQLValue) -> [UInt8]? {
        switch value {
        case .blob(let b): return b
        case .text(let s): return Array(s.utf8)
        default: return nil
        }
    }
}

extension SQLValue: SQLConvertible {
    var sqlValue: SQLValue { self }
    static func from(_ value: SQLValue) -> SQLValue? { value }
}

/// A statement's arguments, in order (`?` and `?NNN` as SQLite numbers them).
struct SQLArguments: ExpressibleByArrayLiteral {
    var values: [SQLValue]

    init(arrayLiteral elements: (any SQLConvertible)?...) { values = elements.map { $0?.sqlValue ?? .null } }
    init(_ elements: [(any SQLConvertible)?]) { values = elements.map { $0?.sqlValue ?? .null } }
    init<S: Sequence>(_ elements: S) where S.Element: SQLConvertible { values = elements.map(\.sqlValue) }
    init() { values = [] }
    init(values: [SQLValue]) { self.values = values }
}

/// One row of a result, read by column index or name.
struct SQLRow {
    let columns: SQLColumns
    let values: [SQLValue]

    /// The value of a column; a column that is not in the result reads as NULL.
    func value(_ name: String) -> SQLValue {
        guard let i = columns.index[name] else { return .null }
        return values[i]
    }

    subscript<T: SQLConvertible>(_ i: Int) -> T? { T.from(values[i]) }
    subscript<T: SQLConvertible>(_ i: Int) -> T {
        guard let v = T.from(values[i]) else { preconditionFailure("column \(i) is \(values[i]), not \(T.self)") }
        return v
    }
    subscript<T: SQLConvertible>(_ name: String) -> T? { T.from(value(name)) }
    subscript<T: SQLConvertible>(_ name: String) -> T {
        guard let v = T.from(value(name)) else { preconditionFailure("column \(name) is \(value(name)), not \(T.self)") }
        return v
    }
}

/// A result's column names, shared by its rows.
final class SQLColumns {
    let names: [String]
    let index: [String: Int]

    init(_ names: [String]) {
        self.names = names
        var index: [String: Int] = [:]
        for (i, n) in names.enumerated() where index[n] == nil { index[n] = i }
        self.index = index
    }
}

/// What an engine does with one statement on the connection of the transaction in hand.
protocol SQLConnection: AnyObject {
    var dialect: SQLDialect { get }
    /// Runs a statement; returns the rows it changed. `cached`: keep it prepared for the next
    /// time (filing runs the same few statements for every message; a list's SQL varies).
    @discardableResult func execute(_ sql: String, _ arguments: [SQLValue], cached: Bool) throws -> Int
    /// Runs a query; returns its columns and rows.
    func query(_ sql: String, _ arguments: [SQLValue], cached: Bool) throws -> (SQLColumns, [[SQLValue]])
}

/// One connection inside a transaction (or a read): what the store's queries are written against.
final class SQLSession {
    let connection: any SQLConnection
    /// Rows the last `execute` changed.
    private(set) var changesCount = 0

    init(_ connection: any SQLConnection) { self.connection = connection }

    var dialect: SQLDialect { connection.dialect }

    func execute(sql: String, arguments: SQLArguments = SQLArguments(), cached: Bool = false) throws {
        changesCount = try connection.execute(sql, arguments.values, cached: cached)
    }

    /// Runs one statement, prepared once per connection and kept: filing runs the same few
    /// statements for every message, and preparing them each time showed in the profile.
    func run(sql: String, arguments: SQLArguments = SQLArguments()) throws { try execute(sql: sql, arguments: arguments, cached: true) }

    func rows(_ sql: String, _ arguments: SQLArguments, cached: Bool = false) throws -> [SQLRow] {
        let (columns, rows) = try connection.query(sql, arguments.values, cached: cached)
        return rows.map { SQLRow(columns: columns, values: $0) }
    }

    /// Runs an INSERT of one row and returns the id it was given, in the same statement
    /// (`RETURNING`, on both engines: asking afterwards costs PostgreSQL a second round trip).
    func insert(sql: String, arguments: SQLArguments) throws -> Int64 {
        let (_, rows) = try connection.query(sql + " RETURNING id", arguments.values, cached: true)
        // An INSERT without ON CONFLICT either makes its row or throws.
        guard let id = rows.first.flatMap({ Int64.from($0[0]) }) else { preconditionFailure("\(sql) returned no id") }
        changesCount = 1
        return id
    }

    /// A statement to run again with other arguments (kept prepared by the engine).
    func cachedStatement(sql: String) -> SQLStatement { SQLStatement(session: self, sql: sql) }
}

/// A statement and its session, run with arguments as often as needed.
struct SQLStatement {
    let session: SQLSession
    let sql: String

    func execute(arguments: SQLArguments = SQLArguments()) throws { try session.execute(sql: sql, arguments: arguments, cached: true) }
}

extension SQLConvertible {
    /// The first column of the first row; nil when there is none or it is NULL.
    static func fetchOne(_ db: SQLSession, sql: String, arguments: SQLArguments = SQLArguments()) throws -> Self? {
        try db.rows(sql, arguments).first.flatMap { Self.from($0.values[0]) }
    }

    static func fetchOne(_ statement: SQLStatement, arguments: SQLArguments = SQLArguments()) throws -> Self? {
        try statement.session.rows(statement.sql, arguments, cached: true).first.flatMap { Self.from($0.values[0]) }
    }

    /// The first column of every row (NULLs left out).
    static func fetchAll(_ db: SQLSession, sql: String, arguments: SQLArguments = SQLArguments()) throws -> [Self] {
        try db.rows(sql, arguments).compactMap { Self.from($0.values[0]) }
    }
}

extension SQLRow {
    static func fetchOne(_ db: SQLSession, sql: String, arguments: SQLArguments = SQLArguments()) throws -> SQLRow? {
        try db.rows(sql, arguments).first
    }

    static func fetchOne(_ statement: SQLStatement, arguments: SQLArguments = SQLArguments()) throws -> SQLRow? {
        try statement.session.rows(statement.sql, arguments, cached: true).first
    }

    static func fetchAll(_ db: SQLSession, sql: String, arguments: SQLArguments = SQLArguments()) throws -> [SQLRow] {
        try db.rows(sql, arguments)
    }

    static func fetchAll(_ statement: SQLStatement, arguments: SQLArguments = SQLArguments()) throws -> [SQLRow] {
        try statement.session.rows(statement.sql, arguments, cached: true)
    }
}
