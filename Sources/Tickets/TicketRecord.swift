import Foundation
import MIME

/// A ticket as it stands: what the store reads and what every rule decides from.
public struct TicketRecord: Sendable, Equatable {
    public let number: Int
    public var title: String
    public var queue: String
    public var status: Status
    /// The owner's staff handle.
    public var owner: String?
    public var priority: Int
    /// Addresses lowercased, names as written.
    public var requestors: [Address]
    public var ccs: [Address]
    /// Staff who follow the ticket without owning it (RT's AdminCc), by their staff address.
    public var watchers: [Address]
    /// Auto-generated mail that joined no ticket, filed without telling anyone (`list --auto`).
    public var autoFiled: Bool
    /// Where the requestors' confirmation of a resolution stands, on a queue that asks for it.
    public var approval: Approval?
    /// When retention last purged its messages.
    public var purged: Date?
    /// Whether its time is billed, and the minutes worked on it in all.
    public var billable: Bool
    public var minutesWorked: Int
    /// Merged into that ticket: this one stays as a pointer to it.
    public var mergedInto: Int?
    public let created: Date
    public var updated: Date
    public var resolved: Date?

    public init(number: Int, title: String, queue: String, status: Status, owner: String?, priority: Int, requestors: [Address],
                ccs: [Address], watchers: [Address] = [], autoFiled: Bool = false, approval: Approval? = nil,
                purged: Date? = nil, billable: Bool = true, minutesWorked: Int = 0, created: Date, updated: Date, resolved: Date?) {
        self.number = number
        self.title = title
        self.queue = queue
        self.status = status
        self.owner = owner
        self.priority = priority
        self.requestors = requestors
        self.ccs = ccs
        self.watchers = watchers
        self.autoFiled = autoFiled
        self.approval = approval
        self.purged = purged
        self.billable = billable
        self.minutesWorked = minutesWorked
        mergedInto = nil
        self.created = created
        self.updated = updated
        self.resolved = resolved
    }

    /// Whether this address is a requestor or a Cc of the ticket.
    public func isOnTicket(_ address: String) -> Bool {
        let a = address.lowercased()
        return requestors.contains { $0.address == a } || ccs.contains { $0.address == a }
    }
}

/// The requestors' confirmation of a resolution (seed 001's "vist i plau").
public enum Approval: String, Sendable, Equatable {
    /// Resolved, and the requestors were asked to confirm.
    case pending
    /// A requestor confirmed: closed as approved.
    case approved
    /// Nobody answered within `approval_days`: closed as resolved, without approval.
    case expired
}

/// Someone in a role on a ticket.
public struct TicketPerson: Sendable, Equatable {
    public enum Role: String, Sendable { case requestor, cc, watcher }
    public let role: Role
    public let address: Address

    public init(_ role: Role, _ address: Address) {
        self.role = role
        self.address = Address(name: address.name, address: address.address.lowercased())
    }

    /// The same role and address (names may differ).
    func isSame(_ other: TicketPerson) -> Bool { role == other.role && address.address == other.address.address }
}
