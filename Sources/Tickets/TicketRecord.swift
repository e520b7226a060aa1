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
    /// The kind of ticket, from its queue's `types` (incident, request, …).
    public var type: String?
    /// Staff who share the work with the owner (the lead), by handle, in the order added.
    public var coOwners: [String] = []
    /// A deadline staff set; without one, the SLA's resolution deadline stands.
    public var due: Date?
    /// A supplier's ticket number, or any outside reference (seed 001's "No. Proveedor").
    public var externalRef: String?
    /// Whose move it is; waiting for the requester or a supplier pauses the SLA clock.
    public var waitingFor: WaitingFor?
    /// The support level working it (`[[levels]]`); nil is the first level.
    public var level: String?
    /// The queue's custom fields, by name, as validated text.
    public var fields: [String: String] = [:]
    /// The organisation of its requestor when it was filed, or as staff set it.
    public var organisation: String?
    /// Assets (things the desk supports) the ticket is about, by name.
    public var assets: [String] = []
    /// Where the ticket stands against its deadlines.
    public var sla = SLAClock()
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

    /// The lead owner first, then those who share the work.
    public var owners: [String] { (owner.map { [$0] } ?? []) + coOwners.filter { $0 != owner } }

    /// The deadline that counts: staff's, else the SLA's.
    public var effectiveDue: Date? { due ?? sla.resolutionDue }

    /// Whether this address is a requestor or a Cc of the ticket.
    public func isOnTicket(_ address: String) -> Bool {
        let a = address.lowercased()
        return requestors.contains { $0.address == a } || ccs.contains { $0.address == a }
    }
}

/// Whose move it is on a ticket (seed 001's "esperando").
public enum WaitingFor: String, Sendable, Equatable, CaseIterable {
    case requester, supplier, support

    /// Whether the SLA clock stops while the ticket waits so.
    public var pausesClock: Bool { self != .support }

    /// The value as staff write it, in English, Catalan or Spanish.
    public static func named(_ text: String) -> WaitingFor? {
        switch text.lowercased() {
        case "requester", "requestor", "customer", "client", "sol·licitant", "sol.licitant", "solicitant", "solicitante", "usuari", "usuario":
            return .requester
        case "supplier", "vendor", "proveïdor", "proveidor", "proveedor":
            return .supplier
        case "support", "us", "staff", "suport", "soporte", "nosaltres", "nosotros":
            return .support
        default: return nil
        }
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
