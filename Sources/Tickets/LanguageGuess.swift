import Foundation
import MIME

/// Which of the desk's languages a person writes in: their `Content-Language`, else the
/// words they use. Only words one language has and the others lack count, so "de", "la"
/// or "no" decide nothing; too few of them, and there is no guess (the queue's stands).
public enum LanguageGuess {
    static let words: [Language: Set<String>] = [
        .ca: ["i", "amb", "els", "les", "és", "per", "us", "aquest", "aquesta", "això", "però", "molt", "gràcies", "bon", "dia", "meu",
              "meva", "perquè", "també", "tinc", "fa", "heu", "som", "vostre", "vostra", "avui", "ahir", "funciona", "gens", "res", "sóc"],
        .es: ["y", "con", "los", "las", "por", "está", "pero", "muy", "gracias", "buenos", "mi", "porque", "también", "tengo", "hace",
              "usted", "ustedes", "hoy", "ayer", "nada", "soy", "estoy", "hola", "días", "su", "nuestro"],
        .en: ["the", "and", "to", "of", "is", "it", "you", "that", "for", "with", "not", "this", "please", "thanks", "hello", "my", "we",
              "our", "have", "since", "does", "doesn't", "can't", "would", "could", "after"],
    ]

    /// The language of a message, if it can be told.
    public static func language(of message: Message) -> Language? {
        if let declared = message.header["Content-Language"].flatMap(declaredLanguage) { return declared }
        return language(ofText: message.text ?? "")
    }

    /// `ca`, `es-ES`, `en-GB, ca`: the first of ours.
    static func declaredLanguage(_ value: String) -> Language? {
        for tag in value.split(separator: ",") {
            let primary = tag.trimmingCharacters(in: .whitespaces).lowercased().split(separator: "-").first.map(String.init) ?? ""
            if let l = Language(rawValue: primary) { return l }
        }
        return nil
    }

    /// The language most of the text's telling words belong to: at least three of them, and
    /// twice as many as any other language's.
    public static func language(ofText text: String) -> Language? {
        var counts: [Language: Int] = [:]
        // The writer's own words (quoted lines are someone else's), from the first 4,000
        // characters: enough to tell, and a long message costs no more.
        var word = ""
        func count() {
            if !word.isEmpty {
                let w = word.lowercased()
                for (language, set) in words where set.contains(w) { counts[language, default: 0] += 1 }
            }
            word = ""
        }
        var quoted = false, lineStart = true
        for scalar in text.unicodeScalars.prefix(4_000) {
            if lineStart { quoted = scalar == ">"; lineStart = false }
            if scalar == "\n" { count(); lineStart = true; continue }
            if quoted { continue }
            let letter = scalar.isASCII ? (0x61...0x7A).contains(scalar.value | 0x20) : scalar.properties.isAlphabetic  // | 0x20: lowercase
            if letter || scalar == "'" || scalar == "·" { word.unicodeScalars.append(scalar) } else { count() }
        }
        count()
        guard let (best, n) = counts.max(by: { $0.value < $1.value }), n >= 3,
              counts.filter({ $0.key != best }).allSatisfy({ $0.value * 2 <= n }) else { return nil }
        return best
    }
}
