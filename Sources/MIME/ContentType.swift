/// RFC 2045 §5: a media type with its parameters.
public struct ContentType: Equatable, Sendable {
    /// Lowercased top-level type, e.g. "text".
    public let type: String
    /// Lowercased subtype, e.g. "plain".
    public let subtype: String
    /// Parameters by lowercased name, RFC 2231 continuations joined and decoded.
    public let parameters: [String: String]

    public init(type: String, subtype: String, parameters: [String: String] = [:]) {
        self.type = type
        self.subtype = subtype
        self.parameters = parameters
    }

    /// "type/subtype".
    public var mimeType: String { "\(type)/\(subtype)" }
    public var isMultipart: Bool { type == "multipart" }
    public var charset: String? { parameters["charset"] }

    /// RFC 2045 §5.2 default; the implied us-ascii charset is left out so that 8-bit text is guessed, not forced.
    static let textPlain = ContentType(type: "text", subtype: "plain")
    static let messageRFC822 = ContentType(type: "message", subtype: "rfc822")

    /// RFC 2045 §5.1: `type "/" subtype *(";" parameter)`, read leniently. A value that
    /// cannot be read gives `fallback` (text/plain, or message/rfc822 inside a digest) and a defect.
    static func parse(_ value: String?, fallback: ContentType, log: DefectLog) -> ContentType {
        guard let value, !value.allSatisfy(\.isWhitespace) else { return fallback }
        let (head, parameters) = Parameters.split(withSemicolonRestored(value, log: log), log: log)
        let pieces = head.split(separator: "/", maxSplits: 1).map { String($0).trimming(" \t").lowercased() }
        guard pieces.count == 2, isToken(pieces[0]), isToken(pieces[1]) else {
            // "text" alone, or garbage: keep the charset if one was given.
            log.add(.malformedContentType, value)
            if pieces.first == "text" || pieces.isEmpty || !isToken(pieces[0]) {
                var p = fallback.parameters
                if let charset = parameters["charset"] { p["charset"] = charset }
                return ContentType(type: fallback.type, subtype: fallback.subtype, parameters: p)
            }
            return fallback
        }
        return ContentType(type: pieces[0], subtype: pieces[1], parameters: parameters)
    }

    /// `multipart/mixed boundary="b"` (the `;` left out, often before a fold): the words after
    /// the type are its parameters, not part of its name.
    private static func withSemicolonRestored(_ value: String, log: DefectLog) -> String {
        let head = value.prefix { $0 != ";" }
        let trimmed = head.drop { $0 == " " || $0 == "\t" }
        guard let space = trimmed.firstIndex(where: { $0 == " " || $0 == "\t" }), trimmed[..<space].contains("/"),
              trimmed[space...].contains("=") else { return value }
        log.add(.malformedContentType, "parameters without ';'")
        return String(value[..<space]) + ";" + String(value[space...])
    }

    private static func isToken(_ s: String) -> Bool {
        !s.isEmpty && s.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F && !"()<>@,;:\\\"/[]?=".utf8.contains($0) }
    }
}

/// RFC 2183: whether a part is shown inline or as an attachment, and its filename.
public struct ContentDisposition: Equatable, Sendable {
    /// Lowercased disposition type: "inline", "attachment", or what the sender wrote.
    public let kind: String
    public let parameters: [String: String]

    public var isAttachment: Bool { kind == "attachment" }
    public var isInline: Bool { kind == "inline" }

    static func parse(_ value: String?, log: DefectLog) -> ContentDisposition? {
        guard let value, !value.allSatisfy(\.isWhitespace) else { return nil }
        let (head, parameters) = Parameters.split(value, log: log)
        return ContentDisposition(kind: head.trimming(" \t").lowercased(), parameters: parameters)
    }
}

extension String {
    /// Trims the given ASCII characters from both ends (Foundation-free).
    func trimming(_ set: String) -> String {
        let chars = Set(set)
        var s = Substring(self)
        while let f = s.first, chars.contains(f) { s = s.dropFirst() }
        while let l = s.last, chars.contains(l) { s = s.dropLast() }
        return String(s)
    }
}

