import Foundation
import MIME
import Tickets

/// Errors from the store itself (desk errors are `DeskError`).
public enum StoreError: Error, Equatable, CustomStringConvertible {
    case noSuchAttachment(Int64)
    case noSuchNotification(Int64)
    case unreadableAttachment(Int64)
    case noSuchFailedMessage(Int64)
    /// A notification its author withdrew is never sent.
    case withdrawn(Int64)
    /// A search with no word in it.
    case nothingToSearch(String)
    case noSuchArticle(Int64)
    /// A record cannot be kept as asked (a domain another organisation has).
    case taken(String)

    public var description: String {
        switch self {
        case .noSuchAttachment(let id): return "no attachment \(id)"
        case .noSuchNotification(let id): return "no notification \(id) in the outbox"
        case .unreadableAttachment(let id):
            return "attachment \(id) is no longer found in its message (no part has its SHA-256); the raw message is kept"
        case .noSuchFailedMessage(let id): return "no failed message \(id) (see suport failed)"
        case .taken(let why): return why
        case .withdrawn(let id): return "notification \(id) was withdrawn by its author: it is never sent"
        case .nothingToSearch(let s): return "nothing to search for in \(s.debugDescription): give a word"
        case .noSuchArticle(let id): return "no article \(id) (suport kb list)"
        }
    }
}

/// The store on an SQL engine: every ticket operation is one transaction that writes the
/// ticket, its history, the raw message and attachments, the outbox rows and the intake
/// dedupe keys. The queries are written once (SQL.swift); the engine is SQLite
/// (`SQLiteEngine`, the default) or PostgreSQL (`PostgresEngine`, several daemons on one database).
///
/// Write transactions are serialised on both engines (SQLite's IMMEDIATE transactions, a
/// transaction-scoped advisory lock on PostgreSQL), so every rule that reads and then writes
/// (the next ticket number, a dedupe key, the acknowledgement cap) sees its own writes alone.
/// Every commit waits for the disk, since a message is marked filed on the server, and the
/// MTA discards its copy, only after its commit.
public final class SQLStore: Store {
    let engine: any SQLEngine
    /// The number the first ticket gets (an installation moving from another tracker starts after its last).
    public let firstTicketNumber: Int

    /// A store on an engine, migrated to the current schema.
    init(engine: any SQLEngine, firstTicketNumber: Int) throws {
        self.engine = engine
        self.firstTicketNumber = max(1, firstTicketNumber)
        try migrate()
    }

    /// The SQLite store in a file (created on first use).
    public convenience init(path: String, firstTicketNumber: Int = 1) throws {
        try self.init(engine: try SQLiteEngine(path: path), firstTicketNumber: firstTicketNumber)
    }

    /// The store in a PostgreSQL database (its schema created or migrated on first use).
    public convenience init(postgres settings: PostgresSettings, firstTicketNumber: Int = 1) throws {
        try self.init(engine: try PostgresEngine(settings), firstTicketNumber: firstTicketNumber)
    }

    /// Creates a PostgreSQL database on the server `settings` reach (benchmarks, tests): empty,
    /// or a copy of `template`. Names are the caller's own identifiers, never user input.
    public static func createDatabase(_ name: String, template: String? = nil, on settings: PostgresSettings) throws {
        try PostgresEngine(settings).administer("CREATE DATABASE \(name)" + (template.map { " TEMPLATE \($0)" } ?? ""))
    }

    /// Which engine this store is on.
    public var dialect: SQLDialect { engine.dialect }

    public func write<T>(_ body: (any StoreTransaction) throws -> T) throws -> T {
        try transaction { db in try body(SQLTransaction(db: db, store: self)) }
    }

    /// Applies the migrations not yet applied; returns their names.
    @discardableResult
    public func migrate() throws -> [String] { try engine.migrate() }

    /// Runs `body` in one write transaction: all of it is committed, or none.
    func transaction<T>(_ body: (SQLSession) throws -> T) throws -> T { try engine.write(durable: true, body) }

    /// Runs `body` on a consistent snapshot of the database.
    func read<T>(_ body: (SQLSession) throws -> T) throws -> T { try engine.read(body) }

    // MARK: rows

    /// The columns a ticket is read from, in the order `ticket(_:_:)` reads them by index: a
    /// row read by column name looks each name up, which showed in listing 500 tickets.
    static let ticketColumns = [
        "number", "title", "queue", "status", "owner", "priority", "auto", "approval", "purged_at", "billable", "minutes_worked",
        "created_at", "updated_at", "resolved_at", "merged_into", "type", "co_owners", "due_at", "external_ref", "waiting_for", "level",
        "fields", "organisation", "assets", "sla_policy", "sla_paused_seconds", "sla_paused_since", "first_response_at", "response_due",
        "response_warn", "resolution_due", "resolution_warn", "sla_warn_at", "sla_breach_at", "sla_reminded",
    ]
    static let ticketSQL = "SELECT \(ticketColumns.joined(separator: ", ")) FROM tickets WHERE number = ?"

