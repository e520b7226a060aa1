import Foundation
import MIME
import Tickets
import TicketStore

/// What filing one message did.
public struct FilingOutcome: Sendable, Equatable {
    public enum Action: Sendable, Equatable {
        /// Filed as the given decision.
        case filed(IntakeDecision)
        /// Already filed before (same mailbox UID, or same Message-ID and bytes): nothing changed.
        case duplicate
        /// Begun `filing_attempts` times without finishing: kept in `suport failed`, not read again.
        case setAside(failed: Int64)
    }

    public let action: Action
    /// The ticket the message was filed on, if any.
    public let ticket: Int?
    /// The stored message row.
    public let message: Int64?
    /// How many notifications were queued.
    public let notifications: Int
    /// The ticket was reopened (the lifecycle allowed what the reply asked).
    public var reopened = false
}

/// What a staff change did.
public struct ChangeOutcome: Sendable, Equatable {
    public let ticket: TicketRecord
    /// False when the ticket already was as asked (nothing recorded, nobody told).
    public let changed: Bool
    public let notifications: Int
}

/// The desk: the one entry for mail and the one entry for staff changes. Each keeps the
/// order of `design.md`: mail is kept raw and counted before it is read, deduplicated,
/// parsed, decided in `Tickets` and applied in one transaction; a staff change is
/// authorized, decided in `Tickets` and applied the same way.
public final class Desk: Sendable {
    public let policy: DeskPolicy
    public let store: any Store
    public let composer: NotificationComposer

    /// Opens the database (applying migrations) and loads the notification templates.
    public convenience init(configuration: Configuration) throws {
        let templates = try Desk.loadTemplates(configuration.templatesPath)
        let store = try configuration.openStore()
        self.init(policy: configuration.policy, templates: templates, store: store, links: configuration.web.flatMap(Desk.links))
    }

    /// A desk on this policy, these templates and this store; `links` signs requesters' links to the web desk.
    public init(policy: DeskPolicy, templates: NotificationTemplates, store: any Store, links: RequesterLinks? = nil) {
        self.policy = policy
        composer = NotificationComposer(policy: policy, templates: templates, links: links)
        self.store = store
    }

    /// The signer of requesters' links, when the web desk's secret could be read.
    static func links(_ web: WebSettings) -> RequesterLinks? {
        guard !web.linkSecret.isEmpty else { return nil }
        let key = web.linkSecret
        return RequesterLinks(baseURL: web.publicURL) { data in ContentHash.hmacSHA256(key: key, data) }
    }

    /// Reads `<folder>/<language>/<name>.mustache` for every language and template.
    public static func loadTemplates(_ folder: String) throws -> NotificationTemplates {
        var sources: [Language: [TemplateName: String]] = [:]
        for language in Language.allCases {
            for name in TemplateName.allCases {
                let path = "\(folder)/\(language.rawValue)/\(name.rawValue).mustache"
                if let data = FileManager.default.contents(atPath: path) {
                    sources[language, default: [:]][name] = String(decoding: data, as: UTF8.self)
                }
            }
        }
        return try NotificationTemplates(sources: sources)
    }

    // MARK: mail

    /// A message to file: its raw bytes and where it came from.
    public struct Mail: Sendable {
        public let raw: [UInt8]
        public let mailbox: MailboxKey?
        public let source: String?
        let sha256: String

        public init(raw: [UInt8], mailbox: MailboxKey? = nil, source: String? = nil) {
            self.raw = raw
            self.mailbox = mailbox
            self.source = source ?? mailbox?.mailbox
            sha256 = ContentHash.sha256Hex(raw)
        }

        /// What its attempts are counted under: the mailbox UID, else the bytes themselves (the pipe).
        var attemptKey: String { mailbox?.key ?? "raw:\(sha256)" }
        var attempt: IntakeAttempt { IntakeAttempt(key: attemptKey, raw: raw, sha256: sha256) }
    }

    /// Files one incoming message exactly once (from the MTA pipe or a mailbox).
    public func file(_ mail: Mail, now: Date = Date()) throws -> FilingOutcome {
        try file(batch: [mail], now: now)[0].get()
    }

