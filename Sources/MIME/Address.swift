/// A mailbox: an address with an optional display name.
public struct Address: Hashable, Sendable, CustomStringConvertible {
    /// The decoded display name, or nil when there is none.
    public let name: String?
    /// The addr-spec, `local@domain`, as written (RFC 6532 allows UTF-8).
    public let address: String

    public init(name: String? = nil, address: String) {
        self.name = name
        self.address = address
    }

    public var description: String { name.map { "\($0) <\(address)>" } ?? address }

    /// The part after the last "@", lowercased, or "" when there is none.
    public var domain: String {
        guard let at = address.lastIndex(of: "@") else { return "" }
        return address[address.index(after: at)...].lowercased()
    }

    /// Parses an address-list header value (RFC 5322 §3.4): groups are flattened into
    /// their members. Malformed entries are read as well as they can be.
    public static func parseList(_ value: String) -> [Address] {
        AddressParser.parse(value, log: nil)
    }
}

/// RFC 5322 §3.4 address lists, with the obsolete forms of §4.4 and what real senders write.
enum AddressParser {
    private enum Token {
        case word(String, quoted: Bool, spaceBefore: Bool)
        case comment(String)
        case angle(String)
        case special(Unicode.Scalar)
    }

    static func parse(_ value: String, log: DefectLog?) -> [Address] {
        let tokens = tokenize(value, log: log)
        var result: [Address] = []
        var current: [Token] = []
        var inGroup = false
        for token in tokens {
            switch token {
            case .special(","):
                if let a = mailbox(current, log: log) { result.append(a) }
                current = []
            case .special(":") where !inGroup && !current.contains(where: { if case .angle = $0 { return true }; return false }):
                // "group-name:" — the phrase so far names the group, which we drop.
                inGroup = true
                current = []
            case .special(";"):
                if let a = mailbox(current, log: log) { result.append(a) }
                current = []
                inGroup = false
            default:
                current.append(token)
            }
        }
        if let a = mailbox(current, log: log) { result.append(a) }
        return result
    }

    /// One mailbox from its tokens: `[phrase] <addr-spec>`, or a bare addr-spec with an
    /// optional comment as the name, or `Name addr@domain` with the brackets missing.
    private static func mailbox(_ tokens: [Token], log: DefectLog?) -> Address? {
        guard !tokens.isEmpty else { return nil }
        var phrase: [(String, Bool)] = []  // word, spaceBefore
        var quoted: [Bool] = []  // per phrase word: written as a quoted string
        var comments: [String] = []
        var angle: String? = nil
        var afterAngle: [String] = []
        for token in tokens {
            switch token {
            case .word(let w, let q, let space):
                if angle == nil { phrase.append((w, space)); quoted.append(q) } else { afterAngle.append(w) }
            case .comment(let c): comments.append(c)
            case .angle(let a): if angle == nil { angle = a } else { log?.add(.invalidAddress, "two angle addresses") }
            case .special(let s): if angle == nil { phrase.append((String(s), false)); quoted.append(false) }
            }
        }
        let commentName = comments.map { $0.trimming(" \t") }.first { !$0.isEmpty }

        if var spec = angle {
            // obs-route: "<@a.example,@b.example:user@c.example>"
            if spec.hasPrefix("@"), let colon = spec.lastIndex(of: ":") { spec = String(spec[spec.index(after: colon)...]) }
            spec = withoutSpacesOutsideQuotes(spec)
            let name = displayName(phrase, log: log) ?? commentName.map { EncodedWords.decode($0, log: log) }
            if spec.isEmpty {
                log?.add(.invalidAddress, "empty angle address")
                return nil
            }
            return Address(name: name, address: spec)
        }

        // No angle brackets: rebuild whitespace-separated words; "@" joins its neighbours
        // even across spaces ("local @ domain" is obsolete but valid).
        // Each word twice: as an address writes it (a quoted local part keeps its quotes, RFC 5322
        // §3.4.1: `"john smith"@example.org`), and as a name reads it.
        var words: [String] = []
        var names: [String] = []
        var joinNext = false
        for (index, (w, space)) in phrase.enumerated() {
            let written = quoted[index] ? "\"" + w.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\"" : w
            if words.isEmpty || (space && !joinNext && w != "@") {
                words.append(written)
                names.append(w)
            } else {
                words[words.count - 1] += written
                names[names.count - 1] += w
            }
            joinNext = w == "@" && !quoted[index]
        }
        let withAt = words.indices.filter { words[$0].contains("@") }
        if withAt.count == 1, words.count > 1, let at = withAt.first {
            // Brackets missing: "Jane Doe jane@example.org"
            log?.add(.invalidAddress, "missing angle brackets")
            let nameWords = names.indices.filter { $0 != at }.map { (names[$0], true) }
            let bare = words[at].trimming("<>")
            return Address(name: displayName(nameWords, log: log) ?? commentName, address: bare)
        }
        if words.count == 1, let only = words.first {
            // Written the wrong way round: "Support (desk@example.com)" names desk@example.com.
            if !only.contains("@"), let comment = commentName, comment.contains("@"), !comment.contains(where: \.isWhitespace) {
                log?.add(.invalidAddress, "name and address swapped")
                return Address(name: EncodedWords.decode(names[0], log: log), address: comment.trimming("<>"))
            }
            return Address(name: commentName.map { EncodedWords.decode($0, log: log) }, address: only.contains("@") ? only : names[0])
        }
        log?.add(.invalidAddress, words.joined(separator: " "))
        return nil
    }

