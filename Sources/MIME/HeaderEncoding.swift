/// Writing header values that cannot break the header: every value is made safe here.
///
/// CR, LF, NUL and other control characters never reach the output (they become
/// spaces); text that is not plain printable ASCII goes out as RFC 2047 encoded words;
/// lines are folded at whitespace to 78 characters (RFC 5322 §2.1.1, §2.2.3).
public enum HeaderEncoding {
    /// The longest line we write, CRLF excluded.
    static let lineLimit = 78
    /// RFC 2047 §2: an encoded word is at most 75 characters.
    static let wordLimit = 75

    /// The value with control characters made spaces and the ends trimmed: exactly
    /// what a reader gets back from any header we write with it.
    public static func sanitize(_ value: String) -> String {
        var out = String.UnicodeScalarView()
        for scalar in value.unicodeScalars {
            if scalar.value < 0x20 && scalar != "\t" || scalar.value == 0x7F || scalar == "\u{2028}" || scalar == "\u{2029}" || (0x80...0x9F).contains(scalar.value) {
                out.append(" ")
            } else {
                out.append(scalar)
            }
        }
        return String(out).trimming(" \t")
    }

    /// An unstructured field (Subject, Comments, X-…): ASCII as is, anything else as encoded words.
    static func unstructured(_ value: String) -> String {
        let clean = sanitize(value)
        if isPlainASCII(clean) && !clean.contains("=?") && !clean.split(separator: " ").contains(where: { $0.utf8.count > 900 }) {
            return clean
        }
        return encodedWords(clean)
    }

    /// A display name as a phrase (RFC 5322 §3.2.5): atoms, a quoted string, or encoded words.
    static func phrase(_ value: String) -> String {
        let clean = sanitize(value)
        guard isPlainASCII(clean), !clean.contains("=?") else { return encodedWords(clean) }
        let atomsOnly = clean.split(separator: " ", omittingEmptySubsequences: false).allSatisfy { word in
            !word.isEmpty && word.utf8.allSatisfy(isAtext)
        }
        if atomsOnly { return clean }
        var quoted = "\""
        for c in clean {
            if c == "\"" || c == "\\" { quoted.append("\\") }
            quoted.append(c)
        }
        return quoted + "\""
    }

    /// RFC 5322 §3.2.3 atext.
    private static func isAtext(_ b: UInt8) -> Bool {
        (b >= 0x61 && b <= 0x7A) || (b >= 0x41 && b <= 0x5A) || (b >= 0x30 && b <= 0x39) || "!#$%&'*+-/=?^_`{|}~".utf8.contains(b)
    }

    private static func isPlainASCII(_ s: String) -> Bool {
        s.utf8.allSatisfy { ($0 >= 0x20 && $0 < 0x7F) || $0 == 0x09 }
    }

    /// RFC 2047 §4–5: the whole value as UTF-8 encoded words separated by spaces (which
    /// a reader drops), Q where it stays readable, else B; no character is split.
    static func encodedWords(_ value: String) -> String {
        let bytes = Array(value.utf8)
        let escapes = bytes.filter { !isQSafe($0) }.count
        let useB = escapes * 3 > bytes.count
        var words: [String] = []
        var current: [UInt8] = []
        var currentLength = 0
        let overhead = "=?utf-8?q??=".utf8.count

        func flush() {
            guard !current.isEmpty else { return }
            words.append(useB ? "=?utf-8?b?" + String(decoding: Base64.encode(current, lineLength: nil), as: UTF8.self) + "?="
                              : "=?utf-8?q?" + qEncode(current) + "?=")
            current = []
            currentLength = 0
        }
        for scalar in value.unicodeScalars {
            let encoded = Array(String(scalar).utf8)
            let cost: Int
            if useB {
                cost = ((current.count + encoded.count + 2) / 3) * 4 - currentLength
            } else {
                cost = encoded.reduce(0) { $0 + (isQSafe($1) ? 1 : 3) }
            }
            // The first word shares its line with the field name ("Auto-Submitted: " is 16).
            let limit = words.isEmpty ? lineLimit - 20 : wordLimit
            if currentLength + cost + overhead > limit { flush() }
            current += encoded
            currentLength = useB ? ((current.count + 2) / 3) * 4 : currentLength + cost
        }
        flush()
        return words.joined(separator: " ")
    }

    /// Characters Q may carry literally in any header position (§5 rule 3, the strictest).
    private static func isQSafe(_ b: UInt8) -> Bool {
        (b >= 0x61 && b <= 0x7A) || (b >= 0x41 && b <= 0x5A) || (b >= 0x30 && b <= 0x39) || b == 0x21 || b == 0x2A
            || b == 0x2B || b == 0x2D || b == 0x2F || b == 0x20
    }

    private static let hex = Array("0123456789ABCDEF".utf8)

    private static func qEncode(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        for b in bytes {
            if b == 0x20 { out.append(ASCII.underscore) }
            else if isQSafe(b) { out.append(b) }
            else { out += [ASCII.equals, hex[Int(b >> 4)], hex[Int(b & 15)]] }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// "Name: value" folded at spaces outside quoted strings so that no line passes 78
    /// characters where a space allows it; ends with CRLF. Unfolding gives back the line.
    static func fold(name: String, value: String) -> String {
        let whole = "\(name): \(value)"
        let line = Array(whole.unicodeScalars)
        // Most headers fit on one line.
        if line.count <= lineLimit { return whole + "\r\n" }
        let nameEnd = name.unicodeScalars.count + 1
        var out = ""
        var lineStart = 0      // index in `line` where the current output line starts
        var lastBreak: Int? = nil
        var inQuotes = false
        var i = 0
        var pieces: [Range<Int>] = []
        while i < line.count {
            let c = line[i]
            if c == "\"" && (i == 0 || line[i - 1] != "\\") { inQuotes.toggle() }
            if (c == " " || c == "\t") && !inQuotes && i > lineStart && i > nameEnd { lastBreak = i }
            if i - lineStart >= lineLimit, let b = lastBreak, b > lineStart {
                pieces.append(lineStart..<b)
                lineStart = b
                lastBreak = nil
            }
            i += 1
        }
        pieces.append(lineStart..<line.count)
        for (n, range) in pieces.enumerated() {
            if n > 0 { out += "\r\n" }
            out.unicodeScalars.append(contentsOf: line[range])
        }
        return out + "\r\n"
    }
}
