import MIME

/// Who caused a change: a staff member, someone writing by mail, or Suport itself.
public enum Actor: Sendable, Equatable {
    case staff(Staff)
    /// A requestor, Cc or outsider writing by mail.
    case person(Address)
    /// Suport's own doing (a bounce, the scheduler).
    case system

    /// How the history names the actor: a staff handle, an address, or "suport".
    public var handle: String {
        switch self {
        case .staff(let s): return s.id
        case .person(let a): return a.address.lowercased()
        case .system: return "suport"
        }
    }

    /// The name a notification shows (the signature of a reply).
    public var displayName: String {
        switch self {
        case .staff(let s): return s.name
        case .person(let a): return a.name ?? a.address
        case .system: return "Suport"
        }
    }

    /// The staff member, when the actor is one.
    public var staff: Staff? {
        if case .staff(let s) = self { return s } else { return nil }
    }

    /// The address that is never told of its own change.
    public var address: String? {
        switch self {
        case .staff(let s): return s.address.lowercased()
        case .person(let a): return a.address.lowercased()
        case .system: return nil
        }
    }
}

/// Who may change what: the same rule for the CLI, email commands and the web.
public enum Authorization {
    /// The staff member a handle or address names, if they may work this ticket: staff of
    /// the ticket's queue, or an admin. Anyone else is refused with the reason.
    public static func staff(_ key: String?, on ticket: TicketRecord, policy: DeskPolicy) throws(DeskError) -> Staff {
        guard let key, !key.isEmpty else { throw .unknownStaff("(none: give --actor or set SUPORT_ACTOR)") }
        guard let staff = policy.staff(key) else { throw .unknownStaff(key) }
        guard policy.isStaff(staff.address, ofQueue: ticket.queue) else { throw .notStaffOfQueue(staff.id, ticket.queue) }
        return staff
    }

    /// The admin a handle or address names: erasing a person is theirs alone.
    public static func admin(_ key: String?, policy: DeskPolicy) throws(DeskError) -> Staff {
        guard let key, !key.isEmpty else { throw .unknownStaff("(none: give --actor or set SUPORT_ACTOR)") }
        guard let staff = policy.staff(key) else { throw .unknownStaff(key) }
        guard policy.admins.contains(staff.id) else { throw .notAnAdmin(staff.id) }
        return staff
    }

    /// The queues a staff member sees: those they are staff of; nil for an admin (every queue).
    public static func visibleQueues(of staff: Staff, policy: DeskPolicy) -> [String]? {
        if policy.admins.contains(staff.id) { return nil }
        return policy.queues.filter { $0.staff.contains(staff) }.map(\.name)
    }

    /// Checks what a change itself asks for: a new owner must be able to work the ticket.
    public static func check(_ change: TicketChange, on ticket: TicketRecord, policy: DeskPolicy) throws(DeskError) {
        if case .owner(let owner?) = change {
            guard let staff = policy.staff(owner) else { throw .unknownStaff(owner) }
            guard policy.isStaff(staff.address, ofQueue: ticket.queue) else { throw .notStaffOfQueue(staff.id, ticket.queue) }
        }
    }
}
