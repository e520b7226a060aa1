import Foundation
import MIME
import Tickets

/// One write transaction on the SQLite store.
struct SQLTransaction: StoreTransaction {
    let db: SQLSession
    let store: SQLStore

    // MARK: lookups

    func hasPublishedArticles() throws -> Bool { try store.hasPublishedArticles(db) }

    func articlesMatchingAny(_ words: [String], queue: String?, limit: Int) throws -> [Article] {
        try store.articlesMatchingAny(db, words, queue: queue, limit: limit)
    }

    /// The ticket with this number, or the one it was merged into (mail tagged with a merged
    /// number joins the survivor).
    func ticket(number: Int) throws -> TicketRecord? {
        var found = try store.ticket(db, number)
        var hops = 0
        while let next = found?.mergedInto, hops < 16 {
            found = try store.ticket(db, next)
            hops += 1
        }
        return found
    }

    func ticket(referencing messageIDs: [String]) throws -> TicketRecord? {
        let ids = Array(Set(messageIDs)).prefix(200)
        guard !ids.isEmpty else { return nil }
        let marks = Array(repeating: "?", count: ids.count).joined(separator: ",")
        let sql = """
            SELECT ticket FROM (
                SELECT ticket, received_at AS t FROM messages WHERE ticket IS NOT NULL AND message_id IN (\(marks))
                UNION ALL SELECT ticket, created_at AS t FROM outbox WHERE ticket IS NOT NULL AND message_id IN (\(marks))
            ) AS known ORDER BY t DESC LIMIT 1
            """
        guard let number = try Int.fetchOne(db, sql: sql, arguments: SQLArguments(Array(ids) + Array(ids))) else { return nil }
        return try ticket(number: number)
    }

    func acknowledgements(to address: String, since: Date) throws -> Int {
        try Int.fetchOne(db, sql: """
            SELECT COUNT(*) FROM outbox WHERE template = 'acknowledgement' AND recipient = ? COLLATE NOCASE AND created_at >= ?
            """, arguments: [address, since.timeIntervalSince1970]) ?? 0
    }

    func nextTicketNumber() throws -> Int {
        let max = try Int.fetchOne(db, sql: "SELECT MAX(number) FROM tickets") ?? 0
        return Swift.max(max + 1, store.firstTicketNumber)
    }

    /// The first Message-ID and the latest 19: mail received on the ticket and notifications sent.
    func thread(ticket number: Int) throws -> [String] {
        let ids = try String.fetchAll(db, sql: """
            SELECT message_id FROM (
                SELECT message_id, received_at AS t, id FROM messages WHERE ticket = ? AND message_id IS NOT NULL AND direction = 'in'
                UNION ALL SELECT message_id, created_at AS t, id FROM outbox WHERE ticket = ?
            ) AS thread ORDER BY t, id
            """, arguments: [number, number])
        var seen: Set<String> = []
        let unique = ids.filter { seen.insert($0).inserted }
        guard unique.count > 20, let first = unique.first else { return unique }
        return [first] + unique.suffix(19)
    }

    func timeEntries(ticket: Int) throws -> [TimeRecord] { try store.timeEntries(db, ticket: ticket, from: nil, to: nil) }

    func links(ticket: Int) throws -> [StoredLink] { try store.storedLinks(db, ticket: ticket) }

    func organisation(of address: String) throws -> String? { try store.organisation(db, of: address) }

    func storedMessage(_ id: Int64, ticket: Int) throws -> (raw: [UInt8], sha256: String, text: String?)? {
        guard let row = try SQLRow.fetchOne(db, sql: "SELECT raw_sha256, text FROM messages WHERE id = ? AND ticket = ?", arguments: [id, ticket]),
              let raw = try store.blob(db, row["raw_sha256"]) else { return nil }
        return (raw, row["raw_sha256"], row["text"])
    }

    func languages(of addresses: [String]) throws -> [String: Language] {
        var out: [String: Language] = [:]
        for a in Set(addresses.map { $0.lowercased() }) {
            if let l = try String.fetchOne(db.cachedStatement(sql: "SELECT language FROM people WHERE address = ?"), arguments: [a]).flatMap(Language.init(rawValue:)) {
                out[a] = l
            }
        }
        return out
    }

