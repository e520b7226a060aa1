/// The `[suport#n]` tag that ties a subject line to a ticket.
public struct SubjectTag: Sendable, Equatable {
    /// The tag's prefix, "suport" by default; configurable per installation.
    public let prefix: String

    public init(prefix: String = "suport") {
        self.prefix = prefix
    }

    /// The tag to put in outgoing subjects: `[suport#42]`.
    public func tag(for number: Int) -> String { "[\(prefix)#\(number)]" }

    /// The ticket number named in a subject, if any: `[suport#310]`, `suport#310`,
    /// `suport #310`, in any case, anywhere in the subject (the first one wins).
    public func ticketNumber(in subject: String) -> Int? {
        let s = Array(subject.lowercased().unicodeScalars)
        let p = Array(prefix.lowercased().unicodeScalars)
        guard !p.isEmpty, s.count > p.count else { return nil }
        var i = 0
        while i + p.count < s.count {
            defer { i += 1 }
            guard Array(s[i..<(i + p.count)]) == p else { continue }
            // The prefix must not be the tail of a longer word ("mysuport#1").
            if i > 0, s[i - 1].properties.isAlphabetic || ("0"..."9").contains(s[i - 1]) { continue }
            var j = i + p.count
            while j < s.count, s[j] == " " { j += 1 }
            guard j < s.count, s[j] == "#" else { continue }
            j += 1
            var digits = ""
            while j < s.count, ("0"..."9").contains(s[j]), digits.count < 18 { digits.unicodeScalars.append(s[j]); j += 1 }
            if let n = Int(digits), n > 0 { return n }
        }
        return nil
    }
}
