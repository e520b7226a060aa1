import Foundation
import MIME
import Tickets

/// The full-text index (SQLite FTS5, accents and case folded): one row per ticket (rowid
/// −number: its title, outside reference, organisation, assets and custom fields) and one
/// per stored message (rowid: the message id; its subject, text and attachment names).
///
/// Filing does not write the index itself: FTS5 writes (and merges) segments at every commit,
/// about 70 KB of WAL per message filed alone, which made filing cost 1.4 times as much at
/// 100,000 tickets. The transaction that files a message queues its row in `search_pending`
/// instead (a few bytes); `flushSearchIndex` indexes the queue in one transaction before any
/// search reads the index, and the scheduler flushes it every minute. So a search always
/// sees everything committed before it, and the index is written once per many messages.
/// A purge, merge, redaction or erasure still rewrites the ticket's rows at once.
extension SQLStore {
    /// Queues a row of the index to be written from what is stored when the queue is flushed.
    func queueForIndex(_ db: SQLSession, rowid: Int64, ticket: Int) throws {
        try db.run(sql: "INSERT INTO search_pending (rowid, ticket) VALUES (?, ?) ON CONFLICT (rowid) DO UPDATE SET ticket = excluded.ticket", arguments: [rowid, ticket])
    }

    /// Indexes every queued row from what is stored now (a ticket or message since gone is left out); returns how many.
    @discardableResult
    func flushSearchIndex(_ db: SQLSession) throws -> Int {
        let pending = try SQLRow.fetchAll(db, sql: "SELECT rowid, ticket FROM search_pending ORDER BY rowid")
        guard !pending.isEmpty else { return 0 }
        for row in pending {
            let rowid: Int64 = row["rowid"]
            if rowid < 0 {
                if let t = try ticket(db, Int(-rowid)) { try indexTicket(db, t) }
            } else if let m = try SQLRow.fetchOne(db, sql: """
                SELECT m.ticket, m.subject, m.text, (SELECT group_concat(a.filename, char(10)) FROM attachments a WHERE a.message = m.id) AS files
                FROM messages m WHERE m.id = ? AND m.ticket IS NOT NULL
                """, arguments: [rowid]) {
                try indexMessage(db, id: rowid, ticket: m["ticket"], subject: m["subject"], text: m["text"],
                                 filenames: (m["files"] as String?).map { $0.split(separator: "\n").map(String.init) } ?? [])
            }
        }
        try db.run(sql: "DELETE FROM search_pending")
        return pending.count
    }

    public func flushSearchIndex() throws {
        // Most calls find nothing queued: a read answers that without taking the writer.
        guard try read({ try Bool.fetchOne($0, sql: "SELECT EXISTS (SELECT 1 FROM search_pending)") ?? false }) else { return }
        _ = try transaction { try flushSearchIndex($0) }
    }

    /// What a ticket's own row holds.
    static func searchText(_ t: TicketRecord) -> String {
        ([t.title, t.externalRef ?? "", t.organisation ?? ""] + t.assets + t.fields.sorted { $0.key < $1.key }.map(\.value))
            .filter { !$0.isEmpty }.joined(separator: "\n")
    }

    func indexTicket(_ db: SQLSession, _ t: TicketRecord) throws {
        try indexRow(db, rowid: -Int64(t.number), ticket: t.number, body: Self.searchText(t))
    }

    func indexMessage(_ db: SQLSession, id: Int64, ticket: Int, subject: String?, text: String?, filenames: [String]) throws {
        let body = ([subject ?? "", text ?? ""] + filenames).filter { !$0.isEmpty }.joined(separator: "\n")
        try indexRow(db, rowid: id, ticket: ticket, body: body)
    }

    private func indexRow(_ db: SQLSession, rowid: Int64, ticket: Int, body: String) throws {
        switch db.dialect {
        case .sqlite:
            try db.run(sql: "INSERT OR REPLACE INTO search_index (rowid, ticket, body) VALUES (?, ?, ?)", arguments: [rowid, ticket, body])
        case .postgres:
            try db.run(sql: """
                INSERT INTO search_index (rowid, ticket, body, words) VALUES (?, ?, ?, \(FullText.vector("?")))
                ON CONFLICT (rowid) DO UPDATE SET ticket = excluded.ticket, body = excluded.body, words = excluded.words
                """, arguments: [rowid, ticket, body, FullText.words(body)])
        }
    }

