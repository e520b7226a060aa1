import Tickets
import TicketStore

/// Time worked between two days, filtered and summed, for `suport report time` (and later
/// the web desk): the entries, each ticket, and the totals by staff member, organisation and asset.
public struct TimeReport: Sendable {
    /// One line of totals: its minutes in all and those billed.
    public struct Total: Sendable, Equatable {
        public let key: String
        public let minutes: Int
        public let billable: Int
    }

    public let entries: [TimeRecord]
    /// The ticket each entry is on.
    public let tickets: [Int: TicketRecord]
    public let total: Int
    public let billable: Int
    public let byStaff: [Total]
    /// By the ticket's organisation ("-" for none).
    public let byOrganisation: [Total]
    /// By each asset the ticket names (an entry on a ticket about two assets counts for both).
    public let byAsset: [Total]

    init(entries: [TimeRecord], tickets: [Int: TicketRecord]) {
        self.entries = entries
        self.tickets = tickets
        total = entries.reduce(0) { $0 + $1.minutes }
        billable = entries.filter(\.billable).reduce(0) { $0 + $1.minutes }
        func totals(_ keys: (TimeRecord) -> [String]) -> [Total] {
            var sums: [String: (Int, Int)] = [:]
            for e in entries {
                for k in keys(e) { sums[k, default: (0, 0)].0 += e.minutes; if e.billable { sums[k, default: (0, 0)].1 += e.minutes } }
            }
            return sums.map { Total(key: $0.key, minutes: $0.value.0, billable: $0.value.1) }.sorted { $0.key < $1.key }
        }
        byStaff = totals { [$0.staff] }
        byOrganisation = totals { [tickets[$0.ticket]?.organisation ?? "-"] }
        byAsset = totals { e in tickets[e.ticket].map { $0.assets.isEmpty ? ["-"] : $0.assets } ?? ["-"] }
    }

    /// The queue of the ticket an entry is on.
    public func queue(of entry: TimeRecord) -> String { tickets[entry.ticket]?.queue ?? "" }
}

extension Desk {
    /// The time worked on days `from` to `to` (`YYYY-MM-DD`), by one staff member or all, on
    /// one queue's, organisation's or asset's tickets or all; each ticket is read once.
    public func timeReport(from: String, to: String, staff: String?, queue: String?, organisation: String? = nil,
                           asset: String? = nil) throws -> TimeReport {
        let who = try staff.map { (s: String) throws -> String in
            guard let found = policy.staff(s) else { throw DeskError.unknownStaff(s) }
            return found.id
        }
        let all = try store.timeEntries(ticket: nil, from: from, to: to)
        var tickets: [Int: TicketRecord] = [:]
        for number in Set(all.map(\.ticket)) { tickets[number] = try store.ticket(number) }
        let entries = all.filter { e in
            let t = tickets[e.ticket]
            return (who == nil || e.staff == who) && (queue == nil || t?.queue == queue)
                && (organisation == nil || t?.organisation?.lowercased() == organisation?.lowercased())
                && (asset == nil || t?.assets.contains { $0.lowercased() == asset?.lowercased() } == true)
        }
        return TimeReport(entries: entries, tickets: tickets)
    }
}
