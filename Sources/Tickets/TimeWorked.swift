import Foundation
import MIME

/// Time a staff member worked on a ticket (seed 000's billable hours).
public struct TimeEntry: Sendable, Equatable {
    public let minutes: Int
    /// The day worked, `YYYY-MM-DD` in the desk's reckoning.
    public let day: String
    /// Nil: as the ticket is (billable or not).
    public let billable: Bool?
    public let note: String?

    public init(minutes: Int, day: String, billable: Bool? = nil, note: String? = nil) {
        self.minutes = minutes
        self.day = day
        self.billable = billable
        self.note = note
    }
}

/// A time entry as the store keeps it.
public struct TimeRecord: Sendable, Equatable {
    public let id: Int64
    public let ticket: Int
    public let staff: String
    public let minutes: Int
    public let day: String
    public let billable: Bool
    public let note: String?

    public init(id: Int64, ticket: Int, staff: String, minutes: Int, day: String, billable: Bool, note: String?) {
        self.id = id
        self.ticket = ticket
        self.staff = staff
        self.minutes = minutes
        self.day = day
        self.billable = billable
        self.note = note
    }
}

/// Durations as staff write them: `1h30m`, `90m`, `1.5h`, `2h`, `45` (minutes), `1:30`.
public enum WorkDuration {
    public static func minutes(_ text: String) -> Int? {
        let t = text.lowercased().filter { !$0.isWhitespace }
        if let n = Int(t) { return n > 0 ? n : nil }
        if let colon = t.firstIndex(of: ":"), let h = Int(t[..<colon]), let m = Int(t[t.index(after: colon)...]), m < 60 {
            return h * 60 + m > 0 ? h * 60 + m : nil
        }
        var total = 0.0
        var number = ""
        var sawUnit = false
        for c in t {
            if c.isNumber || c == "." || c == "," { number.append(c == "," ? "." : c); continue }
            guard let value = Double(number), ["h", "m"].contains(c) else { return nil }
            total += c == "h" ? value * 60 : value
            number = ""
            sawUnit = true
        }
        guard number.isEmpty, sawUnit, total >= 1, total < 100_000 else { return nil }
        return Int(total.rounded())
    }

    /// `1h30m`, `45m`, `2h`.
    public static func text(_ minutes: Int) -> String {
        let h = minutes / 60, m = minutes % 60
        return h == 0 ? "\(m)m" : m == 0 ? "\(h)h" : "\(h)h\(m)m"
    }
}

public enum TimeRules {
    /// The day a moment falls on, `YYYY-MM-DD`, in the server's time zone (the desk's reckoning).
    public static func day(_ date: Date, in zone: TimeZone = .current) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let c = calendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", c.year ?? 0, c.month ?? 0, c.day ?? 0)
    }

    /// A moment as staff read a deadline: `2026-12-03 17:00 Europe/Madrid`, in the given zone
    /// (named by its identifier: abbreviations differ between platforms, "CET" or "GMT+1").
    public static func stamp(_ date: Date, in zone: TimeZone) -> String {
        // Arithmetic on the local seconds: Foundation's Calendar costs tens of microseconds,
        // and every notice shows its ticket's deadline.
        let local = Int((date.timeIntervalSince1970 + Double(zone.secondsFromGMT(for: date))).rounded(.down))
        let day = local >= 0 ? local / 86_400 : (local - 86_399) / 86_400
        let minute = (local - day * 86_400) / 60
        return BusinessCalendar.dayText(day) + " " + BusinessCalendar.digits(minute / 60, 2) + ":" + BusinessCalendar.digits(minute % 60, 2) + " "
            + zone.identifier
    }

    /// A deadline as staff write it: `YYYY-MM-DD` (the end of that working day, 23:59 in the
    /// zone), or `YYYY-MM-DD HH:MM` / `YYYY-MM-DDTHH:MM`, local to the zone.
    public static func moment(_ text: String, in zone: TimeZone) -> Date? {
        let t = text.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "T", with: " ")
        let parts = t.split(separator: " ")
        guard (1...2).contains(parts.count), isDay(String(parts[0])) else { return nil }
        let d = parts[0].split(separator: "-").compactMap { Int($0) }
        var c = DateComponents(year: d[0], month: d[1], day: d[2], hour: 23, minute: 59)
        if parts.count == 2 {
            let hm = parts[1].split(separator: ":").compactMap { Int($0) }
            guard hm.count == 2, (0..<24).contains(hm[0]), (0..<60).contains(hm[1]) else { return nil }
            c.hour = hm[0]
            c.minute = hm[1]
        }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        return calendar.date(from: c)
    }

    /// `YYYY-MM-DD`, a real day.
    public static func isDay(_ text: String) -> Bool {
        let parts = text.split(separator: "-")
        guard parts.count == 3, parts[0].count == 4, let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]),
              (1...12).contains(m), (1...31).contains(d) else { return false }
        // A real day comes back as itself; 2026-02-30 comes back as March the 2nd.
        return CivilDate.day(CivilDate.days(year: y, month: m, day: d)) == (y, m, d)
    }
}