    func ticket(_ db: SQLSession, _ number: Int) throws -> TicketRecord? {
        guard let row = try SQLRow.fetchOne(db.cachedStatement(sql: Self.ticketSQL), arguments: [number]) else { return nil }
        let people = try SQLRow.fetchAll(db.cachedStatement(sql: "SELECT role, address, name FROM ticket_people WHERE ticket = ? ORDER BY rowid"),
                                         arguments: [number])
        return record(row, people: people.map { ($0[0], $0[1], $0[2]) })
    }

    /// Tickets by number, in the order asked, those that do not exist left out: two queries for
    /// a page of them rather than two a ticket, each of which is a round trip on PostgreSQL.
    func tickets(_ db: SQLSession, _ numbers: [Int]) throws -> [TicketRecord] {
        guard numbers.count > 1 else { return try numbers.first.flatMap { try ticket(db, $0) }.map { [$0] } ?? [] }
        var found: [Int: TicketRecord] = [:]
        for start in stride(from: 0, to: numbers.count, by: 500) {
            let chunk = Array(numbers[start..<min(numbers.count, start + 500)])
            let marks = chunk.map { _ in "?" }.joined(separator: ",")
            var people: [Int: [(String, String, String?)]] = [:]
            for p in try SQLRow.fetchAll(db, sql: "SELECT ticket, role, address, name FROM ticket_people WHERE ticket IN (\(marks)) ORDER BY rowid",
                                         arguments: SQLArguments(chunk)) {
                people[p[0], default: []].append((p[1], p[2], p[3]))
            }
            let rows = try SQLRow.fetchAll(db, sql: "SELECT \(Self.ticketColumns.joined(separator: ", ")) FROM tickets WHERE number IN (\(marks))",
                                           arguments: SQLArguments(chunk))
            for row in rows {
                let number: Int = row[0]
                found[number] = record(row, people: people[number] ?? [])
            }
        }
        return numbers.compactMap { found[$0] }
    }

    /// A ticket from its row (in `ticketColumns` order) and its people (role, address, name) in the order they were added.
    private func record(_ row: SQLRow, people: [(role: String, address: String, name: String?)]) -> TicketRecord {
        func list(_ role: String) -> [Address] {
            people.filter { $0.role == role }.map { Address(name: $0.name, address: $0.address) }
        }
        func date(_ i: Int) -> Date? { (row[i] as Double?).map(Date.init(timeIntervalSince1970:)) }
        var record = TicketRecord(number: row[0], title: row[1], queue: row[2], status: Status(rawValue: row[3]) ?? .open, owner: row[4],
                                  priority: row[5], requestors: list("requestor"), ccs: list("cc"), watchers: list("watcher"), autoFiled: row[6],
                                  approval: (row[7] as String?).flatMap(Approval.init(rawValue:)), purged: date(8), billable: row[9],
                                  minutesWorked: row[10], created: Date(timeIntervalSince1970: row[11]),
                                  updated: Date(timeIntervalSince1970: row[12]), resolved: date(13))
        record.mergedInto = row[14]
        record.type = row[15]
        record.coOwners = (row[16] as String? ?? "").split(separator: " ").map(String.init)
        record.due = date(17)
        record.externalRef = row[18]
        record.waitingFor = (row[19] as String?).flatMap(WaitingFor.init(rawValue:))
        record.level = row[20]
        record.fields = Self.fields(row[21])
        record.organisation = row[22]
        record.assets = (row[23] as String? ?? "").split(separator: "\t").map(String.init)
        var c = SLAClock()
        c.policy = row[24]
        c.pausedSeconds = row[25]
        c.pausedSince = date(26)
        c.firstResponse = date(27)
        c.responseDue = date(28)
        c.responseWarn = date(29)
        c.resolutionDue = date(30)
        c.resolutionWarn = date(31)
        c.warnAt = date(32)
        c.breachAt = date(33)
        let reminded = row[34] as String? ?? ""
        c.reminded = reminded.isEmpty ? [] : Set(reminded.split(separator: ",").map(String.init))
        record.sla = c
        return record
    }

    /// Custom fields as stored: a JSON object of strings.
    static func fields(_ json: String?) -> [String: String] {
        guard let json, json != "{}" else { return [:] }
        guard let data = json.data(using: .utf8), let object = try? JSONSerialization.jsonObject(with: data) as? [String: String] else { return [:] }
        return object
    }

