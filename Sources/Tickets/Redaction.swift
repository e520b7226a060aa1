import Foundation

/// A kind of sensitive data masked where it leaves the store (notifications, later the web
/// desk): a pattern, an optional check that tells real data from look-alikes, and how the
/// masked form looks. The stored text and the raw message stay as they were.
public struct RedactionRule: Sendable, Equatable {
    public enum Check: String, Sendable, Equatable {
        /// Only what the pattern says.
        case none
        /// ISO 13616: the IBAN's mod-97 checksum.
        case iban
        /// A payment card number's Luhn digit.
        case luhn
        /// A Spanish DNI's or NIE's check letter.
        case dni
    }

    public let name: String
    /// A case-insensitive regular expression; with `group`, only that capture group is masked.
    public let pattern: String
    public let group: Int
    public let check: Check
    /// The masked form, for rules without a shape of their own (a fixed text).
    public let replacement: String?
    /// Staff of these queues read the data unmasked (treasury reads IBANs).
    public var allowedQueues: [String]

    public init(name: String, pattern: String, group: Int = 0, check: Check = .none, replacement: String? = nil,
                allowedQueues: [String] = []) {
        self.name = name
        self.pattern = pattern
        self.group = group
        self.check = check
        self.replacement = replacement
        self.allowedQueues = allowedQueues
    }

    /// The rules Suport ships, by name: `iban`, `card`, `dni` (with NIE), `password`.
    public static let shipped: [RedactionRule] = [
        RedactionRule(name: "iban", pattern: #"\b[A-Z]{2}[0-9]{2}(?:[ -]?[A-Z0-9]){11,30}\b"#, check: .iban),
        RedactionRule(name: "card", pattern: #"\b[0-9](?:[ -]?[0-9]){12,18}\b"#, check: .luhn),
        RedactionRule(name: "dni", pattern: #"\b[XYZ0-9][0-9]{7}[ -]?[A-Z]\b"#, check: .dni),
        RedactionRule(name: "password", pattern: #"\b(?:password|passwd|contrasenya|contraseña|clau|clave)\s*[:=]\s*(\S+)"#,
                      group: 1, replacement: "********"),
    ]

    /// The text with every match of this rule masked.
    public func mask(_ text: String) -> String {
        guard let compiled = Pattern.named(pattern) else { return text }
        var out = text
        // From the end, so earlier ranges stay valid.
        for match in compiled.matchRanges(in: text, group: group).reversed() {
            let found = String(text[match])
            guard passes(found) else { continue }
            out.replaceSubrange(match, with: masked(found))
        }
        return out
    }

    private func passes(_ value: String) -> Bool {
        let compact = value.filter { $0.isLetter || $0.isNumber }.uppercased()
        switch check {
        case .none: return true
        case .iban: return Self.ibanIsValid(compact)
        case .luhn: return Self.luhnIsValid(compact)
        case .dni: return Self.dniIsValid(compact)
        }
    }

    /// `ES91 **** **** **** **** 1332`: the country, the check digits and the last four.
    private func masked(_ value: String) -> String {
        if let replacement { return replacement }
        let compact = value.filter { $0.isLetter || $0.isNumber }.uppercased()
        switch check {
        case .iban:
            return Self.inFours(compact.prefix(4) + String(repeating: "*", count: max(0, compact.count - 8)) + compact.suffix(4))
        case .luhn:
            return Self.inFours(String(repeating: "*", count: max(0, compact.count - 4)) + compact.suffix(4))
        case .dni:
            return String(repeating: "*", count: max(0, compact.count - 4)) + compact.suffix(4)
        case .none:
            return String(repeating: "*", count: max(4, min(12, value.count)))
        }
    }

    /// Groups of four, as IBANs and card numbers are written.
    private static func inFours(_ s: String) -> String {
        s.enumerated().map { $0.offset > 0 && $0.offset % 4 == 0 ? " \($0.element)" : "\($0.element)" }.joined()
    }

    /// ISO 13616 / ISO 7064 mod 97-10: the first four characters moved to the end, letters as
    /// 10–35, the number mod 97 is 1.
    static func ibanIsValid(_ iban: String) -> Bool {
        guard (15...34).contains(iban.count), iban.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else { return false }
        var remainder = 0
        for c in iban.dropFirst(4) + iban.prefix(4) {
            let value = c.isNumber ? Int(String(c))! : Int(c.asciiValue! - 55)
            remainder = (value > 9 ? remainder * 100 + value : remainder * 10 + value) % 97
        }
        return remainder == 1
    }

    /// The Luhn check of a 13–19 digit card number.
    static func luhnIsValid(_ number: String) -> Bool {
        guard (13...19).contains(number.count), number.allSatisfy(\.isNumber) else { return false }
        var sum = 0
        for (i, c) in number.reversed().enumerated() {
            var d = Int(String(c))!
            if i % 2 == 1 { d *= 2; if d > 9 { d -= 9 } }
            sum += d
        }
        return sum % 10 == 0
    }

    /// A DNI's letter is its number mod 23 in "TRWAGMYFPDXBNJZSQVHLCKE"; a NIE's X, Y, Z count as 0, 1, 2.
    static func dniIsValid(_ id: String) -> Bool {
        guard id.count == 9, let letter = id.last, letter.isLetter else { return false }
        var digits = String(id.dropLast())
        if let first = digits.first, let index = "XYZ".firstIndex(of: first) {
            digits = String("XYZ".distance(from: "XYZ".startIndex, to: index)) + digits.dropFirst()
        }
        guard digits.allSatisfy(\.isNumber), let n = Int(digits) else { return false }
        let letters = Array("TRWAGMYFPDXBNJZSQVHLCKE")
        return letters[n % 23] == letter
    }
}

/// The rules in force, and who reads what unmasked.
public struct Redaction: Sendable, Equatable {
    public var rules: [RedactionRule]

    public init(rules: [RedactionRule] = RedactionRule.shipped) {
        self.rules = rules
    }

    /// The text as this reader may see it: every rule masked but those the reader's queues are
    /// allowed (`allowed(_:)` says, per rule, whether the reader may read it).
    public func mask(_ text: String, allowed: (RedactionRule) -> Bool) -> String {
        rules.reduce(text) { text, rule in allowed(rule) ? text : rule.mask(text) }
    }
}
