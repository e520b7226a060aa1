import Foundation

/// A signed-in browser: a staff member, or a requester following their ticket.
public struct WebSession: Sendable, Equatable {
    public enum Kind: String, Sendable { case staff, requester }

    /// The SHA-256 (hex) of the cookie's token; the token itself is never stored.
    public let id: String
    public let kind: Kind
    /// The staff handle, or the requester's address (lowercased).
    public let subject: String
    /// For a requester: the ticket the link was for (nil: every ticket of theirs).
    public let ticket: Int?
    /// The token every form of this session carries.
    public let csrf: String
    public let created: Date
    public let expires: Date

    public init(id: String, kind: Kind, subject: String, ticket: Int?, csrf: String, created: Date, expires: Date) {
        self.id = id
        self.kind = kind
        self.subject = subject
        self.ticket = ticket
        self.csrf = csrf
        self.created = created
        self.expires = expires
    }
}

extension SQLStore {
    public func setPasswordHash(_ hash: String, handle: String, now: Date) throws {
        try transaction { db in
            try db.execute(sql: "INSERT INTO staff_passwords (handle, hash, set_at) VALUES (?, ?, ?) ON CONFLICT (handle) DO UPDATE SET hash = excluded.hash, set_at = excluded.set_at",
                           arguments: [handle, hash, now.timeIntervalSince1970])
            // A new password ends the sessions the old one opened.
            try db.execute(sql: "DELETE FROM web_sessions WHERE kind = 'staff' AND subject = ?", arguments: [handle])
        }
    }

    public func passwordHash(handle: String) throws -> String? {
        try read { try String.fetchOne($0, sql: "SELECT hash FROM staff_passwords WHERE handle = ?", arguments: [handle]) }
    }

    public func saveSession(_ s: WebSession) throws {
        try transaction { db in
            try db.execute(sql: """
                INSERT INTO web_sessions (id, kind, subject, ticket, csrf, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)
                """, arguments: [s.id, s.kind.rawValue, s.subject, s.ticket, s.csrf, s.created.timeIntervalSince1970, s.expires.timeIntervalSince1970])
        }
    }

    public func session(id: String, now: Date) throws -> WebSession? {
        try read { db in
            guard let row = try SQLRow.fetchOne(db.cachedStatement(sql: "SELECT * FROM web_sessions WHERE id = ? AND expires_at > ?"),
                                             arguments: [id, now.timeIntervalSince1970]),
                  let kind = WebSession.Kind(rawValue: row["kind"]) else { return nil }
            return WebSession(id: row["id"], kind: kind, subject: row["subject"], ticket: row["ticket"], csrf: row["csrf"],
                              created: Date(timeIntervalSince1970: row["created_at"]), expires: Date(timeIntervalSince1970: row["expires_at"]))
        }
    }

    public func endSession(id: String, now: Date) throws {
        try transaction { db in
            try db.execute(sql: "DELETE FROM web_sessions WHERE id = ? OR expires_at <= ?", arguments: [id, now.timeIntervalSince1970])
        }
    }

    public func recordAttempt(keys: [String], now: Date) throws {
        try transaction { db in
            // Attempts older than a day count for nothing: forget them as new ones come.
            try db.execute(sql: "DELETE FROM web_attempts WHERE at < ?", arguments: [now.timeIntervalSince1970 - 86_400])
            for key in keys { try db.execute(sql: "INSERT INTO web_attempts (key, at) VALUES (?, ?)", arguments: [key, now.timeIntervalSince1970]) }
        }
    }

    public func attempts(key: String, since: Date) throws -> Int {
        try read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM web_attempts WHERE key = ? AND at >= ?",
                                    arguments: [key, since.timeIntervalSince1970]) ?? 0 }
    }

    public func clearAttempts(key: String) throws {
        try transaction { try $0.execute(sql: "DELETE FROM web_attempts WHERE key = ?", arguments: [key]) }
    }

    public func revokeLinks(ticket: Int, address: String, now: Date) throws {
        try transaction { db in
            try db.execute(sql: "INSERT INTO link_revocations (ticket, address, revoked_at) VALUES (?, ?, ?) ON CONFLICT (ticket, address) DO UPDATE SET revoked_at = excluded.revoked_at",
                           arguments: [ticket, address.lowercased(), now.timeIntervalSince1970])
            // Sessions the links opened end with them.
            try db.execute(sql: "DELETE FROM web_sessions WHERE kind = 'requester' AND subject = ? AND (ticket = ? OR ticket IS NULL)",
                           arguments: [address.lowercased(), ticket])
        }
    }

    public func linksRevoked(ticket: Int, address: String) throws -> Date? {
        try read { db in
            try Double.fetchOne(db, sql: "SELECT revoked_at FROM link_revocations WHERE ticket = ? AND address = ?",
                                arguments: [ticket, address.lowercased()]).map { Date(timeIntervalSince1970: $0) }
        }
    }

    public func saveLoginLink(id: String, address: String, expires: Date) throws {
        try transaction { db in
            try db.execute(sql: "DELETE FROM login_links WHERE expires_at < ?", arguments: [Date().timeIntervalSince1970 - 86_400])
            try db.execute(sql: "INSERT INTO login_links (id, address, expires_at) VALUES (?, ?, ?)",
                           arguments: [id, address.lowercased(), expires.timeIntervalSince1970])
        }
    }

    public func useLoginLink(id: String, now: Date) throws -> String? {
        try transaction { db in
            // One statement both checks and spends it: two clicks at once open one session.
            try db.execute(sql: "UPDATE login_links SET used_at = ? WHERE id = ? AND used_at IS NULL AND expires_at > ?",
                           arguments: [now.timeIntervalSince1970, id, now.timeIntervalSince1970])
            guard db.changesCount == 1 else { return nil }
            return try String.fetchOne(db, sql: "SELECT address FROM login_links WHERE id = ?", arguments: [id])
        }
    }
}
