import Foundation
import MIME

/// When the desk works: working days and hours in a time zone, and holidays. SLA targets
/// are counted in this time, so a ticket filed on Friday evening is not late on Monday
/// morning. `always` is round-the-clock cover (seed 004's 24×7).
public struct BusinessCalendar: Sendable, Equatable {
    /// A stretch of a working day, in minutes from midnight (local time), `start` < `end`.
    public struct Window: Sendable, Equatable {
        public let start: Int
        public let end: Int

        public init(start: Int, end: Int) {
            self.start = start
            self.end = end
        }

        /// `"09:00-14:00"`; nil when it does not read as a window.
        public init?(_ text: String) {
            let parts = text.split(separator: "-").map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, let a = Self.minutes(parts[0]), let b = Self.minutes(parts[1]), a < b else { return nil }
            start = a
            end = b
        }

        static func minutes(_ hhmm: String) -> Int? {
            let p = hhmm.split(separator: ":")
            guard p.count == 2, let h = Int(p[0]), let m = Int(p[1]), (0...24).contains(h), (0..<60).contains(m), h * 60 + m <= 1440 else { return nil }
            return h * 60 + m
        }
    }

    public let name: String
    public let timeZone: TimeZone
    /// Gregorian weekdays worked: 1 is Sunday, 2 Monday … 7 Saturday.
    public let weekdays: Set<Int>
    public let windows: [Window]
    /// Days not worked, `YYYY-MM-DD` in the calendar's time zone.
    public let holidays: Set<String>
    public let always: Bool
    /// The holidays as days since 1970.
    private let holidayDays: Set<Int>

    public init(name: String, timeZone: TimeZone, weekdays: Set<Int>, windows: [Window], holidays: Set<String> = []) {
        self.name = name
        self.timeZone = timeZone
        self.weekdays = weekdays
        self.windows = windows.sorted { $0.start < $1.start }
        self.holidays = holidays
        holidayDays = Set(holidays.compactMap(Self.days))
        always = false
    }

    /// Round the clock, every day.
    public static func twentyFourSeven(name: String = "24x7") -> BusinessCalendar {
        BusinessCalendar(name: name, always: true)
    }

    private init(name: String, always: Bool) {
        self.name = name
        timeZone = TimeZone(identifier: "UTC")!
        weekdays = Set(1...7)
        windows = [Window(start: 0, end: 1440)]
        holidays = []
        holidayDays = []
        self.always = always
    }

    /// Whether any time is worked at all (a calendar without it would never reach a deadline).
    public var works: Bool { always || (!weekdays.isEmpty && !windows.isEmpty) }

    // The arithmetic is done on days since 1970 in the calendar's local time, with the zone's
    // offset looked up per stretch: Foundation's Calendar costs tens of microseconds a call,
    // and every operation settles a ticket's deadlines.

    /// The local day (days since 1970-01-01) an instant falls on.
    private func localDay(_ t: Date) -> Int {
        let local = t.timeIntervalSince1970 + Double(timeZone.secondsFromGMT(for: t))
        return Int((local / 86_400).rounded(.down))
    }

    /// The instant of a local day's minute; across a change of the clock, the offset in force then.
    private func instant(day: Int, minute: Int) -> Date {
        let local = Double(day) * 86_400 + Double(minute) * 60
        let guess = Date(timeIntervalSince1970: local - Double(timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: local))))
        return Date(timeIntervalSince1970: local - Double(timeZone.secondsFromGMT(for: guess)))
    }

    /// The working stretches of a local day, as instants: none on a day off or a holiday.
    private func stretches(day: Int) -> [(Date, Date)] {
        let weekday = ((day % 7 + 7 + 4) % 7) + 1  // 1970-01-01 was a Thursday (5)
        guard weekdays.contains(weekday), !holidayDays.contains(day) else { return [] }
        return windows.map { (instant(day: day, minute: $0.start), instant(day: day, minute: $0.end)) }
    }

    /// `YYYY-MM-DD` of a day since 1970.
    static func dayText(_ days: Int) -> String {
        let (y, m, d) = CivilDate.day(days)
        return digits(y, 4) + "-" + digits(m, 2) + "-" + digits(d, 2)
    }

    /// A number with leading zeros (String(format:) goes through Foundation's formatter, which showed in list pages).
    static func digits(_ n: Int, _ width: Int) -> String {
        let text = String(n)
        return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
    }

    /// Days since 1970-01-01 of a `YYYY-MM-DD` day.
    static func days(_ text: String) -> Int? {
        let p = text.split(separator: "-").compactMap { Int($0) }
        guard p.count == 3 else { return nil }
        return CivilDate.days(year: p[0], month: p[1], day: p[2])
    }

    /// Business seconds between two instants (0 when `to` is not after `from`).
    public func seconds(from: Date, to: Date) -> Int {
        guard to > from else { return 0 }
        if always { return Int(to.timeIntervalSince(from)) }
        var total = 0.0
        let last = localDay(to)
        var day = localDay(from)
        while day <= last, day - localDay(from) < 20_000 {
            for (a, b) in stretches(day: day) {
                let lo = max(a, from), hi = min(b, to)
                if hi > lo { total += hi.timeIntervalSince(lo) }
            }
            day += 1
        }
        return Int(total)
    }

    /// The instant at which `seconds` of business time have passed since `from`. A calendar
    /// that works no time gives the far future.
    public func adding(_ seconds: Int, to from: Date) -> Date {
        if always { return from.addingTimeInterval(Double(seconds)) }
        guard works else { return .distantFuture }
        var left = Double(max(0, seconds))
        let first = localDay(from)
        for day in first..<(first + 20_000) {
            for (a, b) in stretches(day: day) where b > from {
                let lo = max(a, from)
                let span = b.timeIntervalSince(lo)
                if left <= span { return lo.addingTimeInterval(left) }
                left -= span
            }
        }
        return .distantFuture
    }
}
