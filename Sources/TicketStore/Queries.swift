import Foundation
import MIME
import Tickets

extension SQLStore {
    public func ticket(_ number: Int) throws -> TicketRecord? {
        try read { try ticket($0, number) }
    }

    /// Tickets matching the filter, newest first (a search: best first).
    public func list(_ filter: TicketFilter) throws -> [TicketRecord] {
        // A search sees everything committed before it.
        if filter.search != nil { try flushSearchIndex() }
        return try read { db in
            var clauses: [String] = []
            var arguments: [(any SQLConvertible)?] = []
            // A queue alone narrows too little to pay for sorting what the queue index finds:
            // walking the tickets newest first and skipping other queues' finds a page at once
            // (`+` keeps SQLite off the index). With a status, the (queue, status, number) index serves.
            let unindexedQueue = db.dialect == .sqlite ? "+t.queue" : "t.queue"
            if let q = filter.queue { clauses.append(filter.statuses.isEmpty ? "\(unindexedQueue) = ?" : "t.queue = ?"); arguments.append(q) }
            if let below = filter.below { clauses.append("t.number < ?"); arguments.append(below) }
            if let qs = filter.visibleQueues {
                clauses.append(qs.isEmpty ? "1 = 0" : "\(unindexedQueue) IN (\(qs.map { _ in "?" }.joined(separator: ",")))")
                arguments += qs
            }
            if !filter.statuses.isEmpty {
                clauses.append("t.status IN (\(filter.statuses.map { _ in "?" }.joined(separator: ",")))")
                arguments += filter.statuses.map(\.rawValue)
            }
            if let o = filter.owner {
                // The lead or anyone who shares the work.
                clauses.append("(t.owner = ? OR (' ' || t.co_owners || ' ') LIKE ?)")
                arguments += [o, "% \(o) %"]
            }
            if let v = filter.type { clauses.append("t.type = ? COLLATE NOCASE"); arguments.append(v) }
            if let v = filter.organisation { clauses.append("t.organisation = ? COLLATE NOCASE"); arguments.append(v) }
            if let v = filter.asset {
                clauses.append("instr(char(9) || lower(t.assets) || char(9), char(9) || lower(?) || char(9)) > 0")
                arguments.append(v)
            }
            if let v = filter.waitingFor { clauses.append("t.waiting_for = ?"); arguments.append(v.rawValue) }
            if let v = filter.level {
                clauses.append(v == filter.firstLevel ? "(t.level = ? OR t.level IS NULL)" : "t.level = ?")
                arguments.append(v)
            }
            if let v = filter.externalRef { clauses.append("t.external_ref = ? COLLATE NOCASE"); arguments.append(v) }
            for (name, value) in filter.fields {
                switch db.dialect {
                case .sqlite:
                    clauses.append("json_extract(t.fields, ?) = ? COLLATE NOCASE")
                    arguments += ["$.\"" + name.replacingOccurrences(of: "\"", with: "") + "\"", value]
                case .postgres:
                    clauses.append("(t.fields::jsonb ->> ?) = ? COLLATE NOCASE")
                    arguments += [name, value]
                }
            }
            if let sla = filter.sla {
                let now = filter.now.timeIntervalSince1970
                switch sla {
                case .red: clauses.append("t.sla_breach_at <= ?"); arguments.append(now)
                case .yellow: clauses.append("t.sla_warn_at <= ? AND (t.sla_breach_at IS NULL OR t.sla_breach_at > ?)"); arguments += [now, now]
                case .green:
                    clauses.append("(t.sla_warn_at > ? OR (t.sla_warn_at IS NULL AND t.sla_breach_at > ?))")
                    arguments += [now, now]
                }
            }
            if filter.unowned { clauses.append("t.owner IS NULL") }
            clauses.append(filter.auto ? "t.auto = 1" : "t.auto = 0")
            if let p = filter.priority {
                clauses.append("t.priority BETWEEN ? AND ?")
                arguments += [p.lowerBound, p.upperBound]
            }
            if let r = filter.requestor {
                clauses.append("EXISTS (SELECT 1 FROM ticket_people p WHERE p.ticket = t.number AND p.role = 'requestor' AND p.address = ?)")
                arguments.append(r.lowercased())
            }
            let whereSQL = clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND ")
            // Sort keys come from a closed list (`SortKey`), never from the caller's text.
            let sort = filter.sort.map { $0.sql(db.dialect) }
            func numbers(join: String, first: [(any SQLConvertible)?], order: [String]) throws -> [Int] {
                let by = ((sort.isEmpty ? order : sort) + ["t.number DESC"]).joined(separator: ", ")
                return try Int.fetchAll(db, sql: "SELECT t.number FROM tickets t \(join) \(whereSQL) ORDER BY \(by) LIMIT ? OFFSET ?",
                                        arguments: SQLArguments(first + arguments + [filter.limit, filter.offset]))
            }
            guard let s = filter.search else { return try tickets(db, try numbers(join: "", first: [], order: [])) }
            let d = db.dialect
            guard let query = FullText.query(s, d) else { throw StoreError.nothingToSearch(s) }
            let match = FullText.matches("search_index", d)
            let hits = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM search_index WHERE \(match)", arguments: [query]) ?? 0
            var found: [Int]
            if hits <= filter.rankedHits {
                // Ranked by the best of the ticket's rows (its own or one of its messages).
                found = try numbers(join: """
                    JOIN (SELECT ticket, MIN(\(FullText.score("search_index", d))) AS score FROM search_index WHERE \(match) GROUP BY ticket) h
                        ON h.ticket = t.number
                    """, first: FullText.scoreBindsQuery(d) ? [query, query] : [query], order: ["h.score"])
            } else {
                // A word nearly every ticket has ranks nothing: the newest matches first, looked for
                // among the latest hits, then among more of them while the page is not full.
                found = []
                for window in [filter.rankedHits, filter.rankedHits * 10, hits] {
                    found = try numbers(join: """
                        JOIN (SELECT ticket, MAX(rowid) AS latest FROM (SELECT ticket, rowid FROM search_index WHERE \(match) ORDER BY rowid DESC LIMIT \(window)) AS hits GROUP BY ticket) h ON h.ticket = t.number
                        """, first: [query], order: ["h.latest DESC"])
                    if found.count >= filter.limit || window >= hits { break }
                }
            }
            return try tickets(db, found)
        }
    }

