import Foundation
import GRDB
import MIME
import Tickets

/// A change staff make to a ticket, from the CLI or by email command.
public enum TicketChange: Sendable, Equatable {
    case status(Status)
    case queue(String)
    /// A staff handle, or nil to leave the ticket unowned.
    case owner(String?)
    case title(String)
    case priority(Int)
    case addRequestor(Address)
    case removeRequestor(String)
    case addCc(Address)
    case removeCc(String)
    /// Correspondence to the requestors and Ccs.
    case reply(text: String, attachments: [OutgoingAttachment])
    /// An internal note for staff.
    case comment(text: String, attachments: [OutgoingAttachment])
}

extension OutgoingAttachment: Equatable {
    public static func == (a: OutgoingAttachment, b: OutgoingAttachment) -> Bool {
        a.filename == b.filename && a.contentType == b.contentType && a.data == b.data
    }
}

/// What a change did.
public struct ChangeOutcome: Sendable, Equatable {
    public let ticket: TicketRecord
    /// False when the ticket already was as asked (nothing recorded, nobody told).
    public let changed: Bool
    public let notifications: Int
}

extension TicketStore {
    /// Applies one change in one transaction: the ticket, its history entry (with the
    /// optional comment) and the notifications the change causes. `actor` is a staff handle
    /// or an address; the actor is never notified of their own change.
    public func apply(_ change: TicketChange, to number: Int, actor: String, comment: String? = nil, policy: DeskPolicy,
                      composer: NotificationComposer, now: Date = Date()) throws -> ChangeOutcome {
        try transaction { db in
            let before = try requireTicket(db, number)
            let staff = policy.staff(actor)
            let actorName = staff?.id ?? actor
            let actorAddress = staff?.address ?? actor
            var event: DeskEvent? = nil
            var context: [String: String] = ["actor": staff?.name ?? actor, "comment": comment ?? ""]
            var attachments: [OutgoingAttachment] = []
            var history: Int64? = nil

            func record(_ kind: String, _ old: String?, _ new: String?, message: Int64? = nil) throws {
                history = try addHistory(db, ticket: number, at: now, actor: actorName, kind: kind, old: old, new: new, message: message,
                                         note: comment)
            }

            switch change {
            case .status(let status):
                guard status != before.status else { return ChangeOutcome(ticket: before, changed: false, notifications: 0) }
                try policy.lifecycle.check(before.status, status)
                history = try setStatus(db, before, to: status, actor: actorName, at: now, note: comment)
                event = .status(from: before.status, to: status)
                context["old_status"] = before.status.rawValue
                context["new_status"] = status.rawValue

            case .queue(let queue):
                guard policy.queue(named: queue) != nil else { throw DeskError.unknownQueue(queue) }
                guard queue != before.queue else { return ChangeOutcome(ticket: before, changed: false, notifications: 0) }
                try db.run(sql: "UPDATE tickets SET queue = ? WHERE number = ?", arguments: [queue, number])
                try record("queue", before.queue, queue)
                event = .queue(from: before.queue, to: queue)
                context["old_queue"] = before.queue
                context["new_queue"] = queue

            case .owner(let owner):
                var id: String? = nil
                if let owner {
                    guard let s = policy.staff(owner) else { throw DeskError.unknownStaff(owner) }
                    id = s.id
                }
                guard id != before.owner else { return ChangeOutcome(ticket: before, changed: false, notifications: 0) }
                try db.run(sql: "UPDATE tickets SET owner = ? WHERE number = ?", arguments: [id, number])
                try record("owner", before.owner, id)
                event = .owner(from: before.owner, to: id)

            case .title(let title):
                let clean = HeaderEncoding.sanitize(title)
                guard !clean.isEmpty else { throw DeskError.emptyTitle }
                guard clean != before.title else { return ChangeOutcome(ticket: before, changed: false, notifications: 0) }
                try db.run(sql: "UPDATE tickets SET title = ? WHERE number = ?", arguments: [clean, number])
                try record("title", before.title, clean)

            case .priority(let p):
                guard (0...10).contains(p) else { throw DeskError.invalidPriority(p) }
                guard p != before.priority else { return ChangeOutcome(ticket: before, changed: false, notifications: 0) }
                try db.run(sql: "UPDATE tickets SET priority = ? WHERE number = ?", arguments: [p, number])
                try record("priority", String(before.priority), String(p))

            case .addRequestor(let a), .addCc(let a):
                let role = { if case .addRequestor = change { return "requestor" } else { return "cc" } }()
                guard OutgoingMessage.isValidAddress(a.address) else { throw DeskError.invalidAddress(a.address) }
                let address = a.address.lowercased()
                let existing = role == "requestor" ? before.requestors : before.ccs
                guard !existing.contains(where: { $0.address == address }) else {
                    return ChangeOutcome(ticket: before, changed: false, notifications: 0)
                }
                try db.run(sql: "INSERT INTO ticket_people (ticket, role, address, name) VALUES (?, ?, ?, ?)",
                               arguments: [number, role, address, a.name])
                try record("\(role)-added", nil, address)

            case .removeRequestor(let a), .removeCc(let a):
                let role = { if case .removeRequestor = change { return "requestor" } else { return "cc" } }()
                let address = a.lowercased()
                let existing = role == "requestor" ? before.requestors : before.ccs
                guard existing.contains(where: { $0.address == address }) else { throw DeskError.notARequestor(a) }
                if role == "requestor" && existing.count == 1 { throw DeskError.lastRequestor(a) }
                try db.run(sql: "DELETE FROM ticket_people WHERE ticket = ? AND role = ? AND address = ?",
                               arguments: [number, role, address])
                try record("\(role)-removed", address, nil)

            case let .reply(text, files), let .comment(text, files):
                let isReply: Bool = { if case .reply = change { return true } else { return false } }()
                guard !text.allSatisfy(\.isWhitespace) || !files.isEmpty else { throw DeskError.emptyText }
                // Kept as a message of its own, so the text and any files are stored like mail.
                let queue = policy.queue(named: before.queue)
                var note = OutgoingMessage(from: Address(name: staff?.name, address: OutgoingMessage.isValidAddress(actorAddress)
                                                          ? actorAddress : (queue?.replyAddress ?? "suport@localhost")),
                                           to: [Address(address: queue?.replyAddress ?? "suport@localhost")],
                                           subject: "\(policy.tag.tag(for: number)) \(before.title)",
                                           messageID: OutgoingMessage.newMessageID(domain: policy.messageIDDomain), text: text)
                note.autoSubmitted = nil
                note.attachments = files
                note.date = now
                let raw = try note.render()
                let parsed = Message(bytes: raw)
                let id = try storeMessage(db, raw: raw, sha256: ContentHash.sha256Hex(raw), message: parsed, ticket: number,
                                          direction: isReply ? "out" : "note", mailbox: nil, at: now)
                history = try addHistory(db, ticket: number, at: now, actor: actorName, kind: isReply ? "correspondence-staff" : "comment",
                                         message: id, note: comment)
                context["text"] = text
                if isReply {
                    attachments = files
                    event = .correspondenceOut
                    if before.status == .new && policy.lifecycle.allows(.new, .open) {
                        _ = try setStatus(db, before, to: .open, actor: actorName, at: now, note: "staff replied")
                    }
                } else {
                    event = .comment
                }
            }
            try touch(db, number, at: now)
            let after = try requireTicket(db, number)
            var count = 0
            if let event {
                let planned = NotificationPlan.plan(event, ticket: after.snapshot, actor: actorAddress, autoGenerated: false, policy: policy)
                count = try enqueue(db, planned, ticket: after, context: context, attachments: attachments, history: history,
                                    composer: composer, at: now)
            }
            return ChangeOutcome(ticket: after, changed: true, notifications: count)
        }
    }
}
