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
        let incoming = Incoming(raw: raw, mailbox: mailbox, source: source, policy: policy)
        return try transaction { db in try file(db, incoming, policy: policy, composer: composer, now: now) }
    }

    /// Files several messages in one transaction (one commit, one sync to disk), in order,
    /// each exactly as `file` would: a later message sees the tickets an earlier one made.
    /// All are filed or none; a caller whose batch fails files its messages one by one to
    /// find the one at fault.
    public func file(batch: [(raw: [UInt8], mailbox: MailboxKey?)], source: String? = nil, policy: DeskPolicy,
                     composer: NotificationComposer, now: Date = Date()) throws -> [FilingOutcome] {
        let incoming = batch.map { Incoming(raw: $0.raw, mailbox: $0.mailbox, source: source, policy: policy) }
        return try transaction { db in try incoming.map { try file(db, $0, policy: policy, composer: composer, now: now) } }
    }

    /// A message read and hashed, before the transaction that files it.
    struct Incoming {
        let raw: [UInt8]
        let sha256: String
        let message: Message
        let mailbox: MailboxKey?
        let source: String?
        let tooLarge: Bool

        init(raw: [UInt8], mailbox: MailboxKey?, source: String?, policy: DeskPolicy) {
            self.raw = raw
            self.mailbox = mailbox
            self.source = source
            sha256 = ContentHash.sha256Hex(raw)
            // Over the limit: read the headers and the first part only (the first MiB); the raw is kept whole.
            tooLarge = raw.count > policy.maxMessageBytes
            let limits = ParseLimits(maxDepth: policy.maxNestingDepth)
            message = tooLarge ? Message(bytes: Array(raw.prefix(min(policy.maxMessageBytes, 1 << 20))), limits: limits)
                               : Message(bytes: raw, limits: limits)
        }

        var messageKey: String { "msg:\(message.messageID ?? "-"):\(sha256)" }
    }

    private func file(_ db: Database, _ incoming: Incoming, policy: DeskPolicy, composer: NotificationComposer,
                      now: Date) throws -> FilingOutcome {
        let (message, mailbox, messageKey) = (incoming.message, incoming.mailbox, incoming.messageKey)
        let kept = incoming.tooLarge ? 0 : policy.maxAttachments
        if let mailbox, let existing = try Row.fetchOne(db.cachedStatement(sql: "SELECT message FROM intake_keys WHERE key = ?"), arguments: [mailbox.key]) {
            return try duplicate(db, message: existing["message"])
        }
        if let existing = try Row.fetchOne(db.cachedStatement(sql: "SELECT message FROM intake_keys WHERE key = ?"), arguments: [messageKey]) {
            // Seen before under another UID (a changed UIDVALIDITY, a second delivery): remember this UID too.
            if let mailbox {
                try db.run(sql: "INSERT OR IGNORE INTO intake_keys (key, message, filed_at) VALUES (?, ?, ?)",
                               arguments: [mailbox.key, existing["message"] as Int64?, now.timeIntervalSince1970])
            }
            return try duplicate(db, message: existing["message"])
        }
        let result = Intake.decide(message, policy: policy, lookup: DatabaseLookup(db: db, store: self), now: now)
        var outcome = try carryOut(db, result, raw: incoming.raw, sha256: incoming.sha256, message: message,
                                   mailbox: mailbox?.mailbox ?? incoming.source, attachments: kept, policy: policy,
                                   composer: composer, now: now)
        if incoming.tooLarge, let number = outcome.ticket {
            outcome = try noteTooLarge(db, outcome, ticket: number, size: incoming.raw.count, auto: result.autoGenerated, policy: policy,
                                       composer: composer, now: now)
        } else if message.attachments.count > kept, let number = outcome.ticket {
            try addHistory(db, ticket: number, at: now, actor: "suport", kind: "comment", message: outcome.message,
                           note: "the message has \(message.attachments.count) attachments: the first \(kept) are stored, "
                               + "the other \(message.attachments.count - kept) stay in the raw message (max_attachments)")
        }
        for key in [messageKey] + (mailbox.map { [$0.key] } ?? []) {
            try db.run(sql: "INSERT INTO intake_keys (key, message, filed_at) VALUES (?, ?, ?)",
                           arguments: [key, outcome.message, now.timeIntervalSince1970])
        }
        return outcome
    }

    /// Keeps a message that cannot be filed: its raw bytes and what went wrong, in a
    /// transaction of its own (which touches no ticket, so it succeeds where filing failed).
    public func recordFailure(raw: [UInt8], mailbox: MailboxKey, error: String, now: Date = Date()) throws -> Int64 {
        let message = Message(bytes: raw)
        return try transaction { db in
            let sha = try storeBlob(db, raw)
            try db.run(sql: """
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

    /// Records that only the beginning of an oversized message was read, and tells the requestor politely.
    private func noteTooLarge(_ db: Database, _ outcome: FilingOutcome, ticket number: Int, size: Int, auto: Bool, policy: DeskPolicy,
                              composer: NotificationComposer, now: Date) throws -> FilingOutcome {
        let mb = { (n: Int) in String(format: "%.1f MB", Double(n) / 1_048_576) }
        let history = try addHistory(db, ticket: number, at: now, actor: "suport", kind: "comment", message: outcome.message,
                                     note: "message of \(mb(size)) is over the limit of \(mb(policy.maxMessageBytes)): only its headers "
                                         + "and first part were read; the raw message is kept whole")
        let ticket = try requireTicket(db, number)
        let planned = NotificationPlan.plan(.tooLarge, ticket: ticket.snapshot, actor: nil, autoGenerated: auto, policy: policy)
        let count = try enqueue(db, planned, ticket: ticket, context: ["size": mb(size), "limit": mb(policy.maxMessageBytes)],
                                history: history, composer: composer, at: now)
        return FilingOutcome(action: outcome.action, ticket: outcome.ticket, message: outcome.message,
                             notifications: outcome.notifications + count)
    }

    private func duplicate(_ db: Database, message: Int64?) throws -> FilingOutcome {
        let ticket = try message.flatMap { try Int.fetchOne(db, sql: "SELECT ticket FROM messages WHERE id = ?", arguments: [$0]) }
        return FilingOutcome(action: .duplicate, ticket: ticket, message: message, notifications: 0)
    }

    private func carryOut(_ db: Database, _ result: IntakeResult, raw: [UInt8], sha256: String, message: Message, mailbox: String?,
                          attachments: Int, policy: DeskPolicy, composer: NotificationComposer, now: Date) throws -> FilingOutcome {
        func keep(_ ticket: Int?) throws -> Int64 {
            try storeMessage(db, raw: raw, sha256: sha256, message: message, ticket: ticket, direction: "in", mailbox: mailbox, at: now,
                             keepingAttachments: attachments)
        }
        let sender = message.from.first?.address ?? message.sender.first?.address ?? "(unknown sender)"
        let autoNote = result.autoReason.map { "auto-generated (\($0))" }
        let context = ["text": message.text ?? "", "sender": message.from.first?.description ?? sender,
                       "subject": message.subject ?? ""]

        switch result.decision {
        case .drop(let reason):
            let id = try keep(nil)
            try addHistory(db, ticket: nil, at: now, actor: sender, kind: "dropped", message: id, note: reason)
            return FilingOutcome(action: .filed(result.decision), ticket: nil, message: id, notifications: 0)

        case .create(let plan):
            let number = try nextTicketNumber(db)
            try db.run(sql: """
                INSERT INTO tickets (number, title, queue, status, owner, priority, created_at, updated_at) VALUES (?, ?, ?, 'new', NULL, 0, ?, ?)
                """, arguments: [number, plan.title, plan.queue, now.timeIntervalSince1970, now.timeIntervalSince1970])
            for (role, people) in [("requestor", plan.requestors), ("cc", plan.ccs)] {
                for p in people {
                    try db.run(sql: "INSERT OR IGNORE INTO ticket_people (ticket, role, address, name) VALUES (?, ?, ?, ?)",
                                   arguments: [number, role, p.address.lowercased(), p.name])
                }
            }
            let id = try keep(number)
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
            let id = try keep(number)
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
            let id = try keep(number)
            let note = reason == .outsider ? "from \(from.address), who is not on this ticket: kept internal" : nil
            let history = try addHistory(db, ticket: number, at: now, actor: from.address.lowercased(), kind: "comment", message: id,
                                         note: [note, autoNote].compactMap { $0 }.joined(separator: "; ").nilIfEmpty)
            try touch(db, number, at: now)
            let planned = NotificationPlan.plan(reason == .outsider ? .outsiderComment : .comment, ticket: ticket.snapshot,
                                                actor: from.address, autoGenerated: false, policy: policy)
            let count = try enqueue(db, planned, ticket: ticket, context: context, history: history, composer: composer, at: now)
            return FilingOutcome(action: .filed(result.decision), ticket: number, message: id, notifications: count)

        case let .bounce(number, failed):
            let id = try keep(number)
            try addHistory(db, ticket: number, at: now, actor: sender, kind: "comment", message: id,
                           note: "delivery failure report for \(failed.joined(separator: ", "))")
            for recipient in failed {
                let diagnostic = message.deliveryReport?.recipients.first { $0.finalRecipient?.lowercased() == recipient }
                let reason = "bounced: \(diagnostic?.status ?? "") \(diagnostic?.diagnosticCode ?? "")".trimmingCharacters(in: .whitespaces)
                try db.run(sql: """
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