    /// Takes a ticket and its messages out of the index (by rowid: the index is not searched by ticket).
    func unindex(_ db: SQLSession, ticket number: Int) throws {
        for id in try Int64.fetchAll(db, sql: "SELECT id FROM messages WHERE ticket = ?", arguments: [number]) {
            try db.run(sql: "DELETE FROM search_index WHERE rowid = ?", arguments: [id])
        }
        try db.run(sql: "DELETE FROM search_index WHERE rowid = ?", arguments: [-number])
    }

    /// Indexes a ticket and its messages again from what is stored now (after a merge, a purge, an erasure).
    func reindex(_ db: SQLSession, ticket number: Int) throws {
        // What is queued is written first, so that the rows rewritten here are not written again later.
        try flushSearchIndex(db)
        try unindex(db, ticket: number)
        guard let t = try ticket(db, number) else { return }
        try indexTicket(db, t)
        for row in try SQLRow.fetchAll(db, sql: """
            SELECT m.id, m.subject, m.text, (SELECT group_concat(a.filename, char(10)) FROM attachments a WHERE a.message = m.id) AS files
            FROM messages m WHERE m.ticket = ?
            """, arguments: [number]) {
            try indexMessage(db, id: row["id"], ticket: number, subject: row["subject"], text: row["text"],
                             filenames: (row["files"] as String?).map { $0.split(separator: "\n").map(String.init) } ?? [])
        }
    }

}

/// Full-text search on either engine: SQLite's FTS5 (unicode61, diacritics removed) or
/// PostgreSQL's tsvector with `unaccent` and the `simple` configuration. Both fold case and
/// accents, split words at anything that is not a letter or digit, and match each word of a
/// query as the start of a word ("terrat" finds "terrats"), all words required.
enum FullText {
    /// The engine's query for what someone typed (every word, or `any` of them). Words are
    /// letters and digits only and quoted, so no query syntax can be injected; nil when
    /// nothing searchable is left.
    static func query(_ text: String, _ dialect: SQLDialect) -> String? {
        query(words: text.split { !($0.isLetter || $0.isNumber) }.map(String.init), dialect, any: false)
    }

    static func query(words: [String], _ dialect: SQLDialect, any: Bool) -> String? {
        let clean = words.map { $0.filter { $0.isLetter || $0.isNumber } }.filter { !$0.isEmpty }
        guard !clean.isEmpty else { return nil }
        switch dialect {
        case .sqlite: return clean.map { "\"\($0)\"*" }.joined(separator: any ? " OR " : " ")
        case .postgres: return clean.map { "'\($0)':*" }.joined(separator: any ? " | " : " & ")
        }
    }

    /// The PostgreSQL words of a text given as an SQL expression (`words` of it: PostgreSQL's
    /// parser would keep "informe-antena.pdf" whole, as a file name, where FTS5 finds three words).
    static func vector(_ text: String) -> String { "to_tsvector('simple', unaccent(\(text)))" }

    /// A text's words as FTS5's tokenizer splits it, one space between them.
    static func words(_ text: String) -> String {
        text.split { !($0.isLetter || $0.isNumber) }.joined(separator: " ")
    }

    /// The condition that a row of `table` matches the query bound at `?`.
    static func matches(_ table: String, _ dialect: SQLDialect) -> String {
        switch dialect {
        case .sqlite: return "\(table) MATCH ?"
        case .postgres: return "\(table).words @@ to_tsquery('simple', unaccent(?))"
        }
    }

    /// A row's score for the query bound at `?`, lower is better (FTS5's rank; PostgreSQL's
    /// ts_rank negated, a title weighing five times the body where the table has both).
    static func score(_ table: String, _ dialect: SQLDialect) -> String {
        switch dialect {
        case .sqlite: return table == "kb_index" ? "bm25(kb_index, 5.0, 1.0)" : "rank"
        // Normalised by the log of the row's length, as bm25 prefers the shorter of two rows with the word.
        case .postgres: return "-ts_rank('{0.2, 0.2, 0.2, 1.0}', \(table).words, to_tsquery('simple', unaccent(?)), 1)"
        }
    }

    /// How many times a statement with `matches` and `score` binds the query.
    static func scoreBindsQuery(_ dialect: SQLDialect) -> Bool { dialect == .postgres }
}