    public func slaCandidates(now: Date) throws -> [TicketRecord] {
        try read { db in
            try tickets(db, try Int.fetchAll(db, sql: """
                SELECT number FROM tickets WHERE sla_warn_at <= ?1 AND status NOT IN ('resolved', 'rejected') ORDER BY sla_warn_at LIMIT 1000
                """, arguments: [now.timeIntervalSince1970]))
        }
    }

    public func waiting(for waiting: WaitingFor, updatedBefore date: Date) throws -> [TicketRecord] {
        try read { db in
            try tickets(db, try Int.fetchAll(db, sql: """
                SELECT number FROM tickets WHERE waiting_for = ? AND updated_at <= ? AND status NOT IN ('resolved', 'rejected')
                ORDER BY updated_at LIMIT 1000
                """, arguments: [waiting.rawValue, date.timeIntervalSince1970]))
        }
    }

    public func pendingApprovals() throws -> [TicketRecord] {
        try read { db in
            try tickets(db, try Int.fetchAll(db, sql: "SELECT number FROM tickets WHERE approval = 'pending' ORDER BY resolved_at"))
        }
    }

    public func personData(_ address: String) throws -> PersonData {
        let a = address.lowercased()
        return try read { db in
            let messages = try SQLRow.fetchAll(db, sql: """
                SELECT id, ticket, direction, message_id, subject, sender, received_at FROM messages WHERE sender = ? COLLATE NOCASE ORDER BY id
                """, arguments: [a]).map { row in
                StoredMessage(id: row["id"], ticket: row["ticket"], direction: row["direction"], messageID: row["message_id"],
                              subject: row["subject"], sender: row["sender"], received: Date(timeIntervalSince1970: row["received_at"]))
            }
            let ids = messages.map(\.id)
            let attachments = ids.isEmpty ? [] : try SQLRow.fetchAll(db, sql: """
                SELECT * FROM attachments WHERE message IN (\(ids.map { _ in "?" }.joined(separator: ","))) ORDER BY id
                """, arguments: SQLArguments(ids)).map { row in
                AttachmentRecord(id: row["id"], ticket: row["ticket"], message: row["message"], filename: row["filename"],
                                 contentType: row["content_type"], size: row["size"], isInline: row["inline"], sha256: row["sha256"])
            }
            let numbers = try Int.fetchAll(db, sql: """
                SELECT ticket FROM ticket_people WHERE address = ? UNION SELECT ticket FROM messages WHERE sender = ? COLLATE NOCASE AND ticket IS NOT NULL
                ORDER BY 1
                """, arguments: [a, a])
            let history = try SQLRow.fetchAll(db, sql: """
                SELECT * FROM history WHERE actor = ?1 COLLATE NOCASE OR old_value = ?1 COLLATE NOCASE OR new_value = ?1 COLLATE NOCASE ORDER BY id
                """, arguments: [a]).map(historyEntry)
            let outbox = try SQLRow.fetchAll(db, sql: """
                SELECT id, ticket, template, recipient, sender, message_id, state, attempts, next_attempt_at, last_error, created_at, sent_at
                FROM outbox WHERE recipient = ? COLLATE NOCASE ORDER BY id
                """, arguments: [a]).map(outboxEntry)
            return PersonData(tickets: try tickets(db, numbers), messages: messages, attachments: attachments,
                              history: history, notifications: outbox)
        }
    }