    /// Files messages from a mailbox in order, each exactly as `file` would: a later message
    /// sees the tickets an earlier one made. Each message's raw bytes and one more attempt are
    /// recorded just before it is read, so a message that crashes the reading is counted, and
    /// the ones after it are not. Messages none of which was read before are filed in one
    /// transaction (one commit, one sync to disk); if that fails, or once one of them was read
    /// before (a crash, an error), each is filed alone, so one message at fault cannot hold up
    /// the rest. Throws only when the attempts cannot be recorded.
    public func file(batch: [Mail], now: Date = Date()) throws -> [Result<FilingOutcome, any Error>] {
        let results = try fileEach(batch, now: now)
        for case .success(let outcome) in results {
            if case .filed = outcome.action { DeskMetrics.filed.increment() }
        }
        return results
    }

    private func fileEach(_ batch: [Mail], now: Date) throws -> [Result<FilingOutcome, any Error>] {
        var counts: [AttemptCount] = []
        var incoming: [IncomingMail] = []
        for mail in batch {
            counts.append(try store.beginAttempt(mail.attempt, now: now))
            guard counts.last?.attempts == 1 else { break }
            incoming.append(read(mail))
        }
        if incoming.count == batch.count, batch.count > 1,
           let outcomes = try? store.write({ tx in try zip(batch, incoming).map { try file($0, $1, tx, now: now) } }) {
            return outcomes.map { .success($0) }
        }
        return batch.indices.map { i in
            Result {
                let count = i < counts.count ? counts[i] : try store.beginAttempt(batch[i].attempt, now: now)
                if let aside = try setAsideIfSpent(batch[i], attempts: count, now: now) { return aside }
                let mail = i < incoming.count ? incoming[i] : read(batch[i])
                do {
                    return try store.write { tx in try file(batch[i], mail, tx, now: now) }
                } catch {
                    try? store.endAttempt(batch[i].attemptKey, error: "\(error)")
                    throw error
                }
            }
        }
    }

    /// Files a message set aside (`suport failed retry ID`) once the cause is fixed.
    public func retryFailed(_ id: Int64, now: Date = Date()) throws -> FilingOutcome {
        let (failed, raw) = try store.failedMessage(id)
        let key = failed.uid > 0 ? MailboxKey(mailbox: failed.mailbox, uidValidity: failed.uidValidity, uid: failed.uid) : nil
        let outcome = try file(Mail(raw: raw, mailbox: key, source: failed.mailbox), now: now)
        if case .setAside = outcome.action { return outcome }
        try store.markRetried(id, ticket: outcome.ticket, now: now)
        return outcome
    }

    /// Past `filing_attempts`, the message is kept in `suport failed` instead of being read again.
    private func setAsideIfSpent(_ mail: Mail, attempts count: AttemptCount, now: Date) throws -> FilingOutcome? {
        let attempts = count.attempts
        guard attempts > policy.filingAttempts else { return nil }
        // Only the header block is read here: whatever broke the reading of this message
        // before may be in its body.
        let headerEnd = mail.raw.firstRange(of: [13, 10, 13, 10])?.lowerBound ?? mail.raw.firstRange(of: [10, 10])?.lowerBound ?? mail.raw.count
        let head = Message(bytes: Array(mail.raw.prefix(min(headerEnd, 64 * 1024))))
        let id = try store.setAside(mail.attempt, mailbox: mail.mailbox, source: mail.source, subject: head.subject,
                                    sender: head.from.first?.address,
                                    error: "filing was begun \(attempts - 1) times without finishing (filing_attempts = \(policy.filingAttempts)); "
                                        + (count.lastError.map { "the last attempt failed: \($0)" } ?? "the last attempt ended without a word (a crash)"),
                                    now: now)
        return FilingOutcome(action: .setAside(failed: id), ticket: nil, message: nil, notifications: 0)
    }

    /// Parses a message within the configured limits. Over the size limit, only the headers
    /// and first part are read (the first MiB); the raw is kept whole.
    private func read(_ mail: Mail) -> IncomingMail {
        CrashHook.check(mail.raw)
        let tooLarge = mail.raw.count > policy.maxMessageBytes
        let limits = ParseLimits(maxDepth: policy.maxNestingDepth)
        let message = tooLarge ? Message(bytes: Array(mail.raw.prefix(min(policy.maxMessageBytes, 1 << 20))), limits: limits)
                               : Message(bytes: mail.raw, limits: limits)
        return IncomingMail(raw: mail.raw, sha256: mail.sha256, message: message, source: mail.source, tooLarge: tooLarge)
    }

