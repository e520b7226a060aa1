import Foundation
import MIME
import Tickets

extension SQLStore {
    /// Counted without waiting for the disk: the count has to survive a crash of the process,
    /// which a commit that is not durable does (SQLite's WAL at `synchronous = NORMAL`,
    /// PostgreSQL's `synchronous_commit = off`), not a power cut (after which the message is
    /// still on the server or with the MTA). So reading a message first costs no sync.
    public func beginAttempt(_ attempt: IntakeAttempt, now: Date) throws -> AttemptCount {
        try engine.write(durable: false) { db in
            _ = try storeBlob(db, attempt.raw, sha256: attempt.sha256)
            try db.run(sql: """
                INSERT INTO intake_attempts (key, raw_sha256, attempts, first_at, last_at) VALUES (?, ?, 1, ?, ?)
                ON CONFLICT (key) DO UPDATE SET attempts = intake_attempts.attempts + 1, last_at = excluded.last_at
                """, arguments: [attempt.key, attempt.sha256, now.timeIntervalSince1970, now.timeIntervalSince1970])
            guard let row = try SQLRow.fetchOne(db, sql: "SELECT attempts, last_error FROM intake_attempts WHERE key = ?", arguments: [attempt.key])
            else { return AttemptCount(attempts: 1, lastError: nil) }
            return AttemptCount(attempts: row["attempts"], lastError: row["last_error"])
        }
    }

    public func endAttempt(_ key: String, error: String) throws {
        try transaction { db in try db.run(sql: "UPDATE intake_attempts SET last_error = ? WHERE key = ?", arguments: [error, key]) }
    }

    public func setAside(_ attempt: IntakeAttempt, mailbox: MailboxKey?, source: String?, subject: String?, sender: String?,
                         error: String, now: Date) throws -> Int64 {
        try transaction { db in
            let sha = try storeBlob(db, attempt.raw, sha256: attempt.sha256)
            let id = try db.insert(sql: """
                INSERT INTO failed_intake (mailbox, uid_validity, uid, raw_sha256, size, subject, sender, error, failed_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [mailbox?.mailbox ?? source ?? "(pipe)", mailbox?.uidValidity ?? 0, mailbox?.uid ?? 0, sha,
                                 attempt.raw.count, subject, sender, error, now.timeIntervalSince1970])
            try db.run(sql: "DELETE FROM intake_attempts WHERE key = ?", arguments: [attempt.key])
            return id
        }
    }

    private func failedIntake(_ row: SQLRow) -> FailedIntake {
        FailedIntake(id: row["id"], mailbox: row["mailbox"], uidValidity: row["uid_validity"], uid: row["uid"], size: row["size"],
                     subject: row["subject"], sender: row["sender"], error: row["error"],
                     failed: Date(timeIntervalSince1970: row["failed_at"]), sha256: row["raw_sha256"],
                     retried: (row["retried_at"] as Double?).map(Date.init(timeIntervalSince1970:)), ticket: row["ticket"])
    }

    public func failedIntake(limit: Int) throws -> [FailedIntake] {
        try read { db in
            try SQLRow.fetchAll(db, sql: "SELECT * FROM failed_intake WHERE retried_at IS NULL ORDER BY id DESC LIMIT ?",
                             arguments: [limit]).map(failedIntake)
        }
    }

    public func failedMessage(_ id: Int64) throws -> (FailedIntake, [UInt8]) {
        try read { db in
            guard let row = try SQLRow.fetchOne(db, sql: "SELECT * FROM failed_intake WHERE id = ?", arguments: [id]) else {
                throw StoreError.noSuchFailedMessage(id)
            }
            let failed = failedIntake(row)
            guard let raw = try blob(db, failed.sha256) else { throw StoreError.noSuchFailedMessage(id) }
            return (failed, raw)
        }
    }

    public func markRetried(_ id: Int64, ticket: Int?, now: Date) throws {
        try transaction { db in
            try db.run(sql: "UPDATE failed_intake SET retried_at = ?, ticket = ? WHERE id = ?", arguments: [now.timeIntervalSince1970, ticket, id])
        }
    }

    /// One query for both: on PostgreSQL each is a round trip, and every UID waiting is asked.
    public func intake(of key: MailboxKey) throws -> MailboxIntake {
        try read { db in
            let row = try SQLRow.fetchOne(db, sql: """
                SELECT (SELECT 1 FROM intake_keys WHERE key = ?) AS filed,
                       (SELECT MAX(id) FROM failed_intake WHERE mailbox = ? AND uid_validity = ? AND uid = ? AND retried_at IS NULL) AS aside
                """, arguments: [key.key, key.mailbox, key.uidValidity, key.uid])
            if (row?["filed"] as Int?) != nil { return .filed }
            if let aside = row?["aside"] as Int64? { return .setAside(aside) }
            return .new
        }
    }
}
