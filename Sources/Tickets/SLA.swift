import Foundation

/// A service level: how soon a ticket of a queue (optionally of some types or priorities)
/// gets its first answer and its resolution, in business time of a calendar.
public struct SLAPolicy: Sendable, Equatable {
    public let name: String
    public let queue: String
    /// Types it applies to; empty: any.
    public let types: [String]
    /// Priorities it applies to; nil: any.
    public let priorities: ClosedRange<Int>?
    public let firstResponseMinutes: Int?
    public let resolutionMinutes: Int?
    public let calendar: BusinessCalendar
    /// The share of a target after which the ticket turns yellow (0.75: three quarters used).
    public let warnShare: Double
    /// On red, the ticket also moves up one support level.
    public let escalateOnRed: Bool

    public init(name: String, queue: String, types: [String] = [], priorities: ClosedRange<Int>? = nil, firstResponseMinutes: Int?,
                resolutionMinutes: Int?, calendar: BusinessCalendar, warnShare: Double = 0.75, escalateOnRed: Bool = false) {
        self.name = name
        self.queue = queue
        self.types = types
        self.priorities = priorities
        self.firstResponseMinutes = firstResponseMinutes
        self.resolutionMinutes = resolutionMinutes
        self.calendar = calendar
        self.warnShare = warnShare
        self.escalateOnRed = escalateOnRed
    }

    /// A task answers to its own due date, not to the requesters' service level: only a
    /// policy that names the `task` type measures tasks.
    func applies(to ticket: TicketRecord) -> Bool {
        queue == ticket.queue && (types.isEmpty ? !ticket.isTask : ticket.type.map(types.contains) == true)
            && (priorities?.contains(ticket.priority) ?? true)
    }
}

/// A group of staff at one support level (L0, L1, L2 of seed 004), lowest first.
public struct SupportLevel: Sendable, Equatable {
    public let name: String
    public let staff: [String]

    public init(name: String, staff: [String]) {
        self.name = name
        self.staff = staff
    }
}

/// Green, yellow or red against a ticket's deadlines.
public enum SLAState: String, Sendable, Equatable, CaseIterable {
    case green, yellow, red
}

/// Where a ticket's clock stands: what the store keeps so that lists filter by colour and
/// the scheduler finds what is due without recomputing every ticket.
public struct SLAClock: Sendable, Equatable {
    /// The SLA policy that applies, by name.
    public var policy: String?
    /// Business seconds the clock has been stopped (waiting, stalled, finished), before `pausedSince`.
    public var pausedSeconds = 0
    /// When the clock stopped, while it is stopped.
    public var pausedSince: Date?
    /// When staff first answered the requestor.
    public var firstResponse: Date?
    /// The first-response deadline and when it turns yellow, until staff answer.
    public var responseDue: Date?
    public var responseWarn: Date?
    /// The resolution deadline (staff's due date, else the SLA's) and when it turns yellow.
    public var resolutionDue: Date?
    public var resolutionWarn: Date?
    /// The earliest yellow and red instants of the deadlines that count now: what lists
    /// filter on. While the clock is stopped, only a colour already reached stays.
    public var warnAt: Date?
    public var breachAt: Date?
    /// Reminders already sent for these deadlines: `response-yellow`, `resolution-red`, …
    public var reminded: Set<String> = []

    public init() {}

    /// The colour at `now`; nil when no deadline counts (none set, or the ticket is finished).
    public func state(at now: Date) -> SLAState? {
        if let b = breachAt, b <= now { return .red }
        if let w = warnAt, w <= now { return .yellow }
        return breachAt == nil && warnAt == nil ? nil : .green
    }
}

/// The SLA arithmetic: deadlines from the policy and the calendar, the clock stopped while
/// the ticket waits for the requester or a supplier, is stalled or finished.
public enum SLARules {
    /// The policy for a ticket: the first one of its queue that fits its type and priority.
    public static func policy(for ticket: TicketRecord, in policy: DeskPolicy) -> SLAPolicy? {
        policy.slaPolicies.first { $0.applies(to: ticket) }
    }

    /// The calendar a ticket's deadlines are counted (and written) in: its policy's, else the desk's.
    public static func calendar(of ticket: TicketRecord, in desk: DeskPolicy) -> BusinessCalendar {
        policy(for: ticket, in: desk)?.calendar ?? desk.defaultCalendar
    }

    /// Whether the clock is stopped.
    public static func isPaused(_ t: TicketRecord) -> Bool {
        t.status == .stalled || t.status.isInactive || t.waitingFor?.pausesClock == true
    }

