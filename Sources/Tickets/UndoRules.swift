import Foundation
import MIME

/// A staff reply still held in the outbox (the undo window): its notifications and the
/// message the desk kept of it.
public struct HeldReply: Sendable {
    public struct Row: Sendable, Equatable {
        public let id: Int64
        public let recipient: String
        public let template: String
        public let pending: Bool

        public init(id: Int64, recipient: String, template: String, pending: Bool) {
            self.id = id
            self.recipient = recipient
            self.template = template
            self.pending = pending
        }
    }

    public let outbox: Int64
    public let ticket: Int
    public let author: String?
    public let heldUntil: Date?
    /// Every notification of the same reply.
    public let rows: [Row]
    /// The kept message of the reply, and its bytes.
    public let message: Int64?
    public let raw: [UInt8]?

    public init(outbox: Int64, ticket: Int, author: String?, heldUntil: Date?, rows: [Row], message: Int64?, raw: [UInt8]?) {
        self.outbox = outbox
        self.ticket = ticket
        self.author = author
        self.heldUntil = heldUntil
        self.rows = rows
        self.message = message
        self.raw = raw
    }
}

/// Seed 000: staff may edit or delete a message "only during the first five minutes". Within
/// the undo window its author gives it new words or withdraws it; after, it is sent and stays.
public enum UndoRules {
    static func check(_ held: HeldReply, by staff: Staff, now: Date) throws(DeskError) {
        guard let until = held.heldUntil, let author = held.author else { throw .notHeld(held.outbox) }
        guard author == staff.id else { throw .notYourReply(held.outbox, author) }
        guard now < until, held.rows.contains(where: \.pending) else { throw .undoWindowClosed(held.outbox, until) }
    }

    /// The reply with new words: its kept message rewritten, and the reply's event again, so
    /// that composing the operation (`Notices.compose`) writes each notice anew; `rewrite` then
    /// puts those words in the held rows.
    public static func edit(_ held: HeldReply, ticket: TicketRecord, text: String, by staff: Staff, policy: DeskPolicy,
                            now: Date) throws(DeskError) -> TicketOperation {
        try check(held, by: staff, now: now)
        guard !text.allSatisfy(\.isWhitespace) else { throw .emptyText }
        let files = held.raw.map { Message(bytes: $0).attachments.map(OutgoingAttachment.init) } ?? []
        var op = TicketOperation(before: ticket, actor: .staff(staff), at: now)
        op.touches = false
        op.context.actor = staff.name
        op.context.sender = Address(name: staff.name, address: staff.address).description
        op.context.text = text
        op.attachments = files
        if let id = held.message {
            let kept = try ChangeRules.keptNote(text: text, files: files, on: ticket, by: staff, policy: policy, at: now, reply: true)
            op.replacement = MessageReplacement(message: id, raw: kept.raw, text: kept.message.text)
        }
        op.events = [(.correspondenceOut, nil)]
        return op
    }

    /// The composed notices of an edit become the held rows' new bytes, each for the same person
    /// (its time to go stays as it was); nothing new is queued.
    public static func rewrite(_ op: inout TicketOperation, onto held: HeldReply) {
        for row in held.rows where row.pending {
            if let notice = op.notices.first(where: { $0.recipient.lowercased() == row.recipient.lowercased() && $0.template.rawValue == row.template }) {
                op.outboxRewritten.append((row.id, notice.bytes, notice.messageID))
            }
        }
        op.notices = []
        op.events = []
        op.record(HistoryItem(actor: op.actor.handle, kind: "correspondence-edited",
                              new: "\(op.outboxRewritten.count) notification\(op.outboxRewritten.count == 1 ? "" : "s")",
                              note: "edited by its author within the undo window"))
    }

    /// The reply withdrawn: none of its notifications goes. The desk keeps what was written.
    public static func withdraw(_ held: HeldReply, ticket: TicketRecord, by staff: Staff, now: Date) throws(DeskError) -> TicketOperation {
        try check(held, by: staff, now: now)
        var op = TicketOperation(before: ticket, actor: .staff(staff), at: now)
        op.touches = false
        op.outboxWithdrawn = held.rows.filter(\.pending).map(\.id)
        op.record(HistoryItem(actor: staff.id, kind: "correspondence-withdrawn", new: "\(op.outboxWithdrawn.count) notification\(op.outboxWithdrawn.count == 1 ? "" : "s")",
                              note: "withdrawn by its author within the undo window: nobody was sent it"))
        return op
    }
}
