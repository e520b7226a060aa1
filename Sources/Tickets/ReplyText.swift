import Foundation

/// What a reply to a resolved ticket says, for `reopen_on_reply` and approval: whether the
/// requestor's own words (quotes, attribution lines and signature left out) only thank or
/// confirm. Patterns are full lines, case-insensitive, per language; every language's are
/// tried, since a requestor may write in any.
public struct ReplyPatterns: Sendable, Equatable {
    /// Lines that thank or say it works ("moltes gràcies", "ya funciona").
    public var thanks: [Language: [String]]
    /// Lines that approve a resolution explicitly ("OK", "D'acord", "Conforme").
    public var approval: [Language: [String]]
    /// Lines that count neither way: greetings and sign-offs ("Hola Anna", "Salutacions").
    public var courtesy: [Language: [String]]

    public init(thanks: [Language: [String]] = Self.shippedThanks, approval: [Language: [String]] = Self.shippedApproval,
                courtesy: [Language: [String]] = Self.shippedCourtesy) {
        self.thanks = thanks
        self.approval = approval
        self.courtesy = courtesy
    }

    public static let shippedThanks: [Language: [String]] = [
        .ca: [#"(moltes |mil )?(gr[àa]cies|merc[eè]s)( de nou| per tot| per l'ajuda| a tots)?"#, #"(ja )?funciona( b[ée]| perfectament)?( ara)?"#,
              #"(perfecte|genial|fantàstic|fet|solucionat|resolt)"#, #"(ara )?ja (est[àa]|va( b[ée])?)"#],
        .es: [#"(muchas |mil )?gracias( de nuevo| por todo| por la ayuda| a todos)?"#, #"(ya )?funciona( bien| perfectamente)?( ahora)?"#,
              #"(perfecto|genial|estupendo|fant[áa]stico|hecho|solucionado|resuelto)"#, #"(ahora )?ya (est[áa]|va( bien)?)"#],
        .en: [#"(many |big )?(thanks|thank you|thx|cheers)( (so|very) much)?( a lot)?( again)?( for (the|your) help| for everything)?"#,
              #"(it )?works( now| again)?( fine| perfectly| great)?( now)?"#, #"(great|perfect|excellent|awesome|brilliant|sorted|solved|fixed)"#,
              #"(that|this) (did|does) (it|the trick)"#],
    ]

    public static let shippedApproval: [Language: [String]] = [
        .ca: [#"(ok|d'acord|conforme|vist i plau|aprovat|confirmat|confirmo)"#],
        .es: [#"(ok|de acuerdo|conforme|visto bueno|aprobado|confirmado|confirmo)"#],
        .en: [#"(ok|okay|approved|confirmed|i confirm|agreed)"#],
    ]

    public static let shippedCourtesy: [Language: [String]] = [
        .ca: [#"(hola|bon dia|bona tarda|bona nit|benvolguda?)( [\p{L}.]+){0,3}"#, #"(salutacions|una abraçada|cordialment|atentament|fins aviat)"#],
        .es: [#"(hola|buenos d[íi]as|buenas tardes|buenas noches|estimad[oa])( [\p{L}.]+){0,3}"#, #"(saludos|un saludo|un abrazo|cordialmente|atentamente)"#],
        .en: [#"(hi|hello|hey|dear|good (morning|afternoon))( [\p{L}.]+){0,3}"#, #"((best|kind|warm) )?regards|best( wishes)?|cheers"#],
    ]

    /// Whether the text only thanks or says it works.
    public func onlyThanks(_ text: String) -> Bool { only(text, [thanks]) }

    /// Whether the text approves a resolution: an approval line, or only thanks.
    public func approves(_ text: String) -> Bool { only(text, [thanks, approval]) }

    /// Every clause of the own words matches `kinds`, once courtesy lines and a last line
    /// that reads as a name are set aside; a long reply never counts.
    private func only(_ text: String, _ kinds: [[Language: [String]]]) -> Bool {
        let words = ReplyText.ownWords(text)
        guard words.count <= 400 else { return false }
        var lines = words.split(separator: "\n").map { ReplyText.normalized($0) }.filter { !$0.isEmpty }
        lines.removeAll { matchesAny($0, [courtesy]) }
        // A signature: the last line, after something else, a name of up to three words.
        if lines.count > 1, let last = lines.last, !matchesAny(last, kinds), last.split(separator: " ").count <= 3,
           last.allSatisfy({ $0.isLetter || $0 == " " || $0 == "." }) {
            lines.removeLast()
        }
        let clauses = lines.flatMap { $0.split(whereSeparator: { ",.;!?¡¿".contains($0) }) }.map { ReplyText.normalized($0) }.filter { !$0.isEmpty }
        return !clauses.isEmpty && clauses.allSatisfy { matchesAny($0, kinds + [courtesy]) } && clauses.contains { matchesAny($0, kinds) }
    }

    private func matchesAny(_ line: String, _ kinds: [[Language: [String]]]) -> Bool {
        kinds.contains { table in table.values.joined().contains { Pattern.named("^(?:\($0))$")?.matches(line) == true } }
    }

    /// Each pattern as a full line, for the configuration check.
    public static func isValid(_ pattern: String) -> Bool { Pattern.named("^(?:\(pattern))$") != nil }
}

/// The parts of a reply its writer wrote this time.
public enum ReplyText {
    /// The text without quoted lines, the lines that introduce a quote (`On … wrote:`,
    /// `-----Original Message-----`, an Outlook `From:` block) and what follows a signature
    /// separator (`-- `).
    public static func ownWords(_ text: String) -> String {
        var out: [Substring] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.trimmingSpaces()
            let lower = trimmed.lowercased()
            if line == "-- " || line == "--" || lower.hasPrefix("-----original message") || lower.hasPrefix("----- original message")
                || lower.hasPrefix("-----missatge original") || lower.hasPrefix("-----mensaje original")
                || lower.hasPrefix("from: ") || lower.hasPrefix("de: ") || lower.hasPrefix("sent from my") {
                break
            }
            if trimmed.hasPrefix(">") { continue }
            if quoteIntroductions.contains(where: lower.hasSuffix) { continue }
            out.append(line)
        }
        return out.joined(separator: "\n").trimmingSpaces()
    }

    /// How mail clients introduce the quote of the message answered, lowercased endings.
    static let quoteIntroductions = ["wrote:", "escribió:", "va escriure:", "escrigué:", "a écrit :", "a écrit:", "schrieb:"]

    /// Lowercased, single-spaced, without the punctuation people end a line with.
    static func normalized(_ line: Substring) -> String {
        let words = line.lowercased().split(whereSeparator: \.isWhitespace).joined(separator: " ")
        return String(words.trimmingCharacters(in: CharacterSet(charactersIn: " .,;:!¡?¿…)(-*_~").union(.symbols)))
    }
}
