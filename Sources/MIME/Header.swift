/// One header field as it appeared in the message.
public struct HeaderField: Sendable {
    /// The field name as written (compare with `is(_:)`, which ignores case).
    public let name: String
    /// The bytes after the colon, folding and all.
    public let rawValue: ArraySlice<UInt8>

    /// Whether this field has the given name, ignoring case.
    public func `is`(_ other: String) -> Bool { name.utf8.count == other.utf8.count && name.lowercased() == other.lowercased() }

    /// RFC 5322 §2.2.3: unfolding removes each line break that is followed by whitespace.
    /// Leading and trailing whitespace is dropped too.
    public var unfoldedBytes: ArraySlice<UInt8> {
        let value = rawValue.trimmingWhitespace()
        guard value.contains(where: ASCII.isLineBreak) else { return value }
        var out = [UInt8]()
        out.reserveCapacity(value.count)
        for b in value where !ASCII.isLineBreak(b) { out.append(b) }
        return out[...]
    }
}

/// The header fields of a message or a body part, in order, repeated fields kept.
public struct Header: Sendable {
    public let fields: [HeaderField]
    /// Charset to read raw 8-bit header bytes in when they are not UTF-8 (the part's own charset).
    let fallbackCharset: String?
    /// Charsets the message declares elsewhere (its text parts, its encoded words), tried in
    /// turn on raw 8-bit bytes before Windows-1252: a raw GB2312 subject beside a GB2312 body.
    let hints: [String]

    public init(fields: [HeaderField], fallbackCharset: String? = nil) {
        self.init(fields: fields, fallbackCharset: fallbackCharset, hints: [])
    }

    init(fields: [HeaderField], fallbackCharset: String?, hints: [String]) {
        self.fields = fields
        self.fallbackCharset = fallbackCharset
        self.hints = hints
    }

    /// The first field of that name.
    public func first(_ name: String) -> HeaderField? { fields.first { $0.is(name) } }

    /// Every field of that name, in order.
    public func all(_ name: String) -> [HeaderField] { fields.filter { $0.is(name) } }

    /// The first field of that name as readable text: unfolded, raw 8-bit bytes decoded
    /// (UTF-8 per RFC 6532, else the part's charset, else Windows-1252), RFC 2047 words decoded.
    public subscript(name: String) -> String? {
        first(name).map { text(of: $0, log: nil) }
    }

    func text(of field: HeaderField, log: DefectLog?) -> String {
        // Encoded words are decoded on the raw bytes, before any raw 8-bit fallback.
        EncodedWords.decode(bytes: field.unfoldedBytes, log: log) { raw8bitText($0, log: log) }
    }

    /// The value as a string without decoding encoded words (for structured fields,
    /// whose encoded words may only be decoded after tokenising).
    func structuredText(_ name: String, log: DefectLog?) -> String? {
        first(name).map { raw8bitText($0.unfoldedBytes, log: log) }
    }

    func raw8bitText(_ bytes: ArraySlice<UInt8>, log: DefectLog?) -> String {
        if bytes.contains(0) {
            log?.add(.invalidCharacters, "NUL in header")
            return raw8bitText(bytes.map { $0 == 0 ? ASCII.space : $0 }[...], log: log)
        }
        if bytes.isASCII { return String(lossyUTF8: bytes) }
        if let text = Charset.validUTF8(bytes) { return text }
        if fallbackCharset == nil {
            for hint in hints {
                guard let name = Charset.canonicalName(Charset.normalizedLabel(hint)), name != "UTF-8",
                      let text = Charset.strict(bytes, from: name) else { continue }
                log?.add(.eightBitHeader, hint)
                return text
            }
        }
        log?.add(.eightBitHeader, fallbackCharset ?? "windows-1252")
        return Charset.decode(bytes, label: fallbackCharset, log: nil)
    }
}

extension Header {
    /// The same fields, reading raw 8-bit bytes with these charsets as hints.
    func hinted(by hints: [String]) -> Header {
        hints.isEmpty ? self : Header(fields: fields, fallbackCharset: fallbackCharset, hints: hints)
    }