    func heldReply(outbox id: Int64) throws -> HeldReply? {
        guard let row = try SQLRow.fetchOne(db, sql: "SELECT ticket, history, author, held_until FROM outbox WHERE id = ?", arguments: [id]),
              let ticket = row["ticket"] as Int? else { return nil }
        let history: Int64? = row["history"]
        let rows = try history.map { h in
            try SQLRow.fetchAll(db, sql: "SELECT id, recipient, template, state FROM outbox WHERE ticket = ? AND history = ? ORDER BY id",
                                arguments: [ticket, h]).map {
                HeldReply.Row(id: $0["id"], recipient: $0["recipient"], template: $0["template"], pending: ($0["state"] as String) == "pending")
            }
        } ?? []
        let message = try history.flatMap { try Int64.fetchOne(db, sql: "SELECT message FROM history WHERE id = ?", arguments: [$0]) }
        let raw = try message.flatMap { try store.rawMessage(db, $0) }
        return HeldReply(outbox: id, ticket: ticket, author: row["author"], heldUntil: (row["held_until"] as Double?).map(Date.init(timeIntervalSince1970:)),
                         rows: rows, message: message, raw: raw)
    }

    func filedMessage(keys: [String]) throws -> FiledMessage? {
        for key in keys {
            guard let row = try SQLRow.fetchOne(db.cachedStatement(sql: """
                SELECT k.message, m.ticket, m.mailbox FROM intake_keys k LEFT JOIN messages m ON m.id = k.message WHERE k.key = ?
                """), arguments: [key]) else { continue }
            return FiledMessage(message: row["message"], ticket: row["ticket"], mailbox: row["mailbox"])
        }
        return nil
    }

    // MARK: retention

    /// Deletes what retention says of a ticket, then every blob that only it referred to.
    /// Dedupe keys stay (without their message), so mail filed long ago is still not filed twice.
    private func purge(_ number: Int, _ scope: Purge) throws {
        try store.unindex(db, ticket: number)
        let blobs = try String.fetchAll(db, sql: """
            SELECT raw_sha256 FROM messages WHERE ticket = ? UNION SELECT sha256 FROM attachments WHERE ticket = ?
            """, arguments: [number, number])
        var statements = [
            "UPDATE history SET message = NULL WHERE ticket = ?",
            "UPDATE intake_keys SET message = NULL WHERE message IN (SELECT id FROM messages WHERE ticket = ?)",
            "DELETE FROM attachments WHERE ticket = ?",
            "DELETE FROM messages WHERE ticket = ?",
            // A notice still waiting months after the ticket ended is given up rather than sent empty.
            """
            UPDATE outbox SET raw = substr(raw, 1, 0), last_error = CASE state WHEN 'pending' THEN 'purged by retention before it was sent' ELSE last_error END,
                state = CASE state WHEN 'pending' THEN 'failed' ELSE state END WHERE ticket = ?
            """,
        ]
        if scope == .ticket {
            statements += ["DELETE FROM outbox WHERE ticket = ?", "DELETE FROM history WHERE ticket = ?", "DELETE FROM access_log WHERE ticket = ?",
                           "DELETE FROM time_entries WHERE ticket = ?", "DELETE FROM links WHERE from_ticket = ?1 OR to_ticket = ?1",
                           "DELETE FROM ticket_people WHERE ticket = ?", "DELETE FROM tickets WHERE number = ?"]
        }
        for sql in statements { try db.execute(sql: sql, arguments: [number]) }
        if scope == .ticket {
            try db.execute(sql: """
                INSERT INTO history (ticket, at, actor, kind, new_value, note)
                VALUES (NULL, ?, 'suport', 'purged', ?, 'the whole ticket (keep_resolved_months)')
                """, arguments: [Date().timeIntervalSince1970, "#\(number)"])
        }
        try store.deleteBlobsNothingUses(db, blobs)
        if scope == .messages { try store.reindex(db, ticket: number) }
    }

    // MARK: the one writer

