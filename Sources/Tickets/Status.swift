import Foundation

/// Where a ticket is in its life (RT's default lifecycle).
public enum Status: String, CaseIterable, Codable, Sendable, CustomStringConvertible {
    case new, open, stalled, resolved, rejected

    public var description: String { rawValue }

    /// Statuses in which a ticket is finished with.
    public var isInactive: Bool { self == .resolved || self == .rejected }

    /// Statuses a requestor's reply takes back to open.
    public var isReopenable: Bool { self == .stalled || isInactive }
}

/// The moves between statuses that an installation allows.
public struct Lifecycle: Sendable, Equatable {
    /// For each status, the statuses it may move to.
    public let transitions: [Status: Set<Status>]

    public init(transitions: [Status: Set<Status>]) {
        self.transitions = transitions
    }

    /// RT's default: every move between different statuses is allowed.
    public static let standard = Lifecycle(transitions: Dictionary(uniqueKeysWithValues: Status.allCases.map { from in
        (from, Set(Status.allCases.filter { $0 != from }))
    }))

    /// Whether `from → to` is allowed (staying put always is).
    public func allows(_ from: Status, _ to: Status) -> Bool {
        from == to || transitions[from]?.contains(to) == true
    }

    /// Throws the clear error a user sees when the move is not allowed.
    public func check(_ from: Status, _ to: Status) throws(DeskError) {
        guard allows(from, to) else { throw .transitionNotAllowed(from: from, to: to) }
    }
}

/// Errors a desk operation reports to whoever asked for it (CLI user or email sender).
public enum DeskError: Error, Equatable, Sendable, CustomStringConvertible {
    case unknownTicket(Int)
    case unknownQueue(String)
    case unknownStaff(String)
    case notStaffOfQueue(String, String)
    case transitionNotAllowed(from: Status, to: Status)
    case invalidPriority(Int)
    case invalidAddress(String)
    case notARequestor(String)
    case lastRequestor(String)
    case emptyTitle
    case emptyText
    case ourOwnAddress(String)
    case unknownStatus(String)
    case notANumber(String)
    case notAnAdmin(String)
    case invalidPattern(String)
    case noSuchLines(Int, Int, Int)
    case nothingToRedact
    case noSuchMessage(Int64)
    case invalidDay(String)
    case linkToItself
    case mergeThroughTheDesk
    case alreadyMerged(Int, Int)
    case noSuchLink(String)
    case invalidURL(String)
    case dependsOnOpen(Int, [Int])
    case noSuchTimeEntry(Int64)
    case notYourTimeEntry(Int64, String)
    case invalidField(String, String)
    case unknownField(String, queue: String)
    case unknownType(String, queue: String, types: [String])
    case unknownLevel(String, levels: [String])
    case noHigherLevel(String)
    case notAnOwner(String)
    case invalidMoment(String)
    case unknownWaiting(String)
    case invalidReference(String)
    case notHeld(Int64)
    case notYourReply(Int64, String)
    case undoWindowClosed(Int64, Date)
    case unknownOrganisation(String)
    case unknownAsset(String)
    case unknownCanned(String, queue: String, language: String, known: [String])
    case commandFailed(String, String)
    case openTasks(Int, [Int])
    case notATask(Int)
    case noApprovalPending(Int)

