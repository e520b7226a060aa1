import Tickets
import TicketStore

/// Time worked between two days, filtered and summed, for `suport report time` (and later
/// the web desk): the entries, each ticket's queue, and the totals by staff member.
public struct TimeReport: Sendable {
    public let entries: [TimeRecord]
    /// The queue of each ticket the entries are on.
    public let queues: [Int: String]
    public let total: Int
    public let billable: Int
    public let byStaff: [(staff: String, minutes: Int, billable: Int)]

    init(entries: [TimeRecord], queues: [Int: String]) {
        self.entries = entries
        self.queues = queues
        total = entries.reduce(0) { $0 + $1.minutes }
        billable = entries.filter(\.billable).reduce(0) { $0 + $1.minutes }
        byStaff = Dictionary(grouping: entries, by: \.staff).map { staff, list in
            (staff, list.reduce(0) { $0 + $1.minutes }, list.filter(\.billable).reduce(0) { $0 + $1.minutes })
        }.sorted { $0.staff < $1.staff }
    }
}

extension Desk {
    /// The time worked on days `from` to `to` (`YYYY-MM-DD`), by one staff member or all,
    /// on one queue's tickets or all; each ticket is read once.
    public func timeReport(from: String, to: String, staff: String?, queue: String?) throws -> TimeReport {
        let who = try staff.map { (s: String) throws -> String in
            guard let found = policy.staff(s) else { throw DeskError.unknownStaff(s) }
            return found.id
        }
        let all = try store.timeEntries(ticket: nil, from: from, to: to)
        var queues: [Int: String] = [:]
        for number in Set(all.map(\.ticket)) { queues[number] = try store.ticket(number)?.queue ?? "" }
        let entries = all.filter { (who == nil || $0.staff == who) && (queue == nil || queues[$0.ticket] == queue) }
        return TimeReport(entries: entries, queues: queues)
    }
}
