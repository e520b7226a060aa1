import Foundation

/// Tasks: work handed to a staff member under a ticket (the vendor's administrator assigning
/// work to technicians). A task is a ticket of its own, of type `task`, the parent's child,
/// with its own owner, due date and status, and no requestors: nothing of it is ever mailed
/// to the parent's requesters. The parent cannot be finished while a task is not done
/// (`TicketLookup.finishingBlocker`). On a queue with `task_approval`, closing a task asks an
/// admin, who approves the work or sends it back.
public enum TaskRules {
    /// The type every task has, whatever its queue's `types`.
    public static let type = "task"

    /// A new task under `parent`, numbered `number`, owned by `owner`: the task's operation
    /// (its ticket, its first note, its link to the parent, the owner told) and the parent's
    /// (its history says a task was added). Both are applied in one transaction.
    public static func operations(parent: TicketRecord, number: Int, title: String?, text: String, owner: Staff, due: Date?,
                                  by staff: Staff, policy: DeskPolicy, now: Date) throws(DeskError) -> (task: TicketOperation, parent: TicketOperation) {
        guard !text.allSatisfy(\.isWhitespace) else { throw .emptyText }
        guard policy.isStaff(owner.address, ofQueue: parent.queue) else { throw .notStaffOfQueue(owner.id, parent.queue) }
        let firstLine = text.split(separator: "\n").first { !$0.allSatisfy(\.isWhitespace) }.map { $0.trimmingSpaces() } ?? ""
        let name = (title?.trimmingSpaces()).flatMap { $0.isEmpty ? nil : $0 } ?? String(firstLine.prefix(100))
        var record = TicketRecord(number: number, title: name, queue: parent.queue, status: .open, owner: owner.id,
                                  priority: parent.priority, requestors: [], ccs: [], created: now, updated: now, resolved: nil)
        record.type = type
        record.due = due
        record.organisation = parent.organisation
        record.assets = parent.assets

        var task = TicketOperation(before: nil, actor: .staff(staff), at: now)
        task.after = record
        task.message = try ChangeRules.keptNote(text: text, files: [], on: record, by: staff, policy: policy, at: now, reply: false)
        task.context.text = text
        task.context.actor = staff.name
        let tag = policy.tag.tag(for: parent.number)
        let cause = task.record(HistoryItem(actor: staff.id, kind: "create", new: parent.queue,
                                            note: "task of \(tag) \(parent.title)", carriesMessage: true))
        task.record(HistoryItem(actor: staff.id, kind: "owner", new: owner.id))
        task.linksAdded = [StoredLink(from: parent.number, kind: LinkKind.parentOf.rawValue, to: number, url: nil)]
        task.events.append((.owner(from: nil, to: owner.id), cause))

        var parentOp = TicketOperation(before: parent, actor: .staff(staff), at: now)
        parentOp.record(HistoryItem(actor: staff.id, kind: "task-added", new: "#\(number)", note: "\(name), for \(owner.id)"))
        return (task, parentOp)
    }

    /// Whether closing this ticket now waits for an admin's approval of the work.
    static func asksApproval(_ ticket: TicketRecord, policy: DeskPolicy) -> Bool {
        ticket.isTask && policy.queue(named: ticket.queue)?.taskApproval == true
    }

    /// An admin's verdict on a closed task's work: approved, it stays closed; sent back, it
    /// opens again for its owner. Either way the history keeps it and the owners are told.
    /// `note` is the admin's word to the owner; `historyNote` what the history keeps ("by email: Aprova").
    static func review(approved: Bool, note: String?, historyNote: String?, to op: inout TicketOperation, by staff: Staff,
                       policy: DeskPolicy) throws(DeskError) {
        guard var t = op.after else { return }
        guard t.isTask else { throw .notATask(t.number) }
        guard policy.admins.contains(staff.id) else { throw .notAnAdmin(staff.id) }
        guard t.approval == .pending else { throw .noApprovalPending(t.number) }
        if approved {
            t.approval = .approved
        } else {
            op.record(HistoryItem(actor: staff.id, kind: "status", old: t.status.rawValue, new: Status.open.rawValue, note: "sent back"))
            t.approval = nil
            t.status = .open
            t.resolved = nil
        }
        op.after = t
        let cause = op.record(HistoryItem(actor: staff.id, kind: "approval", old: Approval.pending.rawValue,
                                          new: approved ? Approval.approved.rawValue : "sent-back", note: historyNote))
        if let note { op.context.comment = note }
        op.context.approved = approved
        op.events.append((.taskReviewed(approved: approved), cause))
    }
}

extension TicketRecord {
    /// A task handed to a staff member under another ticket (`TaskRules`).
    public var isTask: Bool { type == TaskRules.type }
}
