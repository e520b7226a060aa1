import Foundation

/// RFC 5322 §3.3 and §4.3 dates, read leniently into a UTC instant.
enum DateParser {
    private static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]

    /// §4.3 obsolete zone names, and a few that clients still write.
    private static let zones: [String: Int] = [
        "ut": 0, "utc": 0, "gmt": 0, "z": 0, "est": -500, "edt": -400, "cst": -600, "cdt": -500,
        "mst": -700, "mdt": -600, "pst": -800, "pdt": -700, "cet": 100, "cest": 200, "met": 100,
        "mest": 200, "bst": 100, "eet": 200, "eest": 300, "wet": 0, "west": 100,
    ]

    private enum Token { case word(String), number(String), time([Int]), zone(Int) }

    /// `[day-of-week ","] day month year hour ":" minute [":" second] zone`, with two- and
    /// three-digit years, missing seconds, zone names, comments, dashes and the ISO order
    /// some scripts write. Nil when no date can be read.
    static func parse(_ value: String) -> Date? {
        let tokens = tokenize(value)
        var day: Int?, month: Int?, year: Int?
        var time: [Int] = []
        var offset: Int? = nil
        var numbers: [String] = []
        for token in tokens {
            switch token {
            case .word(let w):
                let lw = w.lowercased()
                if month == nil, lw.count >= 3, let m = months.firstIndex(of: String(lw.prefix(3))) { month = m + 1 }
                else if offset == nil, let z = zones[lw] { offset = z }
                else if offset == nil, lw.count == 1, lw != "t" { offset = 0 }  // military zones: treat as unknown, -0000
            case .number(let n): numbers.append(n)
            case .time(let t): if time.isEmpty { time = t }
            case .zone(let z): if offset == nil { offset = z }
            }
        }
        if month == nil, numbers.count >= 3, numbers[0].count == 4 {
            // 2012-05-03 09:36:43
            year = Int(numbers[0]); month = Int(numbers[1]); day = Int(numbers[2])
        } else {
            for n in numbers {
                guard let v = Int(n) else { continue }
                if day == nil, n.count <= 2, v >= 1, v <= 31 { day = v; continue }
                if year == nil { year = n.count == 2 ? (v < 50 ? 2000 + v : 1900 + v) : n.count == 3 ? 1900 + v : v; continue }
            }
        }
        guard let d = day, let m = month, let y = year, (1...12).contains(m), (1...31).contains(d), (1000...9999).contains(y) else {
            return nil
        }
        let hour = time.count > 0 ? time[0] : 0, minute = time.count > 1 ? time[1] : 0
        let second = time.count > 2 ? min(time[2], 59) : 0
        guard hour <= 24, minute < 60 else { return nil }
        let zone = offset ?? 0
        let zoneSeconds = (zone / 100) * 3600 + (zone % 100) * 60
        let days = CivilDate.days(year: y, month: m, day: d)
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - zoneSeconds
        return Date(timeIntervalSince1970: TimeInterval(seconds))
    }

    private static func tokenize(_ value: String) -> [Token] {
        var tokens: [Token] = []
        let s = Array(value.unicodeScalars)
        var i = 0
        var depth = 0
        var sawTime = false
        while i < s.count {
            let c = s[i]
            if c == "(" { depth += 1; i += 1; continue }
            if c == ")" { depth = max(0, depth - 1); i += 1; continue }
            if depth > 0 { i += 1; continue }
            if (c == "+" || c == "-"), i + 1 < s.count, s[i + 1].properties.numericType != nil, sawTime {
                var j = i + 1
                var digits = ""
                while j < s.count, let v = s[j].properties.numericType, v == .decimal, digits.count < 4 { digits.unicodeScalars.append(s[j]); j += 1 }
                if digits.count == 4, let v = Int(digits) {
                    tokens.append(.zone(c == "-" ? -v : v))
                    i = j
                    continue
                }
            }
            if c.properties.isAlphabetic && c.isASCII {
                var w = ""
                while i < s.count, s[i].properties.isAlphabetic, s[i].isASCII { w.unicodeScalars.append(s[i]); i += 1 }
                tokens.append(.word(w))
                continue
            }
            if ("0"..."9").contains(c) {
                var w = ""
                while i < s.count, ("0"..."9").contains(s[i]) || s[i] == ":" || s[i] == "." && w.contains(":") { w.unicodeScalars.append(s[i]); i += 1 }
                if w.contains(":") {
                    let parts = w.split(separator: ":").map { Int($0.split(separator: ".").first ?? "") ?? 0 }
                    tokens.append(.time(parts))
                    sawTime = true
                } else {
                    tokens.append(.number(w))
                }
                continue
            }
            i += 1
        }
        return tokens
    }
}
