import Foundation

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

    public init(name: String, timeZone: TimeZone, weekdays: Set<Int>, windows: [Window], holidays: Set<String> = []) {
        self.name = name
        self.timeZone = timeZone
        self.weekdays = weekdays
        self.windows = windows.sorted { $0.start < $1.start }
        self.holidays = holidays
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
        self.always = always
    }

    /// Whether any time is worked at all (a calendar without it would never reach a deadline).
    public var works: Bool { always || (!weekdays.isEmpty && !windows.isEmpty) }

    private var gregorian: Calendar {
        var c = Calendar(identifier: .gregorian)
        c.timeZone = timeZone
        return c
    }

    /// The working stretches of the day that `day` falls in, as instants (a day that changes
    /// its clock keeps its working hours in local time).
    private func stretches(ofDayContaining day: Date, _ calendar: Calendar) -> [(Date, Date)] {
        let start = calendar.startOfDay(for: day)
        let weekday = calendar.component(.weekday, from: start)
        guard weekdays.contains(weekday), !holidays.contains(TimeRules.day(start, in: timeZone)) else { return [] }
        let c = calendar.dateComponents([.year, .month, .day], from: start)
        func instant(_ minutes: Int) -> Date {
            if minutes >= 1440 { return calendar.date(byAdding: .day, value: 1, to: start) ?? start.addingTimeInterval(86_400) }
            var d = c
            d.hour = minutes / 60
            d.minute = minutes % 60
            return calendar.date(from: d) ?? start.addingTimeInterval(Double(minutes) * 60)
        }
        return windows.map { (instant($0.start), instant($0.end)) }
    }

    /// The day after the one `day` falls in, at its start.
    private func nextDay(_ day: Date, _ calendar: Calendar) -> Date {
        calendar.date(byAdding: .day, value: 1, to: calendar.startOfDay(for: day)) ?? day.addingTimeInterval(86_400)
    }

    /// Business seconds between two instants (0 when `to` is not after `from`).
    public func seconds(from: Date, to: Date) -> Int {
        guard to > from else { return 0 }
        if always { return Int(to.timeIntervalSince(from)) }
        let calendar = gregorian
        var total = 0.0
        var day = from
        var guardDays = 0
        while day < to, guardDays < 20_000 {
            for (a, b) in stretches(ofDayContaining: day, calendar) {
                let lo = max(a, from), hi = min(b, to)
                if hi > lo { total += hi.timeIntervalSince(lo) }
            }
            day = nextDay(day, calendar)
            guardDays += 1
        }
        return Int(total)
    }

    /// The instant at which `seconds` of business time have passed since `from`. A calendar
    /// that works no time gives the far future.
    public func adding(_ seconds: Int, to from: Date) -> Date {
        if always { return from.addingTimeInterval(Double(seconds)) }
        guard works else { return .distantFuture }
        let calendar = gregorian
        var left = Double(max(0, seconds))
        var day = from
        for _ in 0..<20_000 {
            for (a, b) in stretches(ofDayContaining: day, calendar) where b > from {
                let lo = max(a, from)
                let span = b.timeIntervalSince(lo)
                if left <= span { return lo.addingTimeInterval(left) }
                left -= span
            }
            day = nextDay(day, calendar)
        }
        return .distantFuture
    }
}