/// Header parameters: `; name=value` lists, with RFC 2231 extensions.
enum Parameters {
    /// Splits `head; a=1; b="two"` into the head and the decoded parameters.
    static func split(_ value: String, log: DefectLog) -> (head: String, parameters: [String: String]) {
        var raw: [(name: String, value: String, quoted: Bool)] = []
        let chars = Array(value.unicodeScalars)
        var i = 0
        var head = ""
        while i < chars.count, chars[i] != ";" {
            if chars[i] == "(" { i = skipComment(chars, i); continue }
            head.unicodeScalars.append(chars[i])
            i += 1
        }
        while i < chars.count {
            // at a ";"
            i += 1
            while i < chars.count, chars[i] == " " || chars[i] == "\t" || chars[i] == ";" { i += 1 }
            var name = ""
            while i < chars.count, chars[i] != "=", chars[i] != ";" {
                if chars[i] != " " && chars[i] != "\t" { name.unicodeScalars.append(chars[i]) }
                i += 1
            }
            guard i < chars.count, chars[i] == "=" else {
                if !name.isEmpty { log.add(.invalidParameter, name) }
                continue
            }
            i += 1
            while i < chars.count, chars[i] == " " || chars[i] == "\t" { i += 1 }
            var v = ""
            var quoted = false
            if i < chars.count, chars[i] == "\"" {
                quoted = true
                i += 1
                while i < chars.count, chars[i] != "\"" {
                    if chars[i] == "\\", i + 1 < chars.count { i += 1 }
                    v.unicodeScalars.append(chars[i])
                    i += 1
                }
                if i == chars.count { log.add(.invalidParameter, "unterminated quoted string") }
                i += 1
                while i < chars.count, chars[i] != ";" { i += 1 }  // anything after the quote is junk
            } else {
                // A token, or (leniently) anything up to the next ";" such as an unquoted file name with spaces.
                while i < chars.count, chars[i] != ";" {
                    if chars[i] == "(" { i = skipComment(chars, i); continue }
                    v.unicodeScalars.append(chars[i])
                    i += 1
                }
                v = v.trimming(" \t")
            }
            if !name.isEmpty { raw.append((name.lowercased(), v, quoted)) }
        }
        return (head, combine(raw, log: log))
    }

    private static func skipComment(_ chars: [Unicode.Scalar], _ start: Int) -> Int {
        var depth = 0
        var i = start
        while i < chars.count {
            if chars[i] == "\\" { i += 2; continue }
            if chars[i] == "(" { depth += 1 }
            if chars[i] == ")" { depth -= 1; if depth == 0 { return i + 1 } }
            i += 1
        }
        return i
    }

    /// RFC 2231 §3–4: `name*0`, `name*1*`… continuations joined in order; `*` sections are
    /// `charset'language'percent-encoded`. A plain value may carry RFC 2047 words (Outlook does this).
    private static func combine(_ raw: [(name: String, value: String, quoted: Bool)], log: DefectLog) -> [String: String] {
        var plain: [String: String] = [:]
        var sections: [String: [(index: Int, extended: Bool, value: String)]] = [:]
        for (name, value, _) in raw {
            guard let star = name.firstIndex(of: "*") else {
                if plain[name] == nil { plain[name] = EncodedWords.decode(value, log: log) }
                continue
            }
            let base = String(name[..<star])
            var rest = name[name.index(after: star)...]
            var extended = false
            var index = 0
            if rest.hasSuffix("*") { extended = true; rest = rest.dropLast() }
            if rest.isEmpty {
                extended = true  // "name*=" is a single extended value
            } else if let n = Int(rest) {
                index = n
            } else {
                log.add(.invalidParameter, name)
                continue
            }
            sections[base, default: []].append((index, extended, value))
        }
        var result = plain
        for (base, parts) in sections {
            let ordered = parts.sorted { $0.index < $1.index }
            var charset: String? = nil
            var bytes: [UInt8] = []
            for (n, part) in ordered.enumerated() {
                var value = Substring(part.value)
                if part.extended && n == 0 {
                    // charset'language'value
                    let pieces = value.split(separator: "'", maxSplits: 2, omittingEmptySubsequences: false)
                    if pieces.count == 3 {
                        charset = pieces[0].isEmpty ? nil : String(pieces[0])
                        value = pieces[2]
                    }
                }
                bytes += part.extended ? percentDecode(value) : Array(value.utf8)
            }
            result[base] = EncodedWords.withoutControls(Charset.decode(bytes[...], label: charset ?? "utf-8", log: log), log: log)
        }
        return result
    }

    private static func percentDecode(_ s: Substring) -> [UInt8] {
        let u = Array(s.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(u.count)
        var i = 0
        while i < u.count {
            if u[i] == 0x25, i + 2 < u.count, let hi = ASCII.hexValue(u[i + 1]), let lo = ASCII.hexValue(u[i + 2]) {
                out.append(hi << 4 | lo)
                i += 3
            } else {
                out.append(u[i])
                i += 1
            }
        }
        return out
    }
}
