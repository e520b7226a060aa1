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
        try db.run(sql: "INSERT OR REPLACE INTO search_pending (rowid, ticket) VALUES (?, ?)", arguments: [rowid, ticket])
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
        try db.run(sql: "INSERT OR REPLACE INTO search_index (rowid, ticket, body) VALUES (?, ?, ?)", arguments: [-t.number, t.number, Self.searchText(t)])
    }

    func indexMessage(_ db: SQLSession, id: Int64, ticket: Int, subject: String?, text: String?, filenames: [String]) throws {
        let body = ([subject ?? "", text ?? ""] + filenames).filter { !$0.isEmpty }.joined(separator: "\n")
        try db.run(sql: "INSERT OR REPLACE INTO search_index (rowid, ticket, body) VALUES (?, ?, ?)", arguments: [id, ticket, body])
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

    /// The FTS5 query for what someone typed: every word must be there, each as the start of
    /// a word ("terrat" finds "terrats"). Words are quoted, so no FTS5 syntax can be injected;
    /// nil when nothing searchable is left.
    static func matchQuery(_ text: String) -> String? {
        let words = text.split { !($0.isLetter || $0.isNumber) }.map { "\"\($0)\"*" }
        return words.isEmpty ? nil : words.joined(separator: " ")
    }
}