    func storedLinks(_ db: SQLSession, ticket: Int) throws -> [StoredLink] {
        try SQLRow.fetchAll(db, sql: "SELECT * FROM links WHERE from_ticket = ?1 OR to_ticket = ?1 ORDER BY id", arguments: [ticket]).map {
            StoredLink(from: $0["from_ticket"], kind: $0["kind"], to: $0["to_ticket"], url: $0["url"])
        }
    }

    public func links(_ ticket: Int) throws -> [TicketLink] {
        try read { db in
            try storedLinks(db, ticket: ticket).compactMap { link in
                if let url = link.url { return TicketLink(url: url) }
                guard let kind = LinkKind(rawValue: link.kind), let to = link.to else { return nil }
                return link.from == ticket ? TicketLink(kind: kind, ticket: to) : TicketLink(kind: kind.inverse, ticket: link.from)
            }
        }
    }

    public func timeEntries(ticket: Int?, from: String?, to: String?) throws -> [TimeRecord] {
        try read { try timeEntries($0, ticket: ticket, from: from, to: to) }
    }

    func timeEntries(_ db: SQLSession, ticket: Int?, from: String?, to: String?) throws -> [TimeRecord] {
        var clauses: [String] = []
        var arguments: [(any SQLConvertible)?] = []
        if let ticket { clauses.append("ticket = ?"); arguments.append(ticket) }
        if let from { clauses.append("day >= ?"); arguments.append(from) }
        if let to { clauses.append("day <= ?"); arguments.append(to) }
        let whereSQL = clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND ")
        return try SQLRow.fetchAll(db, sql: "SELECT * FROM time_entries \(whereSQL) ORDER BY day, id", arguments: SQLArguments(arguments)).map {
            TimeRecord(id: $0["id"], ticket: $0["ticket"], staff: $0["staff"], minutes: $0["minutes"], day: $0["day"],
                       billable: $0["billable"], note: $0["note"])
        }
    }

    public func recordAccess(ticket: Int, actor: String, via: String, at: Date) throws {
        try transaction { db in
            try db.run(sql: "INSERT INTO access_log (ticket, at, actor, via) VALUES (?, ?, ?, ?)",
                       arguments: [ticket, at.timeIntervalSince1970, actor, via])
        }
    }

    public func accessLog(ticket: Int) throws -> [AccessEntry] {
        try read { db in
            try SQLRow.fetchAll(db, sql: "SELECT * FROM access_log WHERE ticket = ? ORDER BY at, id", arguments: [ticket]).map {
                AccessEntry(ticket: $0["ticket"], at: Date(timeIntervalSince1970: $0["at"]), actor: $0["actor"], via: $0["via"])
            }
        }
    }

    @discardableResult
    public func forgetAccess(before date: Date) throws -> Int {
        try transaction { db in
            try db.execute(sql: "DELETE FROM access_log WHERE at < ?", arguments: [date.timeIntervalSince1970])
            return db.changesCount
        }
    }

    public func retentionCandidates(resolvedBefore date: Date) throws -> [TicketRecord] {
        try read { db in
            try tickets(db, try Int.fetchAll(db, sql: """
                SELECT number FROM tickets WHERE status IN ('resolved', 'rejected') AND resolved_at <= ?
                    AND (purged_at IS NULL OR purged_at < resolved_at) ORDER BY resolved_at LIMIT 1000
                """, arguments: [date.timeIntervalSince1970]))
        }
    }