    static func fieldsJSON(_ fields: [String: String]) -> String {
        if fields.isEmpty { return "{}" }
        guard let data = try? JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys]) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }

    /// Blobs up to this size are one row; larger ones are stored in parts of this size.
    static let blobPartSize = 1 << 20

    /// Stores bytes once by their SHA-256. Each row copies at most one part, so a large
    /// message costs one part of memory in SQLite, not a second copy of itself.
    func storeBlob(_ db: SQLSession, _ bytes: [UInt8], sha256: String? = nil) throws -> String {
        let sha = sha256 ?? ContentHash.sha256Hex(bytes)
        // Filing finds the bytes its attempt stored: asking first spares copying them into a
        // record that the insert would then ignore (5 % of filing in the profile).
        if try Bool.fetchOne(db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM blobs WHERE sha256 = ?)"), arguments: [sha]) == true {
            return sha
        }
        let whole = bytes.count <= Self.blobPartSize
        let parts = whole ? 0 : (bytes.count + Self.blobPartSize - 1) / Self.blobPartSize
        try db.run(sql: "INSERT INTO blobs (sha256, size, bytes, parts) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                       arguments: [sha, bytes.count, whole ? bytes : [UInt8](), parts])
        guard !whole, db.changesCount > 0 else { return sha }
        let statement = db.cachedStatement(sql: "INSERT INTO blob_parts (sha256, part, bytes) VALUES (?, ?, ?)")
        for part in 0..<parts {
            let start = part * Self.blobPartSize
            try statement.execute(arguments: [sha, part, Array(bytes[start..<min(bytes.count, start + Self.blobPartSize)])])
        }
        return sha
    }

    /// The bytes stored under a SHA-256, joined from their parts when stored in parts.
    func blob(_ db: SQLSession, _ sha256: String) throws -> [UInt8]? {
        guard let row = try SQLRow.fetchOne(db, sql: "SELECT size, parts, bytes FROM blobs WHERE sha256 = ?", arguments: [sha256]) else {
            return nil
        }
        guard (row["parts"] as Int) > 0 else { return row["bytes"] as [UInt8] }
        var bytes = [UInt8]()
        bytes.reserveCapacity(row["size"])
        // A part at a time, so a large message is never held twice.
        let part = db.cachedStatement(sql: "SELECT bytes FROM blob_parts WHERE sha256 = ? AND part = ?")
        for i in 0..<(row["parts"] as Int) {
            guard let piece = try [UInt8].fetchOne(part, arguments: [sha256, i]) else { return nil }
            bytes.append(contentsOf: piece)
        }
        return bytes
    }

    /// Deletes those of these blobs that no message, attachment, failed or attempted intake refers to.
    func deleteBlobsNothingUses(_ db: SQLSession, _ shas: some Sequence<String>) throws {
        for sha in shas where !sha.isEmpty {
            let used = try Bool.fetchOne(db, sql: """
                SELECT EXISTS (SELECT 1 FROM messages WHERE raw_sha256 = ?1) OR EXISTS (SELECT 1 FROM attachments WHERE sha256 = ?1)
                    OR EXISTS (SELECT 1 FROM failed_intake WHERE raw_sha256 = ?1) OR EXISTS (SELECT 1 FROM intake_attempts WHERE raw_sha256 = ?1)
                """, arguments: [sha]) ?? true
            guard !used else { continue }
            try db.execute(sql: "DELETE FROM blob_parts WHERE sha256 = ?", arguments: [sha])
            try db.execute(sql: "DELETE FROM blobs WHERE sha256 = ?", arguments: [sha])
        }
    }

    /// Stores a message: its raw bytes first, then what was read from it, then a record of each
    /// attachment, up to `limit` of them. The attachments' bytes are not stored again: they are
    /// read back from the raw message (`attachment(_:ofTicket:)`).
    func storeMessage(_ db: SQLSession, raw: [UInt8], sha256: String, message: Message, ticket: Int?, direction: String,
                      mailbox: String?, at: Date, keepingAttachments limit: Int = .max) throws -> Int64 {
        _ = try storeBlob(db, raw, sha256: sha256)
        let id = try db.insert(sql: """
            INSERT INTO messages (ticket, direction, message_id, raw_sha256, subject, sender, text, defects, mailbox, received_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [ticket, direction, message.messageID, sha256, message.subject, message.from.first?.address,
                             message.text, message.defects.map(\.description).joined(separator: "\n"), mailbox, at.timeIntervalSince1970])
        for (position, attachment) in message.attachments.prefix(limit).enumerated() {
            try db.run(sql: """
                INSERT INTO attachments (message, ticket, sha256, filename, content_type, size, inline, position) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [id, ticket, ContentHash.sha256Hex(attachment.data), attachment.filename, attachment.contentType,
                                 attachment.size, attachment.isInline, position])
        }
        return id
    }

}
