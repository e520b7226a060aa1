/// Ticket titles from subjects.
public enum Title {
    /// Reply and forward prefixes in the languages our requesters write in.
    static let prefixes = ["re", "aw", "fwd", "fw", "rv", "resp", "enc", "tr", "sv", "vs", "wg", "r", "ref"]

    /// The subject without the tag and any run of `Re:`/`RE:`/`AW:`/`Fwd:`/`RV:`/`Resp:`/`Enc:`
    /// prefixes (also `Re[2]:`), whitespace collapsed; "(no subject)" when nothing is left.
    public static func from(subject: String?, tag: SubjectTag) -> String {
        var s = tag.removingTags(from: subject ?? "")
        while true {
            let trimmed = s.drop(while: { $0 == " " || $0 == "\t" })
            guard let colon = trimmed.firstIndex(of: ":") else { s = String(trimmed); break }
            var word = trimmed[..<colon].lowercased()
            if let bracket = word.firstIndex(of: "["), word.hasSuffix("]") { word = String(word[..<bracket]) }  // Re[2]
            guard prefixes.contains(word.trimmingSpaces()) else { s = String(trimmed); break }
            s = String(trimmed[trimmed.index(after: colon)...])
            s = tag.removingTags(from: s)
        }
        let collapsed = s.split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ")
        return collapsed.isEmpty ? "(no subject)" : collapsed
    }
}

extension StringProtocol {
    func trimmingSpaces() -> String {
        var s = Substring(self)
        while s.first?.isWhitespace == true { s = s.dropFirst() }
        while s.last?.isWhitespace == true { s = s.dropLast() }
        return String(s)
    }
}