    private func file(_ mail: Mail, _ incoming: IncomingMail, _ tx: any StoreTransaction, now: Date) throws -> FilingOutcome {
        let messageKey = "msg:\(incoming.message.messageID ?? "-"):\(incoming.tooLarge ? mail.sha256 : Self.traceFreeDigest(incoming.message))"
        let keys = (mail.mailbox.map { [$0.key] } ?? []) + [messageKey]
        if let filed = try tx.filedMessage(keys: keys) {
            // Seen before (a changed UIDVALIDITY, a second delivery, the same message in a second
            // mailbox): remember this UID too, and say on the ticket where else it arrived.
            let secondMailbox = filed.ticket != nil && mail.source != nil && mail.source != filed.mailbox
            var op = TicketOperation(before: secondMailbox ? try filed.ticket.flatMap(tx.ticket(number:)) : nil, actor: .system, at: now)
            op.touches = false
            if secondMailbox, let source = mail.source {
                op.record(HistoryItem(actor: "suport", kind: "also-delivered", new: source,
                                      note: "the same message arrived in the \(source) mailbox too: filed once"))
            }
            op.intakeKeys = keys
            op.keyMessage = filed.message
            op.endsAttempts = [mail.attemptKey]
            try tx.apply(op)
            return FilingOutcome(action: .duplicate, ticket: filed.ticket, message: filed.message, notifications: 0)
        }
        let (result, decided) = try Intake.operation(incoming, policy: policy, lookup: tx, now: now)
        var op = decided
        op.intakeKeys = keys
        op.endsAttempts = [mail.attemptKey]
        if op.ticket != nil { try finish(&op, tx) }
        let message = try tx.apply(op)
        // A staff member's emailed `Status: resolved` cascades to the children as the CLI's does.
        let cascaded = try op.actor.staff.map { try cascade(op, by: $0, comment: nil, tx, now: now) } ?? 0
        var outcome = FilingOutcome(action: .filed(result.decision), ticket: op.ticket, message: message,
                                    notifications: op.notices.count + cascaded)
        outcome.reopened = op.before?.status.isReopenable == true && op.after?.status == .open
        return outcome
    }

    /// The last step before an operation is applied: its notices, composed in the thread of
    /// the ticket's conversation and in the language each person reads.
    func finish(_ op: inout TicketOperation, _ tx: any StoreTransaction) throws {
        guard let t = op.after else { return }
        op.languages = try tx.languages(of: (t.requestors + t.ccs).map(\.address))
        // A new ticket's staff notice names the articles that may help.
        if op.events.contains(where: { if case .created = $0.0 { true } else { false } }) {
            let helpful = try suggestions(title: t.title, text: op.message?.message.text ?? "", published: tx.hasPublishedArticles) {
                try tx.articlesMatchingAny($0, queue: t.queue, limit: 10)
            }
            op.context.suggestions = helpful.map { "KB\($0.id) \($0.title)" }.joined(separator: "\n")
            // The requester may read the best public one, where the queue offers it.
            if policy.queue(named: t.queue)?.suggestInAcknowledgement == true, let best = helpful.first(where: \.isPublic) {
                op.context.publicArticleID = best.id
                op.context.publicArticleTitle = best.title
            }
        }
        Notices.compose(&op, thread: try tx.thread(ticket: t.number), composer: composer)
    }

    /// When an operation resolved a parent, resolves its open children in the same transaction
    /// (the queue's `cascade`), each told with the parent's note; returns the notices queued.
    func cascade(_ op: TicketOperation, by staff: Staff, comment: String?, _ tx: any StoreTransaction, now: Date) throws -> Int {
        guard let parent = op.after, parent.status == .resolved, op.before?.status != .resolved,
              policy.queue(named: parent.queue)?.cascade == true else { return 0 }
        var notices = 0
        for child in try tx.links(ticket: parent.number).filter({ $0.from == parent.number && $0.kind == LinkKind.parentOf.rawValue }).compactMap(\.to) {
            guard let c = try tx.ticket(number: child), !c.status.isInactive, policy.lifecycle.allows(c.status, .resolved),
                  var childOp = try ChangeRules.operation(.status(.resolved), on: c, by: staff,
                                                          comment: comment ?? "resolved with \(policy.tag.tag(for: parent.number)) \(parent.title)",
                                                          policy: policy, now: now) else { continue }
            try finish(&childOp, tx)
            try tx.apply(childOp)
            notices += childOp.notices.count
        }
        return notices
    }

