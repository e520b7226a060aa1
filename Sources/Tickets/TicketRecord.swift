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
    public let created: Date
    public var updated: Date
    public var resolved: Date?

    public init(number: Int, title: String, queue: String, status: Status, owner: String?, priority: Int, requestors: [Address],
                ccs: [Address], created: Date, updated: Date, resolved: Date?) {
        self.number = number
        self.title = title
        self.queue = queue
        self.status = status
        self.owner = owner
        self.priority = priority
        self.requestors = requestors
        self.ccs = ccs
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

/// Someone in a role on a ticket.
public struct TicketPerson: Sendable, Equatable {
    public enum Role: String, Sendable { case requestor, cc }
    public let role: Role
    public let address: Address

    public init(_ role: Role, _ address: Address) {
        self.role = role
        self.address = Address(name: address.name, address: address.address.lowercased())
    }
}
