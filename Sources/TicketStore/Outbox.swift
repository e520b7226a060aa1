import Foundation
import Tickets

extension SQLStore {
    func outboxEntry(_ row: SQLRow) -> OutboxEntry {
        var entry = OutboxEntry(id: row["id"], ticket: row["ticket"], template: row["template"], recipient: row["recipient"], sender: row["sender"],
                                messageID: row["message_id"], state: OutboxEntry.State(rawValue: row["state"]) ?? .pending,
                                attempts: row["attempts"], nextAttempt: Date(timeIntervalSince1970: row["next_attempt_at"]),
                                lastError: row["last_error"], created: Date(timeIntervalSince1970: row["created_at"]),
                                sent: (row["sent_at"] as Double?).map(Date.init(timeIntervalSince1970:)))
        entry.author = row["author"]
        entry.heldUntil = (row["held_until"] as Double?).map(Date.init(timeIntervalSince1970:))
        entry.claimedBy = row["claimed_by"]
        entry.claimedUntil = (row["claimed_until"] as Double?).map(Date.init(timeIntervalSince1970:))
        return entry
    }

    /// The fields a state change records, or the error for an id that is not there.
    private func outboxRow(_ db: SQLSession, _ id: Int64) throws -> SQLRow {
        guard let row = try SQLRow.fetchOne(db, sql: "SELECT ticket, recipient, template, state FROM outbox WHERE id = ?", arguments: [id]) else {
            throw StoreError.noSuchNotification(id)
        }
        return row
    }

    /// A delivery state in the ticket's history (sent, failed, retried): the outbox's own
    /// record, the one history written outside `apply`.
    private func recordDelivery(_ db: SQLSession, ticket: Int?, at: Date, actor: String, kind: String, old: String? = nil,
                                new: String? = nil, note: String? = nil) throws {
        try db.run(sql: """
            INSERT INTO history (ticket, at, actor, kind, old_value, new_value, note) VALUES (?, ?, ?, ?, ?, ?, ?)
            """, arguments: [ticket, at.timeIntervalSince1970, actor, kind, old, new, note])
    }

    /// Outbox rows, newest first, optionally in one state.
    public func outbox(state: OutboxEntry.State?, ticket: Int?, limit: Int) throws -> [OutboxEntry] {
        try read { db in
            var sql = """
                SELECT id, ticket, template, recipient, sender, message_id, state, attempts, next_attempt_at, last_error, created_at, sent_at,
                    author, held_until, claimed_by, claimed_until FROM outbox
                """
            var clauses: [String] = []
            var arguments: [(any SQLConvertible)?] = []
            if let state { clauses.append("state = ?"); arguments.append(state.rawValue) }
            if let ticket { clauses.append("ticket = ?"); arguments.append(ticket) }
            if !clauses.isEmpty { sql += " WHERE " + clauses.joined(separator: " AND ") }
            sql += " ORDER BY id DESC LIMIT ?"
            return try SQLRow.fetchAll(db, sql: sql, arguments: SQLArguments(arguments + [limit])).map(outboxEntry)
        }
    }

    /// The composed bytes of a notification, exactly as they are (or were) sent.
    public func outboxMessage(_ id: Int64) throws -> [UInt8] {
        try read { db in
            guard let data = try [UInt8].fetchOne(db, sql: "SELECT raw FROM outbox WHERE id = ?", arguments: [id]) else {
                throw StoreError.noSuchNotification(id)
            }
            return data
        }
    }

    /// Puts a failed or waiting notification back to be sent at once.
    public func retry(_ id: Int64, now: Date) throws {
        try transaction { db in
            let row = try outboxRow(db, id)
            guard row["state"] as String != OutboxEntry.State.withdrawn.rawValue else { throw StoreError.withdrawn(id) }
            try db.run(sql: """
                UPDATE outbox SET state = 'pending', next_attempt_at = ?, last_error = NULL, claimed_by = NULL, claimed_until = NULL
                WHERE id = ? AND state != 'sent'
                """,
                           arguments: [now.timeIntervalSince1970, id])
            try recordDelivery(db, ticket: row["ticket"], at: now, actor: "suport", kind: "notification-retry", new: row["recipient"],
                           note: "outbox \(id) was \(row["state"] as String)")
        }
    }

    /// Pending notifications whose time has come, oldest first, with their bytes.
    public func dueNotifications(now: Date, limit: Int) throws -> [(OutboxEntry, [UInt8])] {
        try read { db in
            try SQLRow.fetchAll(db, sql: """
                SELECT * FROM outbox WHERE state = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?
                """, arguments: [now.timeIntervalSince1970, limit]).map { row in
                return (outboxEntry(row), row["raw"] as [UInt8])
            }
        }
    }

    /// Records a successful send on the row and in the ticket's history.
    public func markSent(_ id: Int64, now: Date) throws {
        try transaction { db in
            let row = try outboxRow(db, id)
            try db.run(sql: """
                UPDATE outbox SET state = 'sent', sent_at = ?, attempts = attempts + 1, last_error = NULL, claimed_by = NULL, claimed_until = NULL
                WHERE id = ?
                """,
                           arguments: [now.timeIntervalSince1970, id])
            try recordDelivery(db, ticket: row["ticket"], at: now, actor: "suport", kind: "notification-sent", old: row["template"],
                           new: row["recipient"])
        }
    }

    /// Records a failed attempt: tried again at `retryAt`, or given up on (permanent
    /// failure, or no retry time) and recorded on the ticket.
    public func markFailed(_ id: Int64, error: String, retryAt: Date?, now: Date) throws {
        try transaction { db in
            let row = try outboxRow(db, id)
            if let retryAt {
                try db.run(sql: """
                    UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?, last_error = ?, claimed_by = NULL, claimed_until = NULL
                    WHERE id = ?
                    """,
                               arguments: [retryAt.timeIntervalSince1970, error, id])
            } else {
                try db.run(sql: """
                    UPDATE outbox SET state = 'failed', attempts = attempts + 1, last_error = ?, claimed_by = NULL, claimed_until = NULL
                    WHERE id = ?
                    """,
                               arguments: [error, id])
                try recordDelivery(db, ticket: row["ticket"], at: now, actor: "suport", kind: "notification-failed", old: row["template"],
                               new: row["recipient"], note: error)
            }
        }
    }
}