    public func reclaimSpace() throws { try engine.reclaimSpace() }

    public func history(_ number: Int) throws -> [HistoryEntry] {
        try read { db in
            guard try ticket(db, number) != nil else { throw DeskError.unknownTicket(number) }
            return try SQLRow.fetchAll(db, sql: "SELECT * FROM history WHERE ticket = ? ORDER BY id", arguments: [number]).map(historyEntry)
        }
    }

    /// Entries that belong to no ticket: messages dropped as our own mail coming back.
    public func droppedMessages(limit: Int) throws -> [HistoryEntry] {
        try read { try SQLRow.fetchAll($0, sql: "SELECT * FROM history WHERE ticket IS NULL ORDER BY id DESC LIMIT ?", arguments: [limit]).map(historyEntry) }
    }

    private func historyEntry(_ row: SQLRow) -> HistoryEntry {
        HistoryEntry(id: row["id"], ticket: row["ticket"], at: Date(timeIntervalSince1970: row["at"]), actor: row["actor"],
                     kind: row["kind"], oldValue: row["old_value"], newValue: row["new_value"], message: row["message"], note: row["note"])
    }

    /// The text of a stored message (what `suport show --history` prints under an entry).
    public func messageText(_ id: Int64) throws -> String? {
        try read { try String.fetchOne($0, sql: "SELECT text FROM messages WHERE id = ?", arguments: [id]) }
    }

    /// The raw bytes of a stored message, exactly as received.
    public func rawMessage(_ id: Int64) throws -> [UInt8]? {
        try read { try rawMessage($0, id) }
    }

    func rawMessage(_ db: SQLSession, _ id: Int64) throws -> [UInt8]? {
        guard let sha = try String.fetchOne(db, sql: "SELECT raw_sha256 FROM messages WHERE id = ?", arguments: [id]) else { return nil }
        return try blob(db, sha)
    }

    public func attachments(_ number: Int) throws -> [AttachmentRecord] {
        try read { db in
            try SQLRow.fetchAll(db, sql: "SELECT * FROM attachments WHERE ticket = ? ORDER BY id", arguments: [number]).map { row in
                AttachmentRecord(id: row["id"], ticket: row["ticket"], message: row["message"], filename: row["filename"],
                                 contentType: row["content_type"], size: row["size"], isInline: row["inline"], sha256: row["sha256"])
            }
        }
    }

    /// An attachment of a ticket and its bytes, read back from its message: the part at its
    /// position if its SHA-256 still matches, else the part that does (a later parser may order
    /// parts otherwise). Attachments filed before migration 5 have a blob of their own.
    public func attachment(_ id: Int64, ofTicket number: Int) throws -> (AttachmentRecord, [UInt8]) {
        try read { db in
            guard let row = try SQLRow.fetchOne(db, sql: "SELECT * FROM attachments WHERE id = ? AND ticket = ?", arguments: [id, number]) else {
                throw StoreError.noSuchAttachment(id)
            }
            let sha: String = row["sha256"]
            var found = try blob(db, sha)
            if found == nil, let raw = try rawMessage(db, row["message"]) {
                // Read with room to spare, so a limit lowered since filing does not hide the part.
                let parts = Message(bytes: raw, limits: ParseLimits(maxDepth: 100)).attachments
                if let position = row["position"] as Int?, position < parts.count, ContentHash.sha256Hex(parts[position].data) == sha {
                    found = parts[position].data
                } else {
                    found = parts.first { ContentHash.sha256Hex($0.data) == sha }?.data
                }
            }
            guard let bytes = found else { throw StoreError.unreadableAttachment(id) }
            let record = AttachmentRecord(id: row["id"], ticket: row["ticket"], message: row["message"], filename: row["filename"],
                                          contentType: row["content_type"], size: row["size"], isInline: row["inline"], sha256: row["sha256"])
            return (record, bytes)
        }
    }

    /// Counts for `suport db stats` and tests: tickets, messages, blobs, outbox rows by state.
    public func counts() throws -> [String: Int] {
        try read { db in
            var c: [String: Int] = [:]
            for table in ["tickets", "messages", "blobs", "attachments", "history", "intake_keys"] {
                c[table] = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(table)") ?? 0
            }
            for row in try SQLRow.fetchAll(db, sql: "SELECT state, COUNT(*) AS n FROM outbox GROUP BY state") {
                c["outbox." + (row["state"] as String)] = row["n"]
            }
            return c
        }
    }
}

