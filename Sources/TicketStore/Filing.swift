import Foundation
import GRDB
import MIME
import Tickets

/// Intake's questions, answered from inside the filing transaction.
struct DatabaseLookup: IntakeLookup {
    let db: Database
    let store: TicketStore

    func ticket(number: Int) -> TicketFacts? {
        (try? store.ticket(db, number))?.facts
    }

    func ticket(referencing messageIDs: [String]) -> TicketFacts? {
        let ids = Array(Set(messageIDs)).prefix(200)
        guard !ids.isEmpty else { return nil }
        let marks = Array(repeating: "?", count: ids.count).joined(separator: ",")
        let sql = """
            SELECT ticket FROM (
                SELECT ticket, received_at AS t FROM messages WHERE ticket IS NOT NULL AND message_id IN (\(marks))
                UNION ALL SELECT ticket, created_at AS t FROM outbox WHERE ticket IS NOT NULL AND message_id IN (\(marks))
            ) ORDER BY t DESC LIMIT 1
            """
        let arguments = StatementArguments(Array(ids) + Array(ids))
        guard let number = try? Int.fetchOne(db, sql: sql, arguments: arguments) else { return nil }
        return ticket(number: number)
    }

    func acknowledgements(to address: String, since: Date) -> Int {
        (try? Int.fetchOne(db, sql: """
            SELECT COUNT(*) FROM outbox WHERE template = 'acknowledgement' AND recipient = ? COLLATE NOCASE AND created_at >= ?
            """, arguments: [address, since.timeIntervalSince1970])) ?? 0
    }
}

extension TicketStore {
    /// Files one incoming message exactly once: parses it, asks `Intake` what to do, and
    /// carries that out in one transaction together with the raw bytes, the outbox rows and
    /// the dedupe keys. Filing the same message again changes nothing and says so.
    public func file(raw: [UInt8], mailbox: MailboxKey? = nil, source: String? = nil, policy: DeskPolicy,
                     composer: NotificationComposer, now: Date = Date()) throws -> FilingOutcome {
        let sha = ContentHash.sha256Hex(raw)
        let message = Message(bytes: raw)
        let messageKey = "msg:\(message.messageID ?? "-"):\(sha)"
        return try transaction { db in
            if let mailbox, let existing = try Row.fetchOne(db, sql: "SELECT message FROM intake_keys WHERE key = ?", arguments: [mailbox.key]) {
                return try duplicate(db, message: existing["message"])
            }
            if let existing = try Row.fetchOne(db, sql: "SELECT message FROM intake_keys WHERE key = ?", arguments: [messageKey]) {
                // Seen before under another UID (a changed UIDVALIDITY, a second delivery): remember this UID too.
                if let mailbox {
                    try db.execute(sql: "INSERT OR IGNORE INTO intake_keys (key, message, filed_at) VALUES (?, ?, ?)",
                                   arguments: [mailbox.key, existing["message"] as Int64?, now.timeIntervalSince1970])
                }
                return try duplicate(db, message: existing["message"])
            }
            let result = Intake.decide(message, policy: policy, lookup: DatabaseLookup(db: db, store: self), now: now)
            let outcome = try carryOut(db, result, raw: raw, sha256: sha, message: message, mailbox: mailbox?.mailbox ?? source,
                                       policy: policy, composer: composer, now: now)
            for key in [messageKey] + (mailbox.map { [$0.key] } ?? []) {
                try db.execute(sql: "INSERT INTO intake_keys (key, message, filed_at) VALUES (?, ?, ?)",
                               arguments: [key, outcome.message, now.timeIntervalSince1970])
            }
            return outcome
        }
    }