    /// The phrase as a name: words joined by single spaces, then RFC 2047 words decoded
    /// (which also drops the spaces between adjacent encoded words).
    private static func displayName(_ words: [(String, Bool)], log: DefectLog?) -> String? {
        var joined = ""
        for (word, spaceBefore) in words {
            if spaceBefore && !joined.isEmpty { joined += " " }
            joined += word
        }
        joined = joined.trimming(" \t")
        guard !joined.isEmpty else { return nil }
        let decoded = EncodedWords.decode(joined, log: log).trimming(" \t")
        return decoded.isEmpty ? nil : decoded
    }

    /// An addr-spec without the whitespace around its parts, keeping what is inside quotes.
    private static func withoutSpacesOutsideQuotes(_ spec: String) -> String {
        var out = ""
        var inQuotes = false
        var escaped = false
        for c in spec {
            if inQuotes {
                out.append(c)
                if escaped { escaped = false } else if c == "\\" { escaped = true } else if c == "\"" { inQuotes = false }
            } else if c == "\"" {
                inQuotes = true
                out.append(c)
            } else if !c.isWhitespace {
                out.append(c)
            }
        }
        return out
    }

    private static let specials: Set<Unicode.Scalar> = [",", ";", ":", "@", "<", ">", "(", ")", "\"", "[", "]", "\\"]

    private static func hasClosingQuote(_ s: [Unicode.Scalar], from: Int) -> Bool {
        var i = from
        while i < s.count {
            if s[i] == "\\" { i += 2; continue }
            if s[i] == "\"" { return true }
            i += 1
        }
        return false
    }

    private static func tokenize(_ value: String, log: DefectLog?) -> [Token] {
        let s = Array(value.unicodeScalars)
        var tokens: [Token] = []
        var i = 0
        var space = false
        while i < s.count {
            let c = s[i]
            if c == " " || c == "\t" || c == "\r" || c == "\n" { space = true; i += 1; continue }
            switch c {
            case "\"" where hasClosingQuote(s, from: i + 1):
                var w = ""
                i += 1
                while i < s.count, s[i] != "\"" {
                    if s[i] == "\\", i + 1 < s.count { i += 1 }
                    if s[i] != "\r" && s[i] != "\n" { w.unicodeScalars.append(s[i]) }
                    i += 1
                }
                i += 1
                tokens.append(.word(w, quoted: true, spaceBefore: space))
            case "\"":
                // An unclosed quote would swallow the rest of the list: read on as if it were not there.
                log?.add(.invalidAddress, "unclosed quote")
                i += 1
                continue
            case "(":
                var depth = 0
                var w = ""
                while i < s.count {
                    if s[i] == "\\", i + 1 < s.count { w.unicodeScalars.append(s[i + 1]); i += 2; continue }
                    if s[i] == "(" { depth += 1; if depth == 1 { i += 1; continue } }
                    if s[i] == ")" { depth -= 1; if depth == 0 { i += 1; break } }
                    w.unicodeScalars.append(s[i])
                    i += 1
                }
                tokens.append(.comment(w))
            case "<":
                var w = ""
                i += 1
                while i < s.count, s[i] != ">" {
                    if s[i] == "\"" {  // quoted local part inside brackets
                        w.unicodeScalars.append(s[i]); i += 1
                        while i < s.count, s[i] != "\"" { w.unicodeScalars.append(s[i]); i += 1 }
                        if i < s.count { w.unicodeScalars.append(s[i]) }
                        i += 1
                        continue
                    }
                    w.unicodeScalars.append(s[i])
                    i += 1
                }
                i += 1
                tokens.append(.angle(w))
            case ",", ";", ":", "@":
                tokens.append(c == "@" ? .word("@", quoted: false, spaceBefore: space) : .special(c))
                i += 1
            default:
                // An atom; an encoded word is kept whole even if it holds specials.
                var w = ""
                if c == "=", i + 1 < s.count, s[i + 1] == "?" {
                    var j = i + 2
                    var marks = 0
                    // Bounded: an encoded word is at most 75 characters (RFC 2047 §2); allow generous slack.
                    while j + 1 < s.count, j - i < 1000, !(marks >= 2 && s[j] == "?" && s[j + 1] == "="), s[j] != " " {
                        if s[j] == "?" { marks += 1 }
                        j += 1
                    }
                    if j + 1 < s.count, s[j] == "?", s[j + 1] == "=" {
                        for k in i..<(j + 2) { w.unicodeScalars.append(s[k]) }
                        i = j + 2
                    }
                }
                while i < s.count, !specials.contains(s[i]), s[i] != " ", s[i] != "\t", s[i] != "\r", s[i] != "\n" {
                    w.unicodeScalars.append(s[i])
                    i += 1
                }
                if w.isEmpty { w.unicodeScalars.append(s[i]); i += 1 }  // a stray ">" or "]"
                tokens.append(.word(w, quoted: false, spaceBefore: space))
            }
            space = false
        }
        return tokens
    }
}
