/// Readable plain text from an HTML body, for HTML-only mail.
///
/// Not an HTML parser: a single pass over tags that turns block elements into line
/// breaks, list items into dashes and links into `label <url>`, drops scripts, styles
/// and comments, decodes character references and collapses whitespace.
public enum HTMLText {
    public static func render(_ html: String) -> String {
        var out = ""
        out.reserveCapacity(html.utf8.count / 2)
        let s = Array(html.unicodeScalars)
        var i = 0
        var pendingSpace = false
        var preDepth = 0
        var linkStack: [(href: String, textStart: String.Index)] = []

        func newline(_ count: Int = 1) {
            pendingSpace = false
            while out.last == " " { out.removeLast() }
            var have = 0
            for c in out.reversed() { if c == "\n" { have += 1 } else { break } }
            if out.isEmpty { return }
            for _ in have..<max(have, count) { out.append("\n") }
        }
        func text(_ t: String) {
            for ch in t {
                if preDepth == 0 && (ch == " " || ch == "\t" || ch == "\n" || ch == "\r" || ch == "\u{0C}") {
                    pendingSpace = true
                    continue
                }
                if pendingSpace && !out.isEmpty && out.last != "\n" && out.last != " " { out.append(" ") }
                pendingSpace = false
                out.append(ch)
            }
        }

        while i < s.count {
            if s[i] == "<" {
                // comment
                if i + 3 < s.count, s[i + 1] == "!", s[i + 2] == "-", s[i + 3] == "-" {
                    i = find(s, "-->", from: i + 4).map { $0 + 3 } ?? s.count
                    continue
                }
                guard let close = s[(i + 1)...].firstIndex(of: ">") else { text(String(String.UnicodeScalarView(s[i...]))); break }
                let tag = Tag(String(String.UnicodeScalarView(s[(i + 1)..<close])))
                i = close + 1
                switch tag.name {
                case "script", "style", "head", "title", "xml":
                    if !tag.closing, !tag.selfClosing { i = find(s, "</\(tag.name)", from: i, ignoringCase: true).flatMap { s[$0...].firstIndex(of: ">").map { $0 + 1 } } ?? s.count }
                case "br": newline()
                case "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "table", "blockquote", "ul", "ol", "section", "article", "header", "footer":
                    newline(tag.name == "div" || (!tag.closing && (tag.name == "ul" || tag.name == "ol")) ? 1 : 2)
                case "tr", "dt", "dd": newline()
                case "hr": newline(); out += "----"; newline()
                case "li":
                    if !tag.closing { newline(); out += "- " }
                case "td", "th": if !tag.closing { pendingSpace = true }
                case "pre":
                    newline()
                    preDepth = max(0, preDepth + (tag.closing ? -1 : 1))
                case "img":
                    if let alt = tag.attributes["alt"], !alt.isEmpty { text(alt) }
                case "a":
                    if tag.closing {
                        if let link = linkStack.popLast() {
                            let label = String(out[link.textStart...]).trimming(" \n")
                            let href = link.href
                            if !href.isEmpty, href != label, "mailto:" + label != href, !href.hasPrefix("#") {
                                if label.isEmpty { text(href) } else { out += " <\(href)>" }
                            }
                        }
                    } else if !tag.selfClosing && linkStack.count < 16 {  // bounded: nested labels are copied once per level
                        if pendingSpace && !out.isEmpty && out.last != "\n" && out.last != " " { out.append(" ") }
                        pendingSpace = false
                        linkStack.append((decodeEntities(tag.attributes["href"] ?? "").trimming(" \t\n"), out.endIndex))
                    }
                default: break
                }
                continue
            }
            var j = i
            while j < s.count, s[j] != "<" { j += 1 }
            text(decodeEntities(String(String.UnicodeScalarView(s[i..<j]))))
            i = j
        }
        // Tidy: no trailing spaces on lines, at most one blank line in a row.
        var lines: [Substring] = []
        var blank = 0
        for line in out.split(separator: "\n", omittingEmptySubsequences: false) {
            var l = line
            while l.last == " " { l = l.dropLast() }
            if l.isEmpty { blank += 1; if blank > 1 { continue } } else { blank = 0 }
            lines.append(l)
        }
        return lines.joined(separator: "\n").trimming("\n ")
    }