    /// Keeps a message that cannot be filed: its raw bytes and what went wrong, in a
    /// transaction of its own (which touches no ticket, so it succeeds where filing failed).
    public func recordFailure(raw: [UInt8], mailbox: MailboxKey, error: String, now: Date = Date()) throws -> Int64 {
        let message = Message(bytes: raw)
        return try transaction { db in
            let sha = try storeBlob(db, raw)
            try db.execute(sql: """
                INSERT INTO failed_intake (mailbox, uid_validity, uid, raw_sha256, size, subject, sender, error, failed_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [mailbox.mailbox, mailbox.uidValidity, mailbox.uid, sha, raw.count, message.subject,
                                 message.from.first?.address, error, now.timeIntervalSince1970])
            return db.lastInsertedRowID
        }
    }

    /// Messages that could not be filed, newest first.
    public func failedIntake(limit: Int = 200) throws -> [FailedIntake] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM failed_intake ORDER BY id DESC LIMIT ?", arguments: [limit]).map { row in
                FailedIntake(id: row["id"], mailbox: row["mailbox"], uidValidity: row["uid_validity"], uid: row["uid"], size: row["size"],
                             subject: row["subject"], sender: row["sender"], error: row["error"],
                             failed: Date(timeIntervalSince1970: row["failed_at"]), sha256: row["raw_sha256"])
            }
        }
    }

    /// Whether this mailbox UID has been filed (the poller skips it without fetching).
    public func isFiled(_ key: MailboxKey) throws -> Bool {
        try read { try Int.fetchOne($0, sql: "SELECT 1 FROM intake_keys WHERE key = ?", arguments: [key.key]) != nil }
    }

    private func duplicate(_ db: Database, message: Int64?) throws -> FilingOutcome {
        let ticket = try message.flatMap { try Int.fetchOne(db, sql: "SELECT ticket FROM messages WHERE id = ?", arguments: [$0]) }
        return FilingOutcome(action: .duplicate, ticket: ticket, message: message, notifications: 0)
    }

    private func carryOut(_ db: Database, _ result: IntakeResult, raw: [UInt8], sha256: String, message: Message, mailbox: String?,
                          policy: DeskPolicy, composer: NotificationComposer, now: Date) throws -> FilingOutcome {
        let sender = message.from.first?.address ?? message.sender.first?.address ?? "(unknown sender)"
        let autoNote = result.autoReason.map { "auto-generated (\($0))" }
        let context = ["text": message.text ?? "", "sender": message.from.first?.description ?? sender,
                       "subject": message.subject ?? ""]

        switch result.decision {
        case .drop(let reason):
            let id = try storeMessage(db, raw: raw, sha256: sha256, message: message, ticket: nil, direction: "in", mailbox: mailbox, at: now)
            try addHistory(db, ticket: nil, at: now, actor: sender, kind: "dropped", message: id, note: reason)
            return FilingOutcome(action: .filed(result.decision), ticket: nil, message: id, notifications: 0)

        case .create(let plan):
            let number = try nextTicketNumber(db)
            try db.execute(sql: """
                INSERT INTO tickets (number, title, queue, status, owner, priority, created_at, updated_at) VALUES (?, ?, ?, 'new', NULL, 0, ?, ?)
                """, arguments: [number, plan.title, plan.queue, now.timeIntervalSince1970, now.timeIntervalSince1970])
            for (role, people) in [("requestor", plan.requestors), ("cc", plan.ccs)] {
                for p in people {
                    try db.execute(sql: "INSERT OR IGNORE INTO ticket_people (ticket, role, address, name) VALUES (?, ?, ?, ?)",
                                   arguments: [number, role, p.address.lowercased(), p.name])
                }
            }
            let id = try storeMessage(db, raw: raw, sha256: sha256, message: message, ticket: number, direction: "in", mailbox: mailbox, at: now)
            var notes: [String] = []
            if let missing = plan.missingTicket { notes.append("the subject named ticket #\(missing), which does not exist: filed as a new ticket") }
            if let rule = plan.routedBy { notes.append("queue chosen by routing rule \(rule + 1)") }
            if let autoNote { notes.append(autoNote) }
            let history = try addHistory(db, ticket: number, at: now, actor: sender, kind: "create", new: plan.queue, message: id,
                                         note: notes.isEmpty ? nil : notes.joined(separator: "; "))
            if let reason = plan.acknowledgementSuppressed, !result.autoGenerated {
                try addHistory(db, ticket: number, at: now, actor: "suport", kind: "notification-suppressed", new: "acknowledgement", note: reason)
            }
            let ticket = try requireTicket(db, number)
            let planned = NotificationPlan.plan(.created(acknowledge: plan.acknowledge), ticket: ticket.snapshot, actor: sender,
                                                autoGenerated: result.autoGenerated, policy: policy)
            let count = try enqueue(db, planned, ticket: ticket, context: context, history: history, composer: composer, at: now)
            return FilingOutcome(action: .filed(result.decision), ticket: number, message: id, notifications: count)

        case let .correspond(number, from, role, reopen):
            var ticket = try requireTicket(db, number)
            let id = try storeMessage(db, raw: raw, sha256: sha256, message: message, ticket: number, direction: "in", mailbox: mailbox, at: now)
            let kind = role == .staff ? "correspondence-staff" : "correspondence"
            let history = try addHistory(db, ticket: number, at: now, actor: from.address.lowercased(), kind: kind, message: id,
                                         note: [role == .outsider ? "from someone not on the ticket" : nil, autoNote].compactMap { $0 }.first)
            if reopen && policy.lifecycle.allows(ticket.status, .open) {
                _ = try setStatus(db, ticket, to: .open, actor: from.address.lowercased(), at: now, note: "reopened by the requestor's reply")
            } else if role == .staff && ticket.status == .new && policy.lifecycle.allows(.new, .open) {
                _ = try setStatus(db, ticket, to: .open, actor: from.address.lowercased(), at: now, note: "staff replied")
            }
            try touch(db, number, at: now)
            ticket = try requireTicket(db, number)
            let event: DeskEvent = role == .staff ? .correspondenceOut : .correspondenceIn
            let planned = NotificationPlan.plan(event, ticket: ticket.snapshot, actor: from.address, autoGenerated: result.autoGenerated,
                                                policy: policy)
            let count = try enqueue(db, planned, ticket: ticket, context: context, history: history, composer: composer, at: now)
            return FilingOutcome(action: .filed(result.decision), ticket: number, message: id, notifications: count)

        case let .comment(number, from, reason):
            let ticket = try requireTicket(db, number)
            let id = try storeMessage(db, raw: raw, sha256: sha256, message: message, ticket: number, direction: "in", mailbox: mailbox, at: now)
            let note = reason == .outsider ? "from \(from.address), who is not on this ticket: kept internal" : nil
            let history = try addHistory(db, ticket: number, at: now, actor: from.address.lowercased(), kind: "comment", message: id,
                                         note: [note, autoNote].compactMap { $0 }.joined(separator: "; ").nilIfEmpty)
            try touch(db, number, at: now)
            let planned = NotificationPlan.plan(reason == .outsider ? .outsiderComment : .comment, ticket: ticket.snapshot,
                                                actor: from.address, autoGenerated: false, policy: policy)
            let count = try enqueue(db, planned, ticket: ticket, context: context, history: history, composer: composer, at: now)
            return FilingOutcome(action: .filed(result.decision), ticket: number, message: id, notifications: count)

        case let .bounce(number, failed):
            let id = try storeMessage(db, raw: raw, sha256: sha256, message: message, ticket: number, direction: "in", mailbox: mailbox, at: now)
            try addHistory(db, ticket: number, at: now, actor: sender, kind: "comment", message: id,
                           note: "delivery failure report for \(failed.joined(separator: ", "))")
            for recipient in failed {
                let diagnostic = message.deliveryReport?.recipients.first { $0.finalRecipient?.lowercased() == recipient }
                let reason = "bounced: \(diagnostic?.status ?? "") \(diagnostic?.diagnosticCode ?? "")".trimmingCharacters(in: .whitespaces)
                try db.execute(sql: """
                    UPDATE outbox SET state = 'failed', last_error = ? WHERE ticket = ? AND recipient = ? COLLATE NOCASE AND state != 'failed'
                    """, arguments: [reason, number, recipient])
                try addHistory(db, ticket: number, at: now, actor: "suport", kind: "notification-failed", new: recipient, note: reason)
            }
            return FilingOutcome(action: .filed(result.decision), ticket: number, message: id, notifications: 0)
        }
    }
}

extension String {
    var nilIfEmpty: String? { isEmpty ? nil : self }
}