    /// Trace fields: written by each server along the way and by each delivery, so two copies
    /// of one message (To: support@, Cc: treasury@) differ in them and nowhere else.
    static let traceFields: Set<String> = [
        "received", "delivered-to", "return-path", "x-original-to", "authentication-results", "arc-authentication-results",
        "arc-seal", "arc-message-signature", "received-spf", "x-received", "x-envelope-to", "envelope-to", "x-delivered-to",
    ]

    /// The SHA-256 of a message without its trace fields: the same for every copy of it.
    static func traceFreeDigest(_ message: Message) -> String {
        var pieces: [ArraySlice<UInt8>] = []
        for field in message.header.fields where !traceFields.contains(field.name.lowercased()) {
            pieces.append(ArraySlice(field.name.utf8))
            pieces.append([58])
            pieces.append(field.rawValue)
            pieces.append([10])
        }
        pieces.append([10])
        pieces.append(message.root.body)
        return ContentHash.sha256Hex(pieces: pieces)
    }

    // MARK: staff changes

    /// Applies a staff change: `actor` (a staff handle or address) must be staff of the
    /// ticket's queue or an admin, whoever calls (CLI, email command, web).
    ///
    /// Resolving a ticket that depends on an open one is refused unless `force`; resolving a
    /// parent resolves its open children in the same transaction (the queue's `cascade`),
    /// each child's requestors told with the parent's note.
    public func change(_ asked: TicketChange, ticket number: Int, actor: String?, comment: String? = nil, force: Bool = false,
                       now: Date = Date()) throws -> ChangeOutcome {
        try store.write { tx in
            var change = asked
            guard let ticket = try tx.ticket(number: number) else { throw DeskError.unknownTicket(number) }
            let staff = try Authorization.staff(actor, on: ticket, policy: policy)
            try Authorization.check(change, on: ticket, policy: policy)
            let entries = if case .removeTime = change { try tx.timeEntries(ticket: number) } else { [TimeRecord]() }
            // Only a link change reads the ticket's links; only a finishing status its dependencies.
            var links: [StoredLink] = []
            switch change {
            case .link(_, let other), .unlink(_, let other):
                guard try tx.ticket(number: other) != nil else { throw DeskError.unknownTicket(other) }
                links = try tx.links(ticket: number)
            case .refer, .unrefer:
                links = try tx.links(ticket: number)
            case .status(let status) where status.isInactive && !force:
                if let blocker = try tx.finishingBlocker(of: number) { throw blocker }
            case .organisation(let name?):
                // Kept under the name as the organisation is written.
                guard let org = try store.organisation(named: name) else { throw DeskError.unknownOrganisation(name) }
                change = .organisation(org.name)
            case .addAsset(let name):
                guard let asset = try store.asset(named: name) else { throw DeskError.unknownAsset(name) }
                change = .addAsset(asset.name)
            case .removeAsset(let name):
                change = .removeAsset(ticket.assets.first { $0.lowercased() == name.lowercased() } ?? name)
            default: break
            }
            guard var op = try ChangeRules.operation(change, on: ticket, by: staff, comment: comment, policy: policy, now: now,
                                                     timeEntries: entries, links: links),
                  let after = op.after else {
                return ChangeOutcome(ticket: ticket, changed: false, notifications: 0)
            }
            try finish(&op, tx)
            try tx.apply(op)
            let notices = op.notices.count + (try cascade(op, by: staff, comment: comment, tx, now: now))
            return ChangeOutcome(ticket: after, changed: true, notifications: notices)
        }
    }
}

extension Desk {
    /// Merges ticket `number` into `target`, by staff of both queues: one transaction, the
    /// people of both told once by the survivor.
    public func merge(_ number: Int, into target: Int, actor: String?, now: Date = Date()) throws -> ChangeOutcome {
        try store.write { tx in
            guard let source = try tx.ticket(number: number) else { throw DeskError.unknownTicket(number) }
            guard source.number == number else { throw DeskError.alreadyMerged(number, source.number) }
            guard let survivor = try tx.ticket(number: target) else { throw DeskError.unknownTicket(target) }
            guard survivor.number == target else { throw DeskError.alreadyMerged(target, survivor.number) }
            let staff = try Authorization.staff(actor, on: source, policy: policy)
            _ = try Authorization.staff(actor, on: survivor, policy: policy)
            let (pointer, merged) = try MergeRules.operations(merging: source, into: survivor, by: staff, policy: policy, now: now)
            var absorbing = merged
            try tx.apply(pointer)
            try finish(&absorbing, tx)
            try tx.apply(absorbing)
            return ChangeOutcome(ticket: absorbing.after ?? survivor, changed: true, notifications: absorbing.notices.count)
        }
    }

