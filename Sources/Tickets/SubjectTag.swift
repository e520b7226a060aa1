/// The `[suport#n]` tag that ties a subject line to a ticket.
public struct SubjectTag: Sendable, Equatable {
    /// The tag's prefix, "suport" by default; configurable per installation.
    public let prefix: String

    public init(prefix: String = "suport") {
        self.prefix = prefix
    }

    /// The tag to put in outgoing subjects: `[suport#42]`.
    public func tag(for number: Int) -> String { "[\(prefix)#\(number)]" }

    /// The subject with every tag of ours removed (`[suport#3]`, `suport #3`).
    public func removingTags(from subject: String) -> String {
        var out = subject
        while let range = tagRange(in: out) { out.replaceSubrange(range, with: "") }
        return out
    }

    /// The ticket number named in a subject, if any: `[suport#310]`, `suport#310`,
    /// `suport #310`, in any case, anywhere in the subject (the first one wins).
    public func ticketNumber(in subject: String) -> Int? {
        guard let range = tagRange(in: subject) else { return nil }
        let digits = subject[range].reversed().drop(while: { !$0.isNumber }).prefix(while: \.isNumber)
        return Int(String(digits.reversed()))
    }

    /// Where the first tag is: `prefix`, optional spaces, `#`, digits, with surrounding brackets
    /// if any. Anchored at both ends: the prefix starts the subject or follows a space or a
    /// bracket (`[xarxa-suport#1]` is another desk's tag), and the digits end the word
    /// (`[suport#1x]` is not ticket 1).
    func tagRange(in subject: String) -> Range<String.Index>? {
        let chars = Array(subject)
        let p = Array(prefix.lowercased())
        guard !p.isEmpty, chars.count > p.count else { return nil }
        var i = 0
        while i + p.count < chars.count {
            defer { i += 1 }
            guard zip(chars[i..<(i + p.count)], p).allSatisfy({ $0.lowercased() == String($1) }) else { continue }
            // The prefix must not be the tail of a longer word ("mysuport#1", "xarxa-suport#1").
            if i > 0, !(chars[i - 1].isWhitespace || "[(:".contains(chars[i - 1])) { continue }
            var j = i + p.count
            while j < chars.count, chars[j] == " " { j += 1 }
            guard j < chars.count, chars[j] == "#" else { continue }
            j += 1
            let digitsStart = j
            while j < chars.count, chars[j].isASCII, chars[j].isNumber, j - digitsStart < 18 { j += 1 }
            guard j > digitsStart, let n = Int(String(chars[digitsStart..<j])), n > 0 else { continue }
            if j < chars.count, chars[j].isLetter || chars[j].isNumber || chars[j] == "_" { continue }
            var start = i, end = j
            if start > 0, chars[start - 1] == "[", end < chars.count, chars[end] == "]" { start -= 1; end += 1 }
            let lower = subject.index(subject.startIndex, offsetBy: start)
            let upper = subject.index(subject.startIndex, offsetBy: end)
            return lower..<upper
        }
        return nil
    }
}
