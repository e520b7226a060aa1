import Foundation
import Tickets

extension SQLStore {
    /// The organisation an address belongs to: its membership, else its most specific domain.
    func organisation(_ db: SQLSession, of address: String) throws -> String? {
        let a = address.lowercased()
        if let org = try String.fetchOne(db.cachedStatement(sql: "SELECT organisation FROM organisation_members WHERE address = ?"), arguments: [a]) {
            return org
        }
        for domain in ClientRules.domains(of: a) {
            if let org = try String.fetchOne(db.cachedStatement(sql: "SELECT organisation FROM organisation_domains WHERE domain = ?"),
                                             arguments: [domain]) {
                return org
            }
        }
        return nil
    }

    public func organisation(of address: String) throws -> String? { try read { try organisation($0, of: address) } }

    public func saveOrganisation(_ org: Organisation, now: Date) throws {
        try transaction { db in
            try db.execute(sql: """
                INSERT INTO organisations (name, contact, notes, created_at) VALUES (?, ?, ?, ?)
                ON CONFLICT (name) DO UPDATE SET contact = excluded.contact, notes = excluded.notes
                """, arguments: [org.name, org.contact, org.notes, now.timeIntervalSince1970])
            try db.execute(sql: "DELETE FROM organisation_domains WHERE organisation = ?", arguments: [org.name])
            for d in org.domains {
                if let other = try String.fetchOne(db, sql: "SELECT organisation FROM organisation_domains WHERE domain = ?", arguments: [d]) {
                    throw StoreError.taken("the domain \(d) belongs to \(other) already")
                }
                try db.execute(sql: "INSERT INTO organisation_domains (domain, organisation) VALUES (?, ?)", arguments: [d, org.name])
            }
            try db.execute(sql: "DELETE FROM organisation_members WHERE organisation = ?", arguments: [org.name])
            for m in org.members {
                // A person belongs to one organisation: joining this one leaves the last.
                try db.execute(sql: "INSERT INTO organisation_members (address, organisation) VALUES (?, ?) ON CONFLICT (address) DO UPDATE SET organisation = excluded.organisation", arguments: [m.lowercased(), org.name])
            }
        }
    }

    public func organisations() throws -> [Organisation] {
        try read { db in try String.fetchAll(db, sql: "SELECT name FROM organisations ORDER BY name COLLATE NOCASE").compactMap { try organisation(db, named: $0) } }
    }

    public func organisation(named name: String) throws -> Organisation? { try read { try organisation($0, named: name) } }

    func organisation(_ db: SQLSession, named name: String) throws -> Organisation? {
        guard let row = try SQLRow.fetchOne(db, sql: "SELECT * FROM organisations WHERE name = ?", arguments: [name]) else { return nil }
        let canonical: String = row["name"]
        return Organisation(name: canonical, contact: row["contact"], notes: row["notes"],
                            domains: try String.fetchAll(db, sql: "SELECT domain FROM organisation_domains WHERE organisation = ? ORDER BY domain", arguments: [canonical]),
                            members: try String.fetchAll(db, sql: "SELECT address FROM organisation_members WHERE organisation = ? ORDER BY address", arguments: [canonical]))
    }

    public func saveAsset(_ asset: Asset, now: Date) throws {
        try transaction { db in
            try db.execute(sql: """
                INSERT INTO assets (name, kind, organisation, location, notes, created_at) VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT (name) DO UPDATE SET kind = excluded.kind, organisation = excluded.organisation, location = excluded.location,
                    notes = excluded.notes
                """, arguments: [asset.name, asset.kind, asset.organisation, asset.location, asset.notes, now.timeIntervalSince1970])
        }
    }

    public func assets(organisation: String?) throws -> [Asset] {
        try read { db in
            let rows = try organisation.map { try SQLRow.fetchAll(db, sql: "SELECT * FROM assets WHERE organisation = ? COLLATE NOCASE ORDER BY name", arguments: [$0]) }
                ?? SQLRow.fetchAll(db, sql: "SELECT * FROM assets ORDER BY name COLLATE NOCASE")
            return rows.map(Self.asset)
        }
    }

    public func asset(named name: String) throws -> Asset? {
        try read { try SQLRow.fetchOne($0, sql: "SELECT * FROM assets WHERE name = ?", arguments: [name]).map(Self.asset) }
    }

    static func asset(_ row: SQLRow) -> Asset {
        Asset(name: row["name"], kind: row["kind"], organisation: row["organisation"], location: row["location"], notes: row["notes"])
    }

    public func saveView(name: String, arguments: [String], by: String?, now: Date) throws {
        let json = String(decoding: try JSONSerialization.data(withJSONObject: arguments), as: UTF8.self)
        try transaction { db in
            try db.execute(sql: """
                INSERT INTO saved_views (name, arguments, created_by, created_at) VALUES (?, ?, ?, ?)
                ON CONFLICT (name) DO UPDATE SET arguments = excluded.arguments, created_by = excluded.created_by, created_at = excluded.created_at
                """,
                           arguments: [name, json, by, now.timeIntervalSince1970])
        }
    }

    public func views() throws -> [(name: String, arguments: [String])] {
        try read { db in
            try SQLRow.fetchAll(db, sql: "SELECT name, arguments FROM saved_views ORDER BY name").map { row in
                let args = (try? JSONSerialization.jsonObject(with: Data((row["arguments"] as String).utf8))) as? [String] ?? []
                return (row["name"], args)
            }
        }
    }

    @discardableResult
    public func removeView(name: String) throws -> Bool {
        try transaction { db in
            try db.execute(sql: "DELETE FROM saved_views WHERE name = ?", arguments: [name])
            return db.changesCount > 0
        }
    }

    public func setLanguage(_ language: Language?, of address: String, by: String, now: Date) throws {
        try transaction { db in
            if let language {
                try db.execute(sql: """
                    INSERT INTO people (address, language, set_by, updated_at) VALUES (?, ?, ?, ?)
                    ON CONFLICT (address) DO UPDATE SET language = excluded.language, set_by = excluded.set_by, updated_at = excluded.updated_at
                    """,
                               arguments: [address.lowercased(), language.rawValue, by, now.timeIntervalSince1970])
            } else {
                try db.execute(sql: "DELETE FROM people WHERE address = ?", arguments: [address.lowercased()])
            }
        }
    }

    public func language(of address: String) throws -> (language: Language, setBy: String)? {
        try read { db in
            guard let row = try SQLRow.fetchOne(db, sql: "SELECT language, set_by FROM people WHERE address = ?", arguments: [address.lowercased()]),
                  let l = Language(rawValue: row["language"]) else { return nil }
            return (l, row["set_by"])
        }
    }
}