    /// RFC 5322 §2.2 and §3.5: the header block, ended by an empty line.
    ///
    /// Lines may end in CRLF, LF or a bare CR. A line that is neither a field
    /// (`name ":" value`, name of printable ASCII) nor a continuation is skipped when a
    /// field follows it, and otherwise taken as the start of the body. Returns the
    /// fields and where the body starts.
    static func parse(_ bytes: ArraySlice<UInt8>, log: DefectLog, isPart: Bool) -> (fields: [HeaderField], bodyStart: Int) {
        var fields: [HeaderField] = []
        var i = bytes.startIndex
        let end = bytes.endIndex
        var sawBareCR = false

        // An mbox "From " separator line before the first field.
        if !isPart, bytes.count >= 5, bytes[i..<(i + 5)].elementsEqual("From ".utf8) {
            log.add(.mboxFromLine)
            let lineEnd = bytes.indexOfLineBreak(from: i)
            i = bytes.lineBreakEnd(at: lineEnd) ?? lineEnd
        }

        var currentName: String? = nil
        var valueStart = i
        var valueEnd = i

        func finishField() {
            if let name = currentName { fields.append(HeaderField(name: name, rawValue: bytes[valueStart..<valueEnd])) }
            currentName = nil
        }

        while i < end {
            let lineEnd = bytes.indexOfLineBreak(from: i)
            let next = bytes.lineBreakEnd(at: lineEnd) ?? lineEnd
            if lineEnd < end, bytes[lineEnd] == ASCII.cr, next == lineEnd + 1 { sawBareCR = true }

            if lineEnd == i {  // the empty line: the body follows
                finishField()
                if sawBareCR { log.add(.bareCarriageReturn) }
                return (fields, next)
            }
            if ASCII.isWhitespace(bytes[i]) {
                if currentName != nil {
                    valueEnd = lineEnd  // a continuation line
                } else if fields.isEmpty && !isPart {
                    log.add(.invalidHeaderLine, "continuation before any field")
                } else if isLineOfWhitespace(bytes[i..<lineEnd]) {
                    // A line of only spaces where the empty line should be: treat it as the separator.
                    finishField()
                    return (fields, next)
                }
                i = next
                continue
            }
            if let colon = fieldColon(bytes[i..<lineEnd]) {
                finishField()
                currentName = String(lossyUTF8: bytes[i..<colon].trimmingWhitespace())
                valueStart = colon + 1
                valueEnd = lineEnd
                i = next
                continue
            }
            // Not a field and not a continuation: junk among the fields (a "---- Original
            // message ----" line, folds that lost their indentation) when a field follows before
            // the empty line, as Ruby's mail reads it; skipped to that field, with a defect.
            // Otherwise the body starts here.
            // In a body part, whose text may follow its fields with no empty line, only a field on
            // the very next line makes a line junk.
            finishField()
            let following = bytes.indexOfLineBreak(from: next)
            let nextIsField = next < end && !ASCII.isWhitespace(bytes[next]) && fieldColon(bytes[next..<following]) != nil
            if let resume = isPart ? (nextIsField && !fields.isEmpty ? next : nil) : nextField(bytes, from: next) {
                log.add(.invalidHeaderLine, String(lossyUTF8: bytes[i..<min(lineEnd, i + 200)]))
                i = resume
                continue
            }
            if fields.isEmpty {
                log.add(.noHeaders)
                return ([], i)
            }
            log.add(.missingHeaderBodySeparator)
            return (fields, i)
        }
        finishField()
        if sawBareCR { log.add(.bareCarriageReturn) }
        return (fields, end)
    }

    /// Where the next line that is a field starts, looking no further than the empty line.
    /// Each junk line is looked past once: the caller resumes at the answer.
    private static func nextField(_ bytes: ArraySlice<UInt8>, from start: Int) -> Int? {
        var i = start
        while i < bytes.endIndex {
            let lineEnd = bytes.indexOfLineBreak(from: i)
            if lineEnd == i { return nil }
            if !ASCII.isWhitespace(bytes[i]), fieldColon(bytes[i..<lineEnd]) != nil { return i }
            i = bytes.lineBreakEnd(at: lineEnd) ?? lineEnd
        }
        return nil
    }

    /// The colon ending a field name if the line starts with one: printable ASCII
    /// other than colon (RFC 5322 §3.6.8), optionally followed by whitespace (obs-optional).
    private static func fieldColon(_ line: ArraySlice<UInt8>) -> Int? {
        var i = line.startIndex
        while i < line.endIndex {
            let b = line[i]
            if b == ASCII.colon { return i > line.startIndex ? i : nil }
            if ASCII.isWhitespace(b) {
                var j = i
                while j < line.endIndex, ASCII.isWhitespace(line[j]) { j += 1 }
                return j < line.endIndex && line[j] == ASCII.colon && i > line.startIndex ? j : nil
            }
            if b < 33 || b > 126 { return nil }
            i += 1
        }
        return nil
    }

    private static func isLineOfWhitespace(_ line: ArraySlice<UInt8>) -> Bool { line.allSatisfy(ASCII.isWhitespace) }
}
