import Foundation
import Tickets
import TicketStore

extension Desk {
    /// Hands a task under ticket `parent` to staff member `owner` (of the parent's queue), by
    /// staff of that queue: the task and the parent's history in one transaction, the owner told.
    public func addTask(parent number: Int, owner: String, due: Date?, title: String? = nil, text: String, actor: String?,
                        now: Date = Date()) throws -> TicketRecord {
        try store.write { tx in
            guard let parent = try tx.ticket(number: number) else { throw DeskError.unknownTicket(number) }
            let staff = try Authorization.staff(actor, on: parent, policy: policy)
            guard let assignee = policy.staff(owner) else { throw DeskError.unknownStaff(owner) }
            var (task, parentOp) = try TaskRules.operations(parent: parent, number: try tx.nextTicketNumber(), title: title, text: text,
                                                            owner: assignee, due: due, by: staff, policy: policy, now: now)
            try finish(&task, tx)
            try tx.apply(task)
            try tx.apply(parentOp)
            guard let made = task.after else { throw DeskError.unknownTicket(number) }
            return made
        }
    }

    /// A ticket's tasks, oldest first.
    public func tasks(of number: Int) throws -> [TicketRecord] {
        try store.links(number).filter { $0.kind == .parentOf }.compactMap(\.ticket).sorted()
            .compactMap { try store.ticket($0) }.filter(\.isTask)
    }
}
