import Foundation
import MIME

/// Merging a ticket into another (RT's merge): the messages, people, time and links of the
/// first move into the second, which keeps its number; the first stays as a pointer, so mail
/// tagged with its number joins the second. Everyone on either is told once.
public enum MergeRules {
    /// The two operations: the pointer, then the survivor (whose notices the caller composes).
    public static func operations(merging source: TicketRecord, into target: TicketRecord, by staff: Staff, policy: DeskPolicy,
                                  now: Date) throws(DeskError) -> (pointer: TicketOperation, survivor: TicketOperation) {
        guard source.number != target.number else { throw .linkToItself }
        if let m = source.mergedInto { throw .alreadyMerged(source.number, m) }
        if let m = target.mergedInto { throw .alreadyMerged(target.number, m) }
        let sourceTag = policy.tag.tag(for: source.number), targetTag = policy.tag.tag(for: target.number)

        var pointer = TicketOperation(before: source, actor: .staff(staff), at: now)
        pointer.after?.mergedInto = target.number
        pointer.after?.minutesWorked = 0
        pointer.mergeInto = target.number
        pointer.record(HistoryItem(actor: staff.id, kind: "merged-into", new: targetTag))

        var survivor = TicketOperation(before: target, actor: .staff(staff), at: now)
        guard var t = survivor.after else { return (pointer, survivor) }
        for person in source.requestors where !t.isOnTicket(person.address) {
            t.requestors.append(person)
            survivor.add(TicketPerson(.requestor, person))
        }
        for person in source.ccs where !t.isOnTicket(person.address) {
            t.ccs.append(person)
            survivor.add(TicketPerson(.cc, person))
        }
        for w in source.watchers where !t.watchers.contains(where: { $0.address == w.address }) {
            t.watchers.append(w)
            survivor.add(TicketPerson(.watcher, w))
        }
        t.minutesWorked += source.minutesWorked
        survivor.after = t
        let cause = survivor.record(HistoryItem(actor: staff.id, kind: "merged", new: sourceTag,
                                                note: "\(sourceTag) \(source.title) merged into this ticket"))
        survivor.events.append((.merged(from: source.number), cause))
        survivor.context.mergedTag = sourceTag
        survivor.context.actor = staff.name
        return (pointer, survivor)
    }
}
