import Foundation
import MIME
import Tickets
import TicketStore

extension Desk {
    /// A canned answer written out for a ticket, commands and all, as its staff member would
    /// send it: what `reply --canned NAME --edit` and the web desk's reply form start from.
    public func cannedText(_ name: String, ticket number: Int, actor: String?, now: Date = Date()) throws -> String {
        guard let ticket = try store.ticket(number) else { throw DeskError.unknownTicket(number) }
        let staff = try Authorization.staff(actor, on: ticket, policy: policy)
        return try policy.canned.text(name, on: ticket, by: staff, policy: policy, at: now)
    }

    /// The canned answers a staff member may use on a ticket (in its queue's language).
    public func cannedNames(ticket: TicketRecord) -> [String] {
        policy.canned.names(queue: ticket.queue, language: policy.queue(named: ticket.queue)?.language ?? .en)
    }

    /// A staff reply whose text may begin with email command lines (a canned answer, sent as
    /// it is or edited first): the reply and the commands are one operation, as they are by
    /// email. A line that cannot be applied refuses the whole of it, and nothing is sent.
    /// `via` names where the commands came from in the history ("canned answer welcome").
    public func reply(ticket number: Int, text: String, attachments: [OutgoingAttachment] = [], via: String, actor: String?,
                      force: Bool = false, now: Date = Date()) throws -> ChangeOutcome {
        try store.write { tx in
            guard let ticket = try tx.ticket(number: number) else { throw DeskError.unknownTicket(number) }
            let staff = try Authorization.staff(actor, on: ticket, policy: policy)
            let commands = MailCommands.read(text, actor: staff.id, day: TimeRules.day(now), zone: policy.displayZone)
            var op = ChangeRules.start(on: ticket, by: staff, comment: nil, now: now)
            if !commands.rest.allSatisfy(\.isWhitespace) || !attachments.isEmpty {
                try ChangeRules.apply(.reply(text: commands.rest, attachments: attachments), to: &op, by: staff, comment: nil, policy: policy)
            }
            let blocker = commands.finishes && !force ? try tx.finishingBlocker(of: number) : nil
            if let failure = commands.apply(to: &op, by: staff, policy: policy, blocker: blocker, via: via).first {
                throw DeskError.commandFailed(failure.line.text, failure.error.description)
            }
            guard !op.history.isEmpty, let after = op.after else { throw DeskError.emptyText }
            try finish(&op, tx)
            try tx.apply(op)
            let notices = op.notices.count + (try cascade(op, by: staff, comment: nil, tx, now: now))
            return ChangeOutcome(ticket: after, changed: true, notifications: notices)
        }
    }
}
