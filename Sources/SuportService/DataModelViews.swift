import Foundation
import MIME
import Tickets
import TicketStore

extension Desk {
    /// The desk at a glance: every configured queue, in the configuration's order, even an
    /// empty one; hours from the first of this month in the desk's zone.
    public func dashboard(now: Date = Date()) throws -> Dashboard {
        let today = TimeRules.day(now, in: policy.displayZone)
        let counted = try store.dashboard(now: now, monthStart: String(today.prefix(8)) + "01")
        return Dashboard(queues: policy.queues.map { q in counted.queues.first { $0.name == q.name } ?? Dashboard.Queue(name: q.name) })
    }
}

extension Views {
    public static func json(_ o: Organisation) -> JSONValue {
        .object([("name", .string(o.name)), ("contact", .string(o.contact)), ("notes", .string(o.notes)),
                 ("domains", .array(o.domains.map { .string($0) })), ("members", .array(o.members.map { .string($0) }))])
    }

    public static func json(_ a: Asset) -> JSONValue {
        .object([("name", .string(a.name)), ("kind", .string(a.kind)), ("organisation", .string(a.organisation)),
                 ("location", .string(a.location)), ("notes", .string(a.notes))])
    }

    public static func json(_ d: Dashboard) -> JSONValue {
        .array(d.queues.map { q in
            .object([
                ("queue", .string(q.name)),
                ("byStatus", .object(Status.allCases.map { ($0.rawValue, .int(q.byStatus[$0.rawValue] ?? 0)) })),
                ("unownedNew", .int(q.unownedNew)), ("yellow", .int(q.yellow)), ("red", .int(q.red)),
                ("waiting", .object(WaitingFor.allCases.map { ($0.rawValue, .int(q.waiting[$0.rawValue] ?? 0)) })),
                ("oldestWaiting", q.oldestWaiting.map { .object([("number", .int($0.number)), ("since", .string(time($0.since)))]) } ?? .null),
                ("minutesThisMonth", .int(q.minutesThisMonth)),
            ])
        })
    }

    public static func dashboard(_ d: Dashboard, tag: SubjectTag) -> String {
        let statuses = Status.allCases
        return table(["QUEUE"] + statuses.map { $0.rawValue.uppercased() } + ["UNOWNED", "YELLOW", "RED", "WAIT-REQ", "WAIT-SUP", "OLDEST", "HOURS"],
                     d.queues.map { q in
            [q.name] + statuses.map { String(q.byStatus[$0.rawValue] ?? 0) }
                + [String(q.unownedNew), String(q.yellow), String(q.red), String(q.waiting["requester"] ?? 0), String(q.waiting["supplier"] ?? 0),
                   q.oldestWaiting.map { "\(tag.tag(for: $0.number)) since \(time($0.since).prefix(10))" } ?? "-",
                   WorkDuration.text(q.minutesThisMonth)]
        })
    }
}