    // MARK: the undo window

    /// Gives a staff reply still held in the outbox new words, by its author.
    public func editHeld(outbox id: Int64, text: String, actor: String?, now: Date = Date()) throws -> ChangeOutcome {
        try changeHeld(outbox: id, actor: actor) { held, ticket, staff, tx in
            var op = try UndoRules.edit(held, ticket: ticket, text: text, by: staff, policy: policy, now: now)
            try finish(&op, tx)
            UndoRules.rewrite(&op, onto: held)
            return (op, op.outboxRewritten.count)
        }
    }

    /// Withdraws a staff reply still held in the outbox, by its author: nobody is sent it.
    public func withdrawHeld(outbox id: Int64, actor: String?, now: Date = Date()) throws -> ChangeOutcome {
        try changeHeld(outbox: id, actor: actor) { held, ticket, staff, _ in
            let op = try UndoRules.withdraw(held, ticket: ticket, by: staff, now: now)
            return (op, op.outboxWithdrawn.count)
        }
    }

    /// A held reply, its ticket and the acting staff member (of the ticket's queue), for one
    /// undo-window operation applied in the same transaction.
    private func changeHeld(outbox id: Int64, actor: String?,
                            _ rule: (HeldReply, TicketRecord, Staff, any StoreTransaction) throws -> (TicketOperation, Int)) throws -> ChangeOutcome {
        try store.write { tx in
            guard let held = try tx.heldReply(outbox: id), let ticket = try tx.ticket(number: held.ticket) else { throw StoreError.noSuchNotification(id) }
            let staff = try Authorization.staff(actor, on: ticket, policy: policy)
            let (op, notifications) = try rule(held, ticket, staff, tx)
            try tx.apply(op)
            return ChangeOutcome(ticket: ticket, changed: true, notifications: notifications)
        }
    }

    // MARK: data protection

    /// Redacts part of a stored message of a ticket, by staff of its queue.
    public func redact(ticket number: Int, message id: Int64, selection: RedactRules.Selection, actor: String?,
                       now: Date = Date()) throws -> ChangeOutcome {
        try store.write { tx in
            guard let ticket = try tx.ticket(number: number) else { throw DeskError.unknownTicket(number) }
            let staff = try Authorization.staff(actor, on: ticket, policy: policy)
            guard let stored = try tx.storedMessage(id, ticket: number) else { throw DeskError.noSuchMessage(id) }
            let op = try RedactRules.operation(message: id, raw: stored.raw, originalSHA256: stored.sha256, text: stored.text,
                                               selection: selection, on: ticket, by: staff, now: now)
            try tx.apply(op)
            return ChangeOutcome(ticket: ticket, changed: true, notifications: 0)
        }
    }

    /// Erases a person (GDPR Art. 17) at an admin's request; with `dryRun`, says what would change.
    public func erase(person address: String, actor: String?, dryRun: Bool, now: Date = Date()) throws -> (Erasure, ErasureReport) {
        let admin = try Authorization.admin(actor, policy: policy)
        guard OutgoingMessage.isValidAddress(address) else { throw DeskError.invalidAddress(address) }
        let erasure = Erasure(address: address, actor: admin.id, at: now)
        return (erasure, try store.erase(erasure, dryRun: dryRun))
    }

    /// Records that someone read a ticket, when the access record is on.
    public func recordAccess(ticket: Int, actor: String?, via: String, now: Date = Date()) throws {
        guard policy.accessLogDays > 0 else { return }
        let who = actor.flatMap { policy.staff($0)?.id } ?? actor ?? "(no actor)"
        try store.recordAccess(ticket: ticket, actor: who, via: via, at: now)
    }

    // MARK: work that falls due

    /// The finished tickets whose messages retention would purge now (`suport purge --dry-run`).
    public func dueForPurge(now: Date = Date()) throws -> [TicketRecord] {
        let months = policy.queues.compactMap(\.keepResolvedMonths)
        guard let shortest = months.min(),
              let cutoff = Calendar(identifier: .gregorian).date(byAdding: .month, value: -shortest, to: now) else { return [] }
        return try store.retentionCandidates(resolvedBefore: cutoff).filter {
            RetentionRules.deadline(of: $0, policy: policy).map { $0 <= now } == true
        }
    }

