import Foundation
import Tickets

/// Several daemons on one database. A mailbox and the scheduler each have a named lease: one
/// daemon holds it until it runs out, and renews it while it lives, so a second daemon waits
/// and takes over only when the first is gone. A notification is claimed by the daemon about
/// to send it, the same way. Leases are rows written in a transaction like any other, so they
/// mean the same on every engine. Their times are the database's (`databaseTime`), not each
/// host's, so a daemon whose clock runs ahead does not take a lease early.
extension SQLStore {
    public func databaseTime() throws -> Date {
        guard engine.dialect == .postgres else { return Date() }
        let seconds = try read { try Double.fetchOne($0, sql: "SELECT extract(epoch FROM clock_timestamp())::float8") }
        return seconds.map(Date.init(timeIntervalSince1970:)) ?? Date()
    }

    public func holdLease(_ name: String, holder: String, until: Date, now: Date) throws -> Bool {
        try transaction { db in
            // Taken when nobody has it, when it ran out, or renewed when it is already ours.
            try db.execute(sql: """
                INSERT INTO leases (name, holder, expires_at) VALUES (?1, ?2, ?3)
                ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
                WHERE leases.holder = excluded.holder OR leases.expires_at <= ?4
                """, arguments: [name, holder, until.timeIntervalSince1970, now.timeIntervalSince1970])
            return db.changesCount > 0
        }
    }

    public func releaseLease(_ name: String, holder: String) throws {
        try transaction { db in try db.execute(sql: "DELETE FROM leases WHERE name = ? AND holder = ?", arguments: [name, holder]) }
    }

    public func leases() throws -> [Lease] {
        try read { db in
            try SQLRow.fetchAll(db, sql: "SELECT name, holder, expires_at FROM leases ORDER BY name").map {
                Lease(name: $0["name"], holder: $0["holder"], expires: Date(timeIntervalSince1970: $0["expires_at"]))
            }
        }
    }

    public func claimNotifications(holder: String, now: Date, until: Date, limit: Int) throws -> [(OutboxEntry, [UInt8])] {
        try transaction { db in
            let rows = try SQLRow.fetchAll(db, sql: """
                SELECT * FROM outbox WHERE state = 'pending' AND next_attempt_at <= ?1
                    AND (claimed_until IS NULL OR claimed_until <= ?1 OR claimed_by = ?2)
                ORDER BY next_attempt_at, id LIMIT ?3
                """, arguments: [now.timeIntervalSince1970, holder, limit])
            let claim = db.cachedStatement(sql: "UPDATE outbox SET claimed_by = ?, claimed_until = ? WHERE id = ?")
            return try rows.map { row in
                try claim.execute(arguments: [holder, until.timeIntervalSince1970, row["id"] as Int64])
                return (outboxEntry(row), row["raw"] as [UInt8])
            }
        }
    }

    public func renewClaim(_ id: Int64, holder: String, until: Date, now: Date) throws -> Bool {
        try transaction { db in
            try db.execute(sql: """
                UPDATE outbox SET claimed_until = ?1 WHERE id = ?2 AND state = 'pending' AND claimed_by = ?3 AND claimed_until > ?4
                """, arguments: [until.timeIntervalSince1970, id, holder, now.timeIntervalSince1970])
            return db.changesCount > 0
        }
    }

    public func claimHolders() throws -> [String] {
        try read { try String.fetchAll($0, sql: "SELECT DISTINCT claimed_by FROM outbox WHERE claimed_by IS NOT NULL AND state = 'pending'") }
    }

    public func releaseClaims(holder: String) throws {
        try transaction { db in
            try db.execute(sql: "UPDATE outbox SET claimed_by = NULL, claimed_until = NULL WHERE claimed_by = ? AND state = 'pending'",
                           arguments: [holder])
        }
    }
}

/// A named lease as it stands: who holds it, until when.
public struct Lease: Sendable, Equatable {
    public let name: String
    public let holder: String
    public let expires: Date
}
