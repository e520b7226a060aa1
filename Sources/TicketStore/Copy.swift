import Foundation
import Tickets

/// What `suport db copy` did: rows per table, and the raw messages checked.
public struct CopyReport: Sendable, Equatable {
    /// Rows each table holds in both stores after the copy, in copying order.
    public var tables: [(name: String, rows: Int)] = []
    /// Rows written by this run (a resumed copy writes only what the last one had not).
    public var written = 0
    /// Stored messages and files whose bytes were read back from the target and hashed.
    public var blobsVerified = 0

    public static func == (a: CopyReport, b: CopyReport) -> Bool {
        a.tables.map(\.name) == b.tables.map(\.name) && a.tables.map(\.rows) == b.tables.map(\.rows)
            && a.written == b.written && a.blobsVerified == b.blobsVerified
    }
}

/// A copy that could not be verified: nothing is wrong with the source, and running the copy
/// again resumes it.
public enum CopyError: Error, CustomStringConvertible {
    case countsDiffer(table: String, source: Int, target: Int)
    case blobDiffers(String)
    case targetNotEmpty(String)

    public var description: String {
        switch self {
        case let .countsDiffer(table, source, target):
            return "\(table): \(source) rows in the source, \(target) in the target; run the copy again to resume it"
        case .blobDiffers(let sha): return "the stored bytes of \(sha) differ in the target from their SHA-256"
        case .targetNotEmpty(let why): return "the target already holds another desk's data: \(why)"
        }
    }
}

extension SQLStore {
    /// The tables copied, parents before children, with the columns that order them and how
    /// many rows go in one transaction (fewer where rows hold message bytes). The search index
    /// is built anew in the target; leases, rate-limit counters and the index queue are not
    /// copied (they describe running processes, not the desk).
    static let copiedTables: [(name: String, order: String, conflict: String, batch: Int)] = [
        ("settings", "key", "(key)", 500), ("tickets", "number", "(number)", 500),
        ("ticket_people", "rowid", "(ticket, role, address)", 500), ("blobs", "sha256", "(sha256)", 8),
        ("blob_parts", "id", "(id)", 4), ("messages", "id", "(id)", 200), ("attachments", "id", "(id)", 500),
        ("history", "id", "(id)", 500), ("outbox", "id", "(id)", 50), ("intake_keys", "key", "(key)", 500),
        ("failed_intake", "id", "(id)", 200), ("intake_attempts", "key", "(key)", 200), ("access_log", "id", "(id)", 500),
        ("time_entries", "id", "(id)", 500), ("links", "id", "(id)", 500), ("organisations", "name", "(name)", 500),
        ("organisation_domains", "domain", "(domain)", 500), ("organisation_members", "address", "(address)", 500),
        ("assets", "name", "(name)", 500), ("saved_views", "name", "(name)", 500), ("people", "address", "(address)", 500),
        ("staff_passwords", "handle", "(handle)", 500), ("web_sessions", "id", "(id)", 500),
        ("link_revocations", "ticket, address", "(ticket, address)", 500), ("login_links", "id", "(id)", 500),
        ("kb_articles", "id", "(id)", 500), ("kb_versions", "article, version", "(article, version)", 500),
    ]