    private static func find(_ s: [Unicode.Scalar], _ needle: String, from: Int, ignoringCase: Bool = false) -> Int? {
        let n = Array(needle.lowercased().unicodeScalars)
        guard !n.isEmpty, s.count >= n.count else { return nil }
        var i = from
        while i + n.count <= s.count {
            var ok = true
            for k in 0..<n.count {
                let c = s[i + k]
                let lc = ignoringCase && c.isASCII ? Unicode.Scalar(UInt8(ascii: c) | (c.properties.isUppercase ? 0x20 : 0)) : c
                if lc != n[k] { ok = false; break }
            }
            if ok { return i }
            i += 1
        }
        return nil
    }

    private struct Tag {
        var name = ""
        var closing = false
        var selfClosing = false
        var attributes: [String: String] = [:]

        init(_ raw: String) {
            var s = Substring(raw)
            if s.hasPrefix("/") { closing = true; s = s.dropFirst() }
            if s.hasSuffix("/") { selfClosing = true; s = s.dropLast() }
            let nameEnd = s.firstIndex(where: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }) ?? s.endIndex
            name = s[..<nameEnd].lowercased()
            var rest = s[nameEnd...]
            while !rest.isEmpty {
                rest = rest.drop(while: { $0.isWhitespace })
                let keyEnd = rest.firstIndex(where: { $0 == "=" || $0.isWhitespace }) ?? rest.endIndex
                let key = rest[..<keyEnd].lowercased()
                rest = rest[keyEnd...].drop(while: { $0.isWhitespace })
                guard rest.first == "=" else { if !key.isEmpty { attributes[key] = "" }; if rest.isEmpty || key.isEmpty { break }; continue }
                rest = rest.dropFirst().drop(while: { $0.isWhitespace })
                var value: Substring
                if let q = rest.first, q == "\"" || q == "'" {
                    let body = rest.dropFirst()
                    let end = body.firstIndex(of: q) ?? body.endIndex
                    value = body[..<end]
                    rest = end < body.endIndex ? body[body.index(after: end)...] : body[end...]
                } else {
                    let end = rest.firstIndex(where: { $0.isWhitespace }) ?? rest.endIndex
                    value = rest[..<end]
                    rest = rest[end...]
                }
                if !key.isEmpty { attributes[key] = String(value) }
            }
        }
    }

    private static let entities: [String: String] = [
        "amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "nbsp": " ", "copy": "©", "reg": "®",
        "euro": "€", "middot": "·", "laquo": "«", "raquo": "»", "hellip": "…", "mdash": "—", "ndash": "–",
        "lsquo": "‘", "rsquo": "’", "ldquo": "“", "rdquo": "”", "iexcl": "¡", "iquest": "¿", "ordf": "ª",
        "ordm": "º", "deg": "°", "bull": "•", "trade": "™", "times": "×", "shy": "",
        "aacute": "á", "eacute": "é", "iacute": "í", "oacute": "ó", "uacute": "ú", "agrave": "à", "egrave": "è",
        "igrave": "ì", "ograve": "ò", "ugrave": "ù", "Aacute": "Á", "Eacute": "É", "Iacute": "Í", "Oacute": "Ó",
        "Uacute": "Ú", "Agrave": "À", "Egrave": "È", "Ograve": "Ò", "ntilde": "ñ", "Ntilde": "Ñ", "ccedil": "ç",
        "Ccedil": "Ç", "uuml": "ü", "Uuml": "Ü", "iuml": "ï", "Iuml": "Ï", "ouml": "ö", "auml": "ä", "euml": "ë",
        "acirc": "â", "ecirc": "ê", "ocirc": "ô", "szlig": "ß",
    ]

    /// HTML character references: named ones we know, and numeric ones.
    static func decodeEntities(_ text: String) -> String {
        guard text.contains("&") else { return text }
        var out = ""
        var rest = Substring(text)
        while let amp = rest.firstIndex(of: "&") {
            out += rest[..<amp]
            let after = rest[rest.index(after: amp)...]
            if let semi = after.prefix(12).firstIndex(of: ";") {
                let name = after[..<semi]
                var replacement: String? = entities[String(name)]
                if name.hasPrefix("#") {
                    let digits = name.dropFirst()
                    let value = digits.first == "x" || digits.first == "X" ? UInt32(digits.dropFirst(), radix: 16) : UInt32(digits)
                    replacement = value.flatMap(Unicode.Scalar.init).map { String(Character($0)) }
                }
                if let replacement {
                    out += replacement
                    rest = after[after.index(after: semi)...]
                    continue
                }
            }
            out += "&"
            rest = after
        }
        out += rest
        return out
    }
}