    public var description: String {
        switch self {
        case .unknownTicket(let n): return "no ticket #\(n)"
        case .unknownQueue(let q): return "no queue named \(q.debugDescription)"
        case .unknownStaff(let s): return "no staff member \(s.debugDescription)"
        case let .notStaffOfQueue(s, q): return "\(s) is not staff of the \(q) queue"
        case let .transitionNotAllowed(from, to): return "the lifecycle does not allow \(from) → \(to)"
        case .invalidPriority(let p): return "priority must be 0–10, not \(p)"
        case .invalidAddress(let a): return "not a usable email address: \(a.debugDescription)"
        case .notARequestor(let a): return "\(a) is not on this ticket"
        case .lastRequestor(let a): return "\(a) is the ticket's only requestor"
        case .emptyTitle: return "a title cannot be empty"
        case .emptyText: return "nothing to send: the text is empty"
        case .ourOwnAddress(let a): return "\(a) is one of the desk's own addresses: adding it would make a mail loop"
        case .invalidPattern(let p): return "not a valid regular expression: \(p.debugDescription)"
        case let .noSuchLines(a, b, n): return "lines \(a)–\(b) are not in the message, which has \(n)"
        case .nothingToRedact: return "nothing matched: the message is unchanged"
        case .linkToItself: return "a ticket cannot be linked to itself"
        case .mergeThroughTheDesk: return "a merge changes two tickets: use Desk.merge"
        case let .alreadyMerged(n, m): return "#\(n) was merged into #\(m) already"
        case .noSuchLink(let l): return "no link \(l) on this ticket"
        case .invalidURL(let u): return "not an http(s) URL: \(u.debugDescription)"
        case let .dependsOnOpen(n, open):
            return "#\(n) depends on \(open.map { "#\($0)" }.joined(separator: ", ")), still open: resolve \(open.count == 1 ? "it" : "them") first, or use --force"
        case .invalidDay(let d): return "\(d.debugDescription) is not a day (write YYYY-MM-DD)"
        case .noSuchTimeEntry(let id): return "no time entry \(id) on this ticket (see suport time N list)"
        case let .notYourTimeEntry(id, who): return "time entry \(id) is \(who)'s: only its author (or an admin) removes it"
        case .noSuchMessage(let id): return "no message \(id) on this ticket (see suport show N --history)"
        case .notAnAdmin(let s): return "\(s) is not one of the admins ([suport] admins)"
        case .notANumber(let v): return "\(v.debugDescription) is not a number"
        case .unknownStatus(let s): return "no status \(s.debugDescription) (new, open, stalled, resolved, rejected)"
        case let .invalidField(f, why): return "field \(f): \(why)"
        case let .unknownField(f, q): return "the \(q) queue has no field \(f.debugDescription) ([[queues.fields]])"
        case let .unknownType(t, q, types):
            return types.isEmpty ? "the \(q) queue has no types (queues.types)"
                                 : "the \(q) queue has no type \(t.debugDescription): \(types.joined(separator: ", "))"
        case let .unknownLevel(l, levels):
            return levels.isEmpty ? "no support levels are configured ([[levels]])" : "no level \(l.debugDescription): \(levels.joined(separator: ", "))"
        case .noHigherLevel(let l): return "\(l) is the highest support level already"
        case .notAnOwner(let s): return "\(s) is not an owner of this ticket"
        case .invalidMoment(let m): return "\(m.debugDescription) is not a date (write YYYY-MM-DD or YYYY-MM-DD HH:MM)"
        case .unknownWaiting(let w): return "cannot wait for \(w.debugDescription): requester, supplier or support"
        case .notHeld(let id): return "notification \(id) is not a staff reply held in the undo window"
        case let .notYourReply(id, who): return "notification \(id) carries \(who)'s words: only its author edits or withdraws it"
        case let .undoWindowClosed(id, until):
            return "the undo window of notification \(id) closed at \(TimeRules.stamp(until, in: .current)): it is sent (or being sent) and stays as it was"
        case .unknownOrganisation(let o): return "no organisation \(o.debugDescription) (suport org list)"
        case .unknownAsset(let a): return "no asset \(a.debugDescription) (suport asset list)"
        case let .unknownCanned(name, q, l, known):
            return "no canned answer \(name.debugDescription) for the \(q) queue in \(l)"
                + (known.isEmpty ? " (there are none: see canned in the operators' guide)" : ": \(known.joined(separator: ", "))")
        case let .commandFailed(line, why): return "the command \(line.debugDescription) cannot be applied: \(why); nothing was sent"
        case let .openTasks(n, open):
            return "#\(n) has tasks not finished: \(open.map { "#\($0)" }.joined(separator: ", ")): close \(open.count == 1 ? "it" : "them") first (an approved close), or use --force"
        case .notATask(let n): return "#\(n) is not a task (suport task add makes one)"
        case .noApprovalPending(let n): return "task #\(n) is not waiting for approval"
        case .invalidReference(let r): return "not a usable reference: \(r.debugDescription) (one line, at most 200 characters)"
        }
    }
}