    /// Copies this store's desk into `target` (another engine, its schema migrated), a batch
    /// per transaction, rows the target already has left as they are: an interrupted copy run
    /// again resumes. Then checks that every table holds as many rows on both sides and that
    /// every stored message's bytes in the target hash to their SHA-256, rebuilds the
    /// target's search index, and moves its id sequences past the copied ids. `rowsPerPage`
    /// overrides every table's batch (tests page through a small desk with it).
    public func copy(to target: SQLStore, rowsPerPage: Int? = nil, progress: (String, Int) throws -> Void = { _, _ in }) throws -> CopyReport {
        var report = CopyReport()
        // A target that has tickets the source does not is another desk: refused, not merged.
        let theirs = try target.read { try Int.fetchAll($0, sql: "SELECT number FROM tickets ORDER BY number DESC LIMIT 1") }
        if let last = theirs.first, try ticket(last) == nil {
            throw CopyError.targetNotEmpty("ticket \(last) is not in the source")
        }
        for table in Self.copiedTables {
            // Paged by the ordering key (after the last row copied, not OFFSET, which rereads
            // every row before the page), the key read under its own names beside the row's
            // columns (ticket_people's is SQLite's hidden rowid).
            let keys = table.order.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            let keyColumns = keys.indices.map { "copy_key_\($0)" }
            let select = "SELECT *, \(zip(keys, keyColumns).map { "\($0) AS \($1)" }.joined(separator: ", ")) FROM \(table.name)"
            let after = keys.count == 1 ? "\(keys[0]) > ?" : "(\(table.order)) > (\(keys.map { _ in "?" }.joined(separator: ", ")))"
            var last: [SQLValue]? = nil
            var copied = 0
            while true {
                let rows = try read { db in
                    try SQLRow.fetchAll(db, sql: "\(select) \(last == nil ? "" : "WHERE \(after)") ORDER BY \(table.order) LIMIT ?",
                                        arguments: SQLArguments((last ?? []) + [.integer(Int64(rowsPerPage ?? table.batch))]))
                }
                guard let first = rows.first, let final = rows.last else { break }
                let columns = first.columns.names.filter { !$0.hasPrefix("copy_key_") }
                let values = "(" + columns.map { _ in "?" }.joined(separator: ", ") + ")"
                // Many rows a statement: one round trip for each row made a large copy wait on the network.
                let perStatement = max(1, min(rows.count, 30_000 / columns.count))
                report.written += try target.transaction { db in
                    var n = 0
                    for start in stride(from: 0, to: rows.count, by: perStatement) {
                        let chunk = rows[start..<min(rows.count, start + perStatement)]
                        try db.execute(sql: "INSERT INTO \(table.name) (\(columns.joined(separator: ", "))) VALUES "
                                       + Array(repeating: values, count: chunk.count).joined(separator: ", ")
                                       + " ON CONFLICT \(table.conflict) DO NOTHING",
                                       arguments: SQLArguments(chunk.flatMap { row in columns.map { row.value($0) } }))
                        n += db.changesCount
                    }
                    return n
                }
                last = keyColumns.map { final.value($0) }
                copied += rows.count
                try progress(table.name, copied)
            }
        }
        // Verified: the same rows on both sides, and every stored byte as its digest says.
        for table in Self.copiedTables {
            let count = "SELECT COUNT(*) FROM \(table.name)"
            let (source, copied) = (try read { try Int.fetchOne($0, sql: count) } ?? 0, try target.read { try Int.fetchOne($0, sql: count) } ?? 0)
            guard source == copied else { throw CopyError.countsDiffer(table: table.name, source: source, target: copied) }
            report.tables.append((table.name, copied))
        }
        var after = ""
        while true {
            // A hundred at a time in one read: a transaction for each made verifying wait on round trips.
            let bad = try target.read { db -> (last: String?, bad: String?) in
                let shas = try String.fetchAll(db, sql: "SELECT sha256 FROM blobs WHERE sha256 > ? ORDER BY sha256 LIMIT 100", arguments: [after])
                for sha in shas {
                    guard let bytes = try target.blob(db, sha), ContentHash.sha256Hex(bytes) == sha else { return (shas.last, sha) }
                    report.blobsVerified += 1
                }
                return (shas.last, nil)
            }
            if let sha = bad.bad { throw CopyError.blobDiffers(sha) }
            guard let last = bad.last else { break }
            after = last
        }
        try target.afterCopy()
        return report
    }

    /// The target's own state after rows arrived with their ids: sequences past them, and the
    /// search index built from what is stored.
    private func afterCopy() throws {
        try transaction { db in
            if db.dialect == .postgres {
                for (table, column) in [("messages", "id"), ("attachments", "id"), ("history", "id"), ("outbox", "id"), ("failed_intake", "id"),
                                        ("access_log", "id"), ("time_entries", "id"), ("links", "id"), ("blob_parts", "id"), ("kb_articles", "id")] {
                    try db.execute(sql: """
                        SELECT setval(pg_get_serial_sequence('\(table)', '\(column)'), GREATEST((SELECT MAX(\(column)) FROM \(table)), 1))
                        """)
                }
            }
            try db.execute(sql: "DELETE FROM search_pending")
            try db.execute(sql: "DELETE FROM search_index")
        }
        // The index, a page of tickets, messages or articles a transaction, each page read in one query.
        var lastTicket = 0
        while let next = try transaction({ db -> Int? in
            let numbers = try Int.fetchAll(db, sql: "SELECT number FROM tickets WHERE number > ? ORDER BY number LIMIT 500", arguments: [lastTicket])
            for t in try tickets(db, numbers) { try indexTicket(db, t) }
            return numbers.last
        }) { lastTicket = next }
        var lastMessage: Int64 = 0
        while let next = try transaction({ db -> Int64? in
            let rows = try SQLRow.fetchAll(db, sql: """
                SELECT m.id, m.ticket, m.subject, m.text, (SELECT group_concat(a.filename, char(10)) FROM attachments a WHERE a.message = m.id) AS files
                FROM messages m WHERE m.id > ? AND m.ticket IS NOT NULL ORDER BY m.id LIMIT 500
                """, arguments: [lastMessage])
            for m in rows {
                try indexMessage(db, id: m["id"], ticket: m["ticket"], subject: m["subject"], text: m["text"],
                                 filenames: (m["files"] as String?).map { $0.split(separator: "\n").map(String.init) } ?? [])
            }
            return rows.last.map { $0["id"] }
        }) { lastMessage = next }
        var lastArticle: Int64 = 0
        while let next = try transaction({ db -> Int64? in
            let articles = try SQLRow.fetchAll(db, sql: "SELECT \(Self.articleColumns) FROM kb_articles WHERE id > ? ORDER BY id LIMIT 500",
                                               arguments: [lastArticle]).map(Self.article)
            for a in articles { try keepIndex(db, a) }
            return articles.last?.id
        }) { lastArticle = next }
        // Statistics for the planner now, not when autovacuum comes to the new rows.
        if dialect == .postgres { try transaction { try $0.execute(sql: "ANALYZE") } }
    }
}