    /// A ticket's columns as `apply` writes them (all but its number and creation time).
    static func columns(of t: TicketRecord, updated: Double) -> [(name: String, value: SQLValue)] {
        func time(_ d: Date?) -> (any SQLConvertible)? { d?.timeIntervalSince1970 }
        let c = t.sla
        let pairs: [(String, (any SQLConvertible)?)] = [
            ("title", t.title), ("queue", t.queue), ("status", t.status.rawValue), ("owner", t.owner), ("priority", t.priority),
            ("resolved_at", time(t.resolved)), ("updated_at", updated), ("auto", t.autoFiled), ("approval", t.approval?.rawValue),
            ("purged_at", time(t.purged)), ("billable", t.billable), ("minutes_worked", t.minutesWorked), ("merged_into", t.mergedInto),
            ("type", t.type), ("co_owners", t.coOwners.joined(separator: " ")), ("due_at", time(t.due)), ("external_ref", t.externalRef),
            ("waiting_for", t.waitingFor?.rawValue), ("level", t.level), ("fields", SQLStore.fieldsJSON(t.fields)),
            ("organisation", t.organisation), ("sla_policy", c.policy), ("sla_paused_seconds", c.pausedSeconds),
            ("sla_paused_since", time(c.pausedSince)), ("first_response_at", time(c.firstResponse)), ("response_due", time(c.responseDue)),
            ("response_warn", time(c.responseWarn)), ("resolution_due", time(c.resolutionDue)), ("resolution_warn", time(c.resolutionWarn)),
            ("sla_warn_at", time(c.warnAt)), ("sla_breach_at", time(c.breachAt)), ("sla_reminded", c.reminded.sorted().joined(separator: ",")),
            ("assets", t.assets.joined(separator: "\t")),
        ]
        return pairs.map { ($0.0, $0.1?.sqlValue ?? .null) }
    }

