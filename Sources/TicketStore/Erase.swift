import Foundation
import MIME
import Tickets

extension SQLStore {
    /// Carries out an erasure in one transaction (rolled back after counting, for a dry run).
    /// Reads every stored raw message and notification once: the address is replaced in the
    /// bytes of other people's mail too, so no trace of it is left anywhere.
    public func erase(_ e: Erasure, dryRun: Bool) throws -> ErasureReport {
        do {
            return try transaction { db in
                let report = try erase(db, e)
                // A dry run counts inside the transaction and throws its count, so nothing it wrote is committed.
                if dryRun { throw DryRun(report: report) }
                return report
            }
        } catch let dry as DryRun {
            return dry.report
        }
    }

    private struct DryRun: Error { let report: ErasureReport }

    private func erase(_ db: SQLSession, _ e: Erasure) throws -> ErasureReport {
        var report = ErasureReport()
        let a = e.address
        report.tickets = try Int.fetchAll(db, sql: """
            SELECT ticket FROM ticket_people WHERE address = ?1
            UNION SELECT ticket FROM messages WHERE sender = ?1 COLLATE NOCASE AND ticket IS NOT NULL
            UNION SELECT ticket FROM outbox WHERE recipient = ?1 COLLATE NOCASE AND ticket IS NOT NULL ORDER BY 1
            """, arguments: [a])

        // The index forgets their words with the rest (indexed again at the end from what is left).
        for t in report.tickets { try unindex(db, ticket: t) }

        // The messages they sent: a stub instead, their files gone.
        let mine = try Int64.fetchAll(db, sql: "SELECT id FROM messages WHERE sender = ? COLLATE NOCASE", arguments: [a])
        var orphans = Set(try String.fetchAll(db, sql: "SELECT raw_sha256 FROM messages WHERE sender = ? COLLATE NOCASE", arguments: [a]))
        for id in mine {
            let sha = try storeBlob(db, e.stub(for: id))
            try db.execute(sql: """
                UPDATE messages SET raw_sha256 = ?, sender = ?, subject = '(erased)', text = NULL, message_id = NULL, defects = '' WHERE id = ?
                """, arguments: [sha, e.pseudonym, id])
            orphans.formUnion(try String.fetchAll(db, sql: "SELECT sha256 FROM attachments WHERE message = ?", arguments: [id]))
            report.attachmentsDeleted += try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM attachments WHERE message = ?", arguments: [id]) ?? 0
            try db.execute(sql: "DELETE FROM attachments WHERE message = ?", arguments: [id])
        }
        report.messagesStubbed = mine.count
        // Their own mail goes before the bytes of everyone else's are read, so no scrubbed copy of it is made.
        try deleteBlobsNothingUses(db, orphans)
        try db.execute(sql: "DELETE FROM ticket_people WHERE address = ?", arguments: [a])
        try db.execute(sql: "DELETE FROM people WHERE address = ?", arguments: [a])
        try db.execute(sql: "DELETE FROM organisation_members WHERE address = ?", arguments: [a])

        // The notifications sent to them: addressed to the pseudonym, their words gone.
        report.notificationsEmptied = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM outbox WHERE recipient = ? COLLATE NOCASE", arguments: [a]) ?? 0
        try db.execute(sql: """
            UPDATE outbox SET recipient = ?2, raw = substr(raw, 1, 0), last_error = CASE state WHEN 'pending' THEN 'erased before it was sent' ELSE last_error END,
                state = CASE state WHEN 'pending' THEN 'failed' ELSE state END WHERE recipient = ?1 COLLATE NOCASE
            """, arguments: [a, e.pseudonym])

        // Every text column that may name them.
        let columns: [(table: String, key: String, columns: [String])] = [
            ("tickets", "number", ["title"]), ("ticket_people", "rowid", ["name"]),
            ("messages", "id", ["subject", "sender", "text", "message_id", "mailbox"]),
            ("history", "id", ["actor", "old_value", "new_value", "note"]),
            ("outbox", "id", ["recipient", "sender", "message_id", "last_error"]),
            ("failed_intake", "id", ["sender", "subject", "error", "mailbox"]), ("intake_attempts", "key", ["last_error"]),
            ("attachments", "id", ["filename"]),
        ]
        for (table, key, cols) in columns {
            let condition = cols.map { "instr(lower(\($0)), ?) > 0" }.joined(separator: " OR ")
            let rows = try SQLRow.fetchAll(db, sql: "SELECT \(key) AS k, \(cols.joined(separator: ", ")) FROM \(table) WHERE \(condition)",
                                        arguments: SQLArguments(Array(repeating: a, count: cols.count)))
            if table == "history" { report.historyEntries = rows.count }
            for row in rows {
                let values: [String?] = cols.map { (row[$0] as String?).map(e.scrub) }
                try db.execute(sql: "UPDATE \(table) SET \(cols.map { "\($0) = ?" }.joined(separator: ", ")) WHERE \(key) = ?",
                               arguments: SQLArguments(values + [row.value("k")]))
            }
        }
        for key in try String.fetchAll(db, sql: "SELECT key FROM intake_keys WHERE instr(lower(key), ?) > 0", arguments: [a]) {
            // The scrubbed key may stand already (another message of theirs): it replaces this one.
            try db.execute(sql: "DELETE FROM intake_keys WHERE key = ?1 AND key != ?2", arguments: [e.scrub(key), key])
            try db.execute(sql: "UPDATE intake_keys SET key = ? WHERE key = ?", arguments: [e.scrub(key), key])
        }

        // The bytes of everyone else's mail and of every notification.
        for id in try Int64.fetchAll(db, sql: "SELECT id FROM outbox WHERE length(raw) > 0") {
            guard let bytes = try [UInt8].fetchOne(db, sql: "SELECT raw FROM outbox WHERE id = ?", arguments: [id]) else { continue }
            guard e.occurs(in: bytes) else { continue }
            try db.execute(sql: "UPDATE outbox SET raw = ? WHERE id = ?", arguments: [e.scrub(bytes), id])
        }
        for sha in try String.fetchAll(db, sql: "SELECT sha256 FROM blobs") {
            guard let bytes = try blob(db, sha), e.occurs(in: bytes) else { continue }
            let newBytes = e.scrub(bytes)
            let scrubbed = try storeBlob(db, newBytes)
            // The files of a rewritten message are read back from it by their checksums: a file
            // that named the person changed too, so its checksum is taken again.
            let rewritten = try Int64.fetchAll(db, sql: "SELECT id FROM messages WHERE raw_sha256 = ?", arguments: [sha])
            for (table, column) in [("messages", "raw_sha256"), ("failed_intake", "raw_sha256"), ("intake_attempts", "raw_sha256"), ("attachments", "sha256")] {
                try db.execute(sql: "UPDATE \(table) SET \(column) = ? WHERE \(column) = ?", arguments: [scrubbed, sha])
            }
            if !rewritten.isEmpty {
                let files = Message(bytes: newBytes, limits: ParseLimits(maxDepth: 100)).attachments
                for id in rewritten {
                    for row in try SQLRow.fetchAll(db, sql: "SELECT id, position FROM attachments WHERE message = ? AND position IS NOT NULL", arguments: [id]) {
                        let position: Int = row["position"]
                        guard position < files.count else { continue }
                        try db.execute(sql: "UPDATE attachments SET sha256 = ?, size = ? WHERE id = ?",
                                       arguments: [ContentHash.sha256Hex(files[position].data), files[position].size, row["id"] as Int64])
                    }
                }
            }
            report.otherMessagesScrubbed += 1
            try deleteBlobsNothingUses(db, [sha])
        }

        // The history says who erased whom (by the pseudonym) on each ticket they were on.
        for number in report.tickets {
            try db.execute(sql: """
                INSERT INTO history (ticket, at, actor, kind, new_value, note) VALUES (?, ?, ?, 'person-erased', ?, 'at the person''s request (GDPR Art. 17)')
                """, arguments: [number, e.at.timeIntervalSince1970, e.actor, e.pseudonym])
            try reindex(db, ticket: number)
        }
        return report
    }
}