    /// Brings the ticket's clock up to date with what the operation did: the policy that now
    /// applies, the first answer, the time stopped, and the deadlines. Every operation ends
    /// here (`Notices.compose`), so the stored clock is never stale.
    public static func settle(_ op: inout TicketOperation, policy desk: DeskPolicy) {
        guard var t = op.after else { return }
        let before = op.before
        let sla = policy(for: t, in: desk)
        var c = t.sla
        let calendar = sla?.calendar ?? desk.defaultCalendar
        if c.policy != sla?.name || before?.due != t.due || (before?.status.isInactive == true && !t.status.isInactive) {
            c.reminded = []
        }
        c.policy = sla?.name
        if c.firstResponse == nil, op.events.contains(where: { if case .correspondenceOut = $0.event { true } else { false } }) {
            c.firstResponse = op.at
        }
        let paused = isPaused(t)
        if paused, c.pausedSince == nil { c.pausedSince = op.at }
        if !paused, let since = c.pausedSince {
            c.pausedSeconds += calendar.seconds(from: since, to: op.at)
            c.pausedSince = nil
        }
        func deadline(_ minutes: Int, share: Double) -> Date {
            calendar.adding(Int(Double(minutes * 60) * share) + c.pausedSeconds, to: t.created)
        }
        let warn = sla?.warnShare ?? desk.defaultWarnShare
        if c.firstResponse == nil, let m = sla?.firstResponseMinutes {
            c.responseDue = deadline(m, share: 1)
            c.responseWarn = deadline(m, share: warn)
        } else {
            c.responseDue = nil
            c.responseWarn = nil
        }
        if let due = t.due {
            // A date staff promised is kept as it is; it turns yellow when the same share of
            // the business time from filing to it has passed.
            c.resolutionDue = due
            c.resolutionWarn = calendar.adding(Int(Double(calendar.seconds(from: t.created, to: due)) * warn), to: t.created)
        } else if let m = sla?.resolutionMinutes {
            c.resolutionDue = deadline(m, share: 1)
            c.resolutionWarn = deadline(m, share: warn)
        } else {
            c.resolutionDue = nil
            c.resolutionWarn = nil
        }
        let warns = [c.responseWarn, c.resolutionWarn].compactMap { $0 }
        let breaches = [c.responseDue, c.resolutionDue].compactMap { $0 }
        if t.status.isInactive {
            c.warnAt = nil
            c.breachAt = nil
        } else if let since = c.pausedSince, t.due == nil {
            // Stopped: a colour already reached stays; none is reached while it waits.
            c.breachAt = breaches.min().flatMap { $0 <= since ? $0 : nil }
            c.warnAt = warns.min().flatMap { $0 <= since ? $0 : nil }
        } else {
            c.warnAt = warns.min()
            c.breachAt = breaches.min()
        }
        t.sla = c
        op.after = t
    }

    /// The reminder due on a ticket at `now`, if one is: red before yellow, each once per
    /// deadline (`reminded`), only while the clock runs. On red, a policy with
    /// `escalate_on_red` also raises the ticket one support level.
    public static func reminder(for ticket: TicketRecord, policy desk: DeskPolicy, now: Date) -> TicketOperation? {
        guard !ticket.status.isInactive, ticket.sla.pausedSince == nil || ticket.due != nil else { return nil }
        let c = ticket.sla
        var due: (key: String, red: Bool, at: Date)?
        for (name, warnAt, breachAt) in [("response", c.responseWarn, c.responseDue), ("resolution", c.resolutionWarn, c.resolutionDue)] {
            if let b = breachAt, b <= now, !c.reminded.contains("\(name)-red") { due = ("\(name)-red", true, b); break }
            if due == nil, let w = warnAt, w <= now, !c.reminded.contains("\(name)-yellow"), !c.reminded.contains("\(name)-red") {
                due = ("\(name)-yellow", false, breachAt ?? w)
            }
        }
        guard let due else { return nil }
        let sla = policy(for: ticket, in: desk)
        let stamp = TimeRules.stamp(due.at, in: calendar(of: ticket, in: desk).timeZone)
        var op = TicketOperation(before: ticket, actor: .system, at: now)
        op.touches = false
        var t = ticket
        t.sla.reminded.insert(due.key)
        // A red reminder stands for the yellow one too, which is not sent afterwards.
        if due.red { t.sla.reminded.insert(due.key.replacingOccurrences(of: "-red", with: "-yellow")) }
        op.after = t
        let what = due.key.hasPrefix("response") ? "first answer" : "resolution"
        let cause = op.record(HistoryItem(actor: "suport", kind: due.red ? "sla-red" : "sla-yellow", new: what, note: "\(what) due \(stamp)"))
        op.events.append((due.red ? .slaBreached(tell: desk.level(above: ticket.level)?.name) : .slaWarning, cause))
        op.context.dueText = stamp
        op.context.responseDeadline = due.key.hasPrefix("response")
        if due.red, sla?.escalateOnRed == true, let next = desk.level(above: ticket.level) {
            // The red notice goes to the level above already: it is told once, by that notice.
            op.after?.level = next.name
            op.record(HistoryItem(actor: "suport", kind: "level", old: ticket.level ?? desk.levels.first?.name, new: next.name,
                                  note: "the \(what) deadline passed (escalate_on_red)"))
        }
        return op
    }
}