    /// Applies what `rule` makes of each ticket, each in a transaction of its own and read
    /// again inside it (a reply may have changed it since it was listed); returns how many changed.
    private func applyEach(_ tickets: [TicketRecord], _ rule: (TicketRecord) -> TicketOperation?) throws -> Int {
        var changed = 0
        for listed in tickets {
            changed += try store.write { tx in
                guard let ticket = try tx.ticket(number: listed.number), var op = rule(ticket) else { return 0 }
                try finish(&op, tx)
                try tx.apply(op)
                return 1
            }
        }
        return changed
    }

    /// Does what the clock has made due, from the database alone (so a restart loses
    /// nothing): finished tickets past their queue's `keep_resolved_months` are purged (then
    /// the freed space is given back), resolutions nobody approved within `approval_days`
    /// close without approval, SLA reminders go, and tickets quiet past `auto_close_days`
    /// close. Returns how many tickets it changed.
    @discardableResult
    public func runDueWork(now: Date = Date()) throws -> Int {
        var changed = 0
        let purged = try dueForPurge(now: now)
        changed += try applyEach(purged) { RetentionRules.purge($0, policy: policy, now: now) }
        if !purged.isEmpty { try store.reclaimSpace() }
        if policy.accessLogDays > 0 { try store.forgetAccess(before: now.addingTimeInterval(-Double(policy.accessLogDays) * 86_400)) }
        let expired = try store.pendingApprovals().filter { ApprovalRules.deadline(of: $0, policy: policy).map { $0 <= now } == true }
        changed += try applyEach(expired) { ApprovalRules.expiry(of: $0, policy: policy, now: now) }
        // SLA reminders: each once per deadline, recorded on the ticket, so a restart sends none twice.
        changed += try applyEach(try store.slaCandidates(now: now)) { SLARules.reminder(for: $0, policy: policy, now: now) }
        if let shortest = policy.queues.compactMap(\.autoCloseDays).min() {
            let quiet = try store.waiting(for: .requester, updatedBefore: now.addingTimeInterval(-Double(shortest) * 86_400))
            changed += try applyEach(quiet) { AutoCloseRules.operation(for: $0, policy: policy, now: now) }
        }
        // What was filed since the last minute goes into the search index in one write.
        try store.flushSearchIndex()
        return changed
    }
}

/// Test-only ways to crash the process where a kill would hurt most. When
/// `SUPORT_TEST_CRASH_ON` is set, reading a message containing its value aborts, as a parser
/// bug would; when `SUPORT_TEST_CRASH_BEFORE_MOVING_ASIDE` is set, the daemon aborts after a
/// message is set aside and before it is moved. Nothing sets them outside the tests.
enum CrashHook {
    static let marker: [UInt8]? = ProcessInfo.processInfo.environment["SUPORT_TEST_CRASH_ON"].map { Array($0.utf8) }
    static let beforeMove = ProcessInfo.processInfo.environment["SUPORT_TEST_CRASH_BEFORE_MOVING_ASIDE"] != nil

    static func check(_ raw: [UInt8]) {
        guard let marker, !marker.isEmpty, raw.firstRange(of: marker) != nil else { return }
        fatalError("SUPORT_TEST_CRASH_ON: simulated crash while reading a message")
    }

    static func beforeMovingAside() {
        if beforeMove { fatalError("SUPORT_TEST_CRASH_BEFORE_MOVING_ASIDE: simulated crash between setting aside and moving") }
    }
}

extension FilingOutcome {
    /// One line for `suport ingest` and the daemon's log: what was done, not only what was asked.
    public func summary(tag: SubjectTag) -> String {
        let t = ticket.map { tag.tag(for: $0) } ?? "no ticket"
        switch action {
        case .duplicate: return "already filed (\(t)): nothing changed"
        case .setAside(let id): return "could not be filed after repeated attempts: kept as failed message \(id) (suport failed)"
        case .filed(let decision):
            let what: String
            switch decision {
            case .drop(let reason): return "dropped: \(reason)"
            case .create(let plan): what = "new ticket \(t) in \(plan.queue)"
            case .correspond(_, _, let role, _): what = "correspondence from \(role.rawValue) on \(t)\(reopened ? ", reopened" : "")"
            case .comment(_, _, let reason): what = "comment on \(t) (\(reason.rawValue))"
            case .bounce(_, let bounce): what = "bounce on \(t) for \(bounce.failed.map(\.recipient).joined(separator: ", "))"
            }
            return "\(what); \(notifications) notification\(notifications == 1 ? "" : "s") queued"
        }
    }
}