    func apply(_ op: TicketOperation) throws -> Int64? {
        let at = op.at.timeIntervalSince1970
        if let t = op.after {
            let columns = Self.columns(of: t, updated: op.touches || op.before == nil ? at : t.updated.timeIntervalSince1970)
            if let before = op.before {
                // Only the columns that changed: SQLite rewrites every index naming a column
                // in the SET list, changed or not, and a ticket has eleven indexes.
                let stored = Self.columns(of: before, updated: before.updated.timeIntervalSince1970)
                let changed = zip(columns, stored).filter { $0.0.value != $0.1.value }.map(\.0)
                if !changed.isEmpty {
                    try db.run(sql: "UPDATE tickets SET " + changed.map { "\($0.name) = ?" }.joined(separator: ", ") + " WHERE number = ?",
                               arguments: SQLArguments(values: changed.map(\.value) + [.integer(Int64(t.number))]))
                }
            } else {
                // In one statement with every column: the row enters each index once.
                try db.run(sql: "INSERT INTO tickets (number, created_at, " + columns.map(\.name).joined(separator: ", ") + ") VALUES ("
                               + Array(repeating: "?", count: columns.count + 2).joined(separator: ", ") + ")",
                           arguments: SQLArguments(values: [.integer(Int64(t.number)), .real(t.created.timeIntervalSince1970)] + columns.map(\.value)))
            }
            if op.before.map({ SQLStore.searchText($0) != SQLStore.searchText(t) }) ?? true { try store.queueForIndex(db, rowid: -Int64(t.number), ticket: t.number) }
            for p in op.peopleAdded {
                try db.run(sql: "INSERT INTO ticket_people (ticket, role, address, name) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                           arguments: [t.number, p.role.rawValue, p.address.address, p.address.name])
            }
            for p in op.peopleRemoved {
                try db.run(sql: "DELETE FROM ticket_people WHERE ticket = ? AND role = ? AND address = ?",
                           arguments: [t.number, p.role.rawValue, p.address.address])
            }
        }
        let ticket = op.ticket
        let message = try op.message.map { kept in
            let id = try store.storeMessage(db, raw: kept.raw, sha256: kept.sha256 ?? ContentHash.sha256Hex(kept.raw), message: kept.message,
                                            ticket: ticket, direction: kept.direction.rawValue, mailbox: kept.mailbox, at: op.at,
                                            keepingAttachments: kept.attachmentsKept)
            if let ticket { try store.queueForIndex(db, rowid: id, ticket: ticket) }
            return id
        }
        var history: [Int64] = []
        for item in op.history {
            history.append(try db.insert(sql: """
                INSERT INTO history (ticket, at, actor, kind, old_value, new_value, message, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [ticket, at, item.actor, item.kind, item.old, item.new, item.carriesMessage ? message : nil, item.note]))
        }
        for notice in op.notices {
            try db.run(sql: """
                INSERT INTO outbox (ticket, history, template, recipient, sender, message_id, raw, state, next_attempt_at, created_at, author, held_until)
                VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?, ?)
                """, arguments: [ticket, notice.cause.map { history[$0] }, notice.template.rawValue, notice.recipient, notice.sender,
                                 notice.messageID, notice.bytes, notice.heldUntil?.timeIntervalSince1970 ?? at, at, notice.author,
                                 notice.heldUntil?.timeIntervalSince1970])
        }
        for (address, language) in op.languagesLearned {
            try db.run(sql: "INSERT INTO people (address, language, set_by, updated_at) VALUES (?, ?, 'learned', ?) ON CONFLICT DO NOTHING",
                       arguments: [address.lowercased(), language.rawValue, at])
        }
        for (id, bytes, messageID) in op.outboxRewritten {
            try db.run(sql: "UPDATE outbox SET raw = ?, message_id = ? WHERE id = ? AND state = 'pending'", arguments: [bytes, messageID, id])
        }
        for id in op.outboxWithdrawn {
            try db.run(sql: "UPDATE outbox SET state = 'withdrawn', last_error = 'withdrawn by its author' WHERE id = ? AND state = 'pending'",
                       arguments: [id])
        }
        for (recipient, reason) in op.failedDeliveries {
            try db.run(sql: """
                UPDATE outbox SET state = 'failed', last_error = ? WHERE ticket = ? AND recipient = ? COLLATE NOCASE AND state != 'failed'
                """, arguments: [reason, ticket, recipient])
        }
        for key in op.intakeKeys {
            try db.run(sql: "INSERT INTO intake_keys (key, message, filed_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                       arguments: [key, message ?? op.keyMessage, at])
        }
        for key in op.endsAttempts {
            try db.run(sql: "DELETE FROM intake_attempts WHERE key = ?", arguments: [key])
        }
        for entry in op.timeAdded {
            try db.run(sql: "INSERT INTO time_entries (ticket, staff, minutes, day, billable, note, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                       arguments: [entry.ticket, entry.staff, entry.minutes, entry.day, entry.billable, entry.note, at])
        }
        for link in op.linksAdded {
            try db.run(sql: "INSERT INTO links (from_ticket, kind, to_ticket, url) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                       arguments: [link.from, link.kind, link.to, link.url])
        }
        for link in op.linksRemoved {
            try db.run(sql: "DELETE FROM links WHERE from_ticket = ? AND kind = ? AND to_ticket IS NOT DISTINCT FROM ? AND url IS NOT DISTINCT FROM ?",
                       arguments: [link.from, link.kind, link.to, link.url])
        }
        for id in op.timeRemoved {
            try db.run(sql: "DELETE FROM time_entries WHERE id = ? AND ticket = ?", arguments: [id, ticket])
        }
        if let target = op.mergeInto, let number = ticket {
            // (A link row names a ticket or a URL, never both, so its UNIQUE key, which has a NULL,
            // never conflicts: moving links needs no conflict clause.)
            for sql in ["UPDATE messages SET ticket = ?2 WHERE ticket = ?1", "UPDATE attachments SET ticket = ?2 WHERE ticket = ?1",
                        "UPDATE time_entries SET ticket = ?2 WHERE ticket = ?1",
                        "UPDATE links SET from_ticket = ?2 WHERE from_ticket = ?1 AND (to_ticket IS NULL OR to_ticket != ?2)",
                        "UPDATE links SET to_ticket = ?2 WHERE to_ticket = ?1 AND from_ticket != ?2"] {
                try db.execute(sql: sql, arguments: [number, target])
            }
            // What is left pointed at both tickets at once: a link between the two, now meaningless.
            try db.execute(sql: "DELETE FROM links WHERE from_ticket = ?1 OR to_ticket = ?1", arguments: [number])
            try store.reindex(db, ticket: target)
        }
        if let purge = op.purge, let number = ticket { try self.purge(number, purge) }
        if let r = op.replacement, let number = ticket {
            let old = try String.fetchOne(db, sql: "SELECT raw_sha256 FROM messages WHERE id = ? AND ticket = ?", arguments: [r.message, number])
            let sha = try store.storeBlob(db, r.raw)
            try db.run(sql: "UPDATE messages SET raw_sha256 = ?, text = ? WHERE id = ? AND ticket = ?", arguments: [sha, r.text, r.message, number])
            try store.reindex(db, ticket: number)
            try store.deleteBlobsNothingUses(db, old.map { [$0] } ?? [])
        }
        return message
    }
}
