import Foundation

/// The end of a resolution's wait for approval when nobody answers.
public enum ApprovalRules {
    /// When a pending resolution of this ticket closes without approval.
    public static func deadline(of ticket: TicketRecord, policy: DeskPolicy) -> Date? {
        guard ticket.approval == .pending, let resolved = ticket.resolved else { return nil }
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
