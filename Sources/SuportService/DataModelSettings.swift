import Foundation
import Tickets

/// The configuration of the desk's data model: calendars, service levels, support levels,
/// per-queue types and custom fields, asset kinds and saved views.
enum DataModelSettings {
    /// `[calendars.NAME]`: when the desk works.
    struct CalendarEntry: Decodable {
        let timeZone: String
        let days: [String]?
        let hours: [String]?
        let holidays: [String]?

        enum CodingKeys: String, CodingKey { case timeZone = "time_zone", days, hours, holidays }
    }

    /// `[[sla]]`: targets for a queue, optionally by type and priority.
    struct SLAEntry: Decodable {
        let name: String
        let queue: String
        let types: [String]?
        let priorities: String?
        let firstResponse: String?
        let resolution: String?
        let calendar: String?
        let yellowAt: Double?
        let escalateOnRed: Bool?

        enum CodingKeys: String, CodingKey {
            case name, queue, types, priorities, firstResponse = "first_response", resolution, calendar, yellowAt = "yellow_at"
            case escalateOnRed = "escalate_on_red"
        }
    }

    /// `[[levels]]`: a support level and its staff, lowest first.
    struct LevelEntry: Decodable {
        let name: String
        let staff: [String]
    }

    /// `[[queues.fields]]`: a custom field.
    struct FieldEntry: Decodable {
        let name: String
        let kind: String
        let choices: [String]?
    }

    static let weekdays = ["sun": 1, "mon": 2, "tue": 3, "wed": 4, "thu": 5, "fri": 6, "sat": 7]

    static func calendars(_ entries: [String: CalendarEntry]?, fail: (String, String) -> ConfigError) throws(ConfigError) -> [String: BusinessCalendar] {
        var out = ["24x7": BusinessCalendar.twentyFourSeven()]
        for (name, c) in entries ?? [:] {
            let key = "calendars.\(name)"
            guard let zone = TimeZone(identifier: c.timeZone) else { throw fail("\(key).time_zone", "\(c.timeZone.quoted) is not a time zone (e.g. Europe/Madrid)") }
            var days: Set<Int> = []
            for d in c.days ?? ["mon", "tue", "wed", "thu", "fri"] {
                guard let n = weekdays[d.lowercased().prefix(3).description] else { throw fail("\(key).days", "\(d.quoted) is not a weekday (mon … sun)") }
                days.insert(n)
            }
            var windows: [BusinessCalendar.Window] = []
            for h in c.hours ?? ["09:00-17:00"] {
                guard let w = BusinessCalendar.Window(h) else { throw fail("\(key).hours", "\(h.quoted) is not a stretch of the day (write \"09:00-14:00\")") }
                windows.append(w)
            }
            for h in c.holidays ?? [] where !TimeRules.isDay(h) { throw fail("\(key).holidays", "\(h.quoted) is not a day (YYYY-MM-DD)") }
            guard !days.isEmpty else { throw fail("\(key).days", "a calendar needs at least one working day") }
            out[name] = BusinessCalendar(name: name, timeZone: zone, weekdays: days, windows: windows, holidays: Set(c.holidays ?? []))
        }
        return out
    }

    static func sla(_ entries: [SLAEntry]?, queues: [Queue], calendars: [String: BusinessCalendar], defaultCalendar: BusinessCalendar,
                    fail: (String, String) -> ConfigError) throws(ConfigError) -> [SLAPolicy] {
        var out: [SLAPolicy] = []
        for (i, e) in (entries ?? []).enumerated() {
            let key = "sla[\(i)]"
            guard let queue = queues.first(where: { $0.name == e.queue }) else { throw fail("\(key).queue", "no queue named \(e.queue)") }
            for t in e.types ?? [] where !queue.types.contains(t) { throw fail("\(key).types", "the \(queue.name) queue has no type \(t.quoted)") }
            var range: ClosedRange<Int>? = nil
            if let p = e.priorities {
                let b = p.split(separator: "-").compactMap { Int($0) }
                guard (1...2).contains(b.count), let lo = b.first, let hi = b.last, lo <= hi, (0...10).contains(lo), (0...10).contains(hi) else {
                    throw fail("\(key).priorities", "write N or A-B within 0-10, as in \"7-10\"")
                }
                range = lo...hi
            }
            func minutes(_ text: String?, _ field: String) throws(ConfigError) -> Int? {
                guard let text else { return nil }
                guard let m = WorkDuration.minutes(text) else { throw fail("\(key).\(field)", "\(text.quoted) is not a duration (write 4h, 1h30m, 90m)") }
                return m
            }
            let response = try minutes(e.firstResponse, "first_response")
            let resolution = try minutes(e.resolution, "resolution")
            guard response != nil || resolution != nil else { throw fail(key, "needs first_response, resolution or both") }
            var calendar = defaultCalendar
            if let c = e.calendar {
                guard let found = calendars[c] else { throw fail("\(key).calendar", "no calendar \(c.quoted) under [calendars] (or \"24x7\")") }
                calendar = found
            }
            let share = e.yellowAt ?? 0.75
            guard share > 0, share < 1 else { throw fail("\(key).yellow_at", "must be a share between 0 and 1, as 0.75") }
            out.append(SLAPolicy(name: e.name, queue: e.queue, types: e.types ?? [], priorities: range, firstResponseMinutes: response,
                                 resolutionMinutes: resolution, calendar: calendar, warnShare: share, escalateOnRed: e.escalateOnRed ?? false))
        }
        return out
    }

    static func levels(_ entries: [LevelEntry]?, staff: [String: Staff], fail: (String, String) -> ConfigError) throws(ConfigError) -> [SupportLevel] {
        var out: [SupportLevel] = []
        for (i, e) in (entries ?? []).enumerated() {
            for s in e.staff where staff[s] == nil { throw fail("levels[\(i)].staff", "no staff member \(s.quoted) under [staff]") }
            out.append(SupportLevel(name: e.name, staff: e.staff))
        }
        return out
    }

    static func fields(_ entries: [FieldEntry]?, key: String, fail: (String, String) -> ConfigError) throws(ConfigError) -> [CustomField] {
        var out: [CustomField] = []
        for (i, e) in (entries ?? []).enumerated() {
            let kind: CustomField.Kind
            switch e.kind {
            case "text": kind = .text
            case "number": kind = .number
            case "date": kind = .date
            case "choice":
                guard let choices = e.choices, !choices.isEmpty else { throw fail("\(key).fields[\(i)].choices", "a choice field needs its choices") }
                kind = .choice(choices)
            default: throw fail("\(key).fields[\(i)].kind", "must be text, number, date or choice, not \(e.kind.quoted)")
            }
            guard !e.name.isEmpty, e.name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }) else {
                throw fail("\(key).fields[\(i)].name", "use letters, digits, '-' or '_'")
            }
            out.append(CustomField(name: e.name, kind: kind))
        }
        return out
    }
}
