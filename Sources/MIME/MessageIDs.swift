/// RFC 5322 §3.6.4 identification fields: Message-ID, In-Reply-To, References.
public enum MessageIDs {
    /// Every `<id>` in a field, without the brackets, in order. Fields written without
    /// brackets (some old clients) fall back to the whitespace-separated words holding an "@".
    public static func list(_ value: String?) -> [String] {
        guard let value else { return [] }
        var ids: [String] = []
        var seen: Set<String> = []
        var rest = Substring(value)
        while let open = rest.firstIndex(of: "<") {
            let after = rest[rest.index(after: open)...]
            guard let close = after.firstIndex(of: ">") else { break }
            let id = strip(String(after[..<close]))
            if !id.isEmpty && seen.insert(id).inserted { ids.append(id) }
            rest = after[after.index(after: close)...]
        }
        if ids.isEmpty {
            for word in value.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "," }) where word.contains("@") {
                let id = strip(String(word))
                if seen.insert(id).inserted { ids.append(id) }
            }
        }
        return ids
    }

    /// An id without angle brackets, whitespace or comments.
    public static func strip(_ value: String) -> String {
        var s = value
        if let paren = s.firstIndex(of: "("), s.contains(")") { s = String(s[..<paren]) }
        s.removeAll { $0 == "<" || $0 == ">" || $0.isWhitespace }
        return s
    }
}
