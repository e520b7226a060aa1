import Foundation

/// The end of a resolution's wait for approval when nobody answers.
public enum ApprovalRules {
    /// When a pending resolution of this ticket closes without approval.
    public static func deadline(of ticket: TicketRecord, policy: DeskPolicy) -> Date? {
        // A task's approval is an admin's to give: it does not lapse.
        guard ticket.approval == .pending, !ticket.isTask, let resolved = ticket.resolved else { return nil }
        let days = policy.queue(named: ticket.queue)?.approvalDays ?? 7
        return resolved.addingTimeInterval(Double(days) * 86_400)
    }

    /// The operation that closes a resolution nobody confirmed within `approval_days`: it
    /// stays resolved, without approval, and the history says so. Nil while there is time.
    public static func expiry(of ticket: TicketRecord, policy: DeskPolicy, now: Date) -> TicketOperation? {
        guard let deadline = deadline(of: ticket, policy: policy), deadline <= now else { return nil }
        var op = TicketOperation(before: ticket, actor: .system, at: now)
        op.after?.approval = .expired
        op.touches = false
        let days = policy.queue(named: ticket.queue)?.approvalDays ?? 7
        op.record(HistoryItem(actor: "suport", kind: "approval", old: Approval.pending.rawValue, new: Approval.expired.rawValue,
                              note: "no answer within \(days) day\(days == 1 ? "" : "s"): closed as resolved, without approval"))
        return op
    }
}

/// Retention (GDPR Art. 5(1)(e)): a finished ticket keeps its messages for its queue's
/// `keep_resolved_months`, then they go.
public enum RetentionRules {
    /// When a finished ticket's messages fall due for purging; nil when they are kept.
    public static func deadline(of ticket: TicketRecord, policy: DeskPolicy) -> Date? {
        guard ticket.status.isInactive, let resolved = ticket.resolved, ticket.purged.map({ $0 < resolved }) ?? true,
              let months = policy.queue(named: ticket.queue)?.keepResolvedMonths else { return nil }
        return Calendar(identifier: .gregorian).date(byAdding: .month, value: months, to: resolved)
    }

    /// The operation that purges a ticket whose time has come: its messages, attachments and
    /// the words of its notifications, keeping the ticket and its history; or, when the queue
    /// says so, the whole ticket. Nil while there is time.
    public static func purge(_ ticket: TicketRecord, policy: DeskPolicy, now: Date) -> TicketOperation? {
        guard let deadline = deadline(of: ticket, policy: policy), deadline <= now else { return nil }
        let queue = policy.queue(named: ticket.queue)
        var op = TicketOperation(before: ticket, actor: .system, at: now)
        op.touches = false
        op.purge = queue?.purgeWholeTicket == true ? .ticket : .messages
        op.after?.purged = now
        op.record(HistoryItem(actor: "suport", kind: "purged", new: op.purge?.rawValue,
                              note: "finished more than \(queue?.keepResolvedMonths ?? 0) months ago (keep_resolved_months)"))
        return op
    }
}

/// A ticket waiting for its requester closes itself after its queue's `auto_close_days`
/// without a word from anyone, and the requestors are told why.
public enum AutoCloseRules {
    /// When the ticket closes itself, if it does.
    public static func deadline(of ticket: TicketRecord, policy: DeskPolicy) -> Date? {
        guard ticket.waitingFor == .requester, !ticket.status.isInactive,
              let days = policy.queue(named: ticket.queue)?.autoCloseDays else { return nil }
        return ticket.updated.addingTimeInterval(Double(days) * 86_400)
    }

    /// The operation that resolves it; nil while there is time, or when the lifecycle does not allow it.
    public static func operation(for ticket: TicketRecord, policy: DeskPolicy, now: Date) -> TicketOperation? {
        guard let deadline = deadline(of: ticket, policy: policy), deadline <= now, policy.lifecycle.allows(ticket.status, .resolved) else { return nil }
        let days = policy.queue(named: ticket.queue)?.autoCloseDays ?? 0
        var op = TicketOperation(before: ticket, actor: .system, at: now)
        op.after?.waitingFor = nil
        op.context.autoClosedDays = days
        guard op.setStatus(.resolved, policy: policy, note: "no reply for \(days) day\(days == 1 ? "" : "s") while waiting for the requester (auto_close_days)") else {
            return nil
        }
        return op
    }
}