extension SQLStore {
    public func dashboard(now: Date, monthStart: String) throws -> Dashboard {
        try read { db in
            var rows: [String: Dashboard.Queue] = [:]
            func row(_ name: String) -> Dashboard.Queue { rows[name] ?? Dashboard.Queue(name: name) }
            let open = "status NOT IN ('resolved', 'rejected')"
            // SQLite's planner, with no statistics, took the owner index for the unowned count
            // (most of 100,000 tickets have no owner: 34 ms instead of 3 on the open-work index)
            // and scanned the whole table in queue order for the SLA counts rather than the SLA
            // index (45 ms instead of 0.1): a unary plus keeps it off the index it should not take.
            let plus = db.dialect == .sqlite ? "+" : ""
            // Counted on the (queue, status) index, less the few set aside (auto-filed, merged), on an index of their own.
            for r in try SQLRow.fetchAll(db, sql: "SELECT queue, status, COUNT(*) AS n FROM tickets GROUP BY queue, status") {
                var q = row(r["queue"]); q.byStatus[r["status"]] = r["n"]; rows[q.name] = q
            }
            for r in try SQLRow.fetchAll(db, sql: "SELECT queue, status, COUNT(*) AS n FROM tickets WHERE auto = 1 OR merged_into IS NOT NULL GROUP BY queue, status") {
                var q = row(r["queue"])
                let left = (q.byStatus[r["status"]] ?? 0) - (r["n"] as Int)
                q.byStatus[r["status"]] = left > 0 ? left : nil
                rows[q.name] = q
            }
            for r in try SQLRow.fetchAll(db, sql: "SELECT queue, COUNT(*) AS n FROM tickets WHERE status IN ('new', 'open') AND status = 'new' AND \(plus)owner IS NULL AND auto = 0 GROUP BY queue") {
                var q = row(r["queue"]); q.unownedNew = r["n"]; rows[q.name] = q
            }
            let t = now.timeIntervalSince1970
            for r in try SQLRow.fetchAll(db, sql: """
                SELECT queue, SUM(CASE WHEN sla_breach_at <= ?1 THEN 1 ELSE 0 END) AS red,
                    SUM(CASE WHEN sla_breach_at IS NULL OR sla_breach_at > ?1 THEN 1 ELSE 0 END) AS yellow
                FROM tickets WHERE sla_warn_at <= ?1 AND \(open) GROUP BY \(plus)queue
                """, arguments: [t]) {
                var q = row(r["queue"]); q.red = r["red"]; q.yellow = r["yellow"]; rows[q.name] = q
            }
            for r in try SQLRow.fetchAll(db, sql: "SELECT queue, waiting_for, COUNT(*) AS n FROM tickets WHERE waiting_for IS NOT NULL AND \(open) GROUP BY 1, 2") {
                var q = row(r["queue"]); q.waiting[r["waiting_for"]] = r["n"]; rows[q.name] = q
            }
            // The oldest waiting ticket, a queue at a time: the first of a small sort on the
            // open-work index (about 1 ms at 100,000 tickets, where one window over every
            // queue's open work sorted it all: 27 ms).
            for name in rows.keys.sorted() {
                guard let r = try SQLRow.fetchOne(db, sql: """
                    SELECT number, updated_at AS since FROM tickets
                    WHERE queue = ? AND status IN ('new', 'open') AND auto = 0 AND (waiting_for IS NULL OR waiting_for = 'support')
                    ORDER BY updated_at, number LIMIT 1
                    """, arguments: [name]) else { continue }
                var q = row(name); q.oldestWaiting = (r["number"], Date(timeIntervalSince1970: r["since"])); rows[name] = q
            }
            for r in try SQLRow.fetchAll(db, sql: """
                SELECT t.queue, SUM(e.minutes) AS m FROM time_entries e JOIN tickets t ON t.number = e.ticket WHERE e.day >= ? GROUP BY t.queue
                """, arguments: [monthStart]) {
                var q = row(r["queue"]); q.minutesThisMonth = r["m"]; rows[q.name] = q
            }
            return Dashboard(queues: rows.values.sorted { $0.name < $1.name })
        }
    }
}
