/// RFC 2045 §6: how a part's body bytes are encoded for transport.
public enum TransferEncoding: Equatable, Sendable {
    case sevenBit, eightBit, binary, base64, quotedPrintable, uuencode
    /// A value we do not know; the bytes are kept as they are.
    case unknown(String)

    /// RFC 2045 §6.1: `mechanism := "7bit" / "8bit" / "binary" / "quoted-printable" / "base64" / x-token`.
    init(headerValue: String) {
        switch headerValue.lowercased().filter({ !$0.isWhitespace && $0 != "\"" }) {
        case "", "7bit", "7-bit": self = .sevenBit
        case "8bit", "8-bit": self = .eightBit
        case "binary": self = .binary
        case "base64", "base-64": self = .base64
        case "quoted-printable", "quotedprintable", "qp": self = .quotedPrintable
        case "x-uuencode", "uuencode", "x-uue", "uue": self = .uuencode
        case let other: self = .unknown(other)
        }
    }

    /// Decodes a body. Bad input is decoded as far as it sensibly goes and noted in `log`.
    func decode(_ body: ArraySlice<UInt8>, log: DefectLog) -> [UInt8] {
        switch self {
        case .sevenBit, .eightBit, .binary: return Array(body)
        case .base64: return Base64.decode(body, log: log)
        case .quotedPrintable: return QuotedPrintable.decode(body, log: log)
        case .uuencode:
            if let block = UUEncode.firstBlock(in: body) { return UUEncode.decode(block.lines, log: log) }
            log.add(.invalidUUEncode, "no begin line")
            return Array(body)
        case .unknown(let name):
            log.add(.unknownTransferEncoding, name)
            return Array(body)
        }
    }
}

/// RFC 2045 §6.8 base64, decoded leniently.
enum Base64 {
    private static let table: [UInt8] = {
        var t = [UInt8](repeating: 0xFF, count: 256)
        for (i, c) in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8.enumerated() { t[Int(c)] = UInt8(i) }
        // base64url letters, which some broken senders use
        t[Int(UInt8(ascii: "-"))] = 62
        t[Int(UInt8(ascii: "_"))] = 63
        return t
    }()

    /// Whitespace and line breaks are skipped silently; other characters outside the
    /// alphabet are skipped with a defect (RFC 2045 says to ignore them); a missing or
    /// early `=` padding is tolerated, and leftover bits are dropped with a defect.
    ///
    /// Four alphabet characters in a row (nearly all of a well-formed body) take a fast path;
    /// the output is written into one buffer sized for the worst case.
    static func decode(_ input: ArraySlice<UInt8>, log: DefectLog?) -> [UInt8] {
        var garbage = false, padding = false, leftover = 0
        let out = [UInt8](unsafeUninitializedCapacity: input.count * 3 / 4 + 3) { buffer, count in
            count = table.withUnsafeBufferPointer { t in
                input.withUnsafeBufferPointer { src in
                    // Locals only, so the loop keeps them in registers.
                    guard let p = src.baseAddress, let dst = buffer.baseAddress else { return 0 }
                    let end = src.count
                    var i = 0, n = 0, filled = 0
                    var quantum: UInt32 = 0
                    while i < end {
                        if filled == 0 && i + 4 <= end {
                            let a = t[Int(p[i])], b = t[Int(p[i + 1])], c = t[Int(p[i + 2])], d = t[Int(p[i + 3])]
                            if (a | b | c | d) & 0x80 == 0 {  // all four in the alphabet (0xFF marks the rest)
                                let q = UInt32(a) << 18 | UInt32(b) << 12 | UInt32(c) << 6 | UInt32(d)
                                dst[n] = UInt8(truncatingIfNeeded: q >> 16)
                                dst[n + 1] = UInt8(truncatingIfNeeded: q >> 8)
                                dst[n + 2] = UInt8(truncatingIfNeeded: q)
                                n += 3
                                i += 4
                                continue
                            }
                        }
                        let byte = p[i]
                        i += 1
                        let v = t[Int(byte)]
                        if v == 0xFF {
                            if byte == ASCII.equals {
                                padding = true
                                n += Self.flush(&quantum, &filled, into: dst + n)
                            } else if !(ASCII.isWhitespace(byte) || ASCII.isLineBreak(byte)) {
                                garbage = true
                            }
                            continue
                        }
                        quantum = quantum << 6 | UInt32(v)
                        filled += 1
                        if filled == 4 {
                            dst[n] = UInt8(truncatingIfNeeded: quantum >> 16)
                            dst[n + 1] = UInt8(truncatingIfNeeded: quantum >> 8)
                            dst[n + 2] = UInt8(truncatingIfNeeded: quantum)
                            n += 3
                            quantum = 0
                            filled = 0
                        }
                    }
                    leftover = filled
                    return n + Self.flush(&quantum, &filled, into: dst + n)
                }
            }
        }
        if leftover == 1 { log?.add(.invalidBase64, "truncated final quantum") }
        if leftover > 1 && !padding { log?.add(.invalidBase64, "missing padding") }
        if garbage { log?.add(.invalidBase64, "characters outside the alphabet") }
        return out
    }

    /// Writes the whole bytes held in a partial quantum (2 chars → 1 byte, 3 → 2); returns how many.
    @inline(__always)
    private static func flush(_ quantum: inout UInt32, _ filled: inout Int, into dst: UnsafeMutablePointer<UInt8>) -> Int {
        var written = 0
        if filled == 2 { dst[0] = UInt8(truncatingIfNeeded: quantum >> 4); written = 1 }
        if filled == 3 {
            dst[0] = UInt8(truncatingIfNeeded: quantum >> 10)
            dst[1] = UInt8(truncatingIfNeeded: quantum >> 2)
            written = 2
        }
        quantum = 0
        filled = 0
        return written
    }

    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// Base64 with CRLF after every 76 characters (RFC 2045 §6.8), or on one line when `lineLength` is nil.
    static func encode(_ input: some Collection<UInt8>, lineLength: Int? = 76) -> [UInt8] {
        let bytes = Array(input)
        var out = [UInt8]()
        out.reserveCapacity(bytes.count * 4 / 3 + bytes.count / 38 + 8)
        var column = 0
        var i = 0
        func emit(_ c: UInt8) {
            if let lineLength, column == lineLength { out.append(ASCII.cr); out.append(ASCII.lf); column = 0 }
            out.append(c)
            column += 1
        }
        while i + 3 <= bytes.count {
            let n = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2])
            emit(alphabet[Int(n >> 18 & 63)]); emit(alphabet[Int(n >> 12 & 63)])
            emit(alphabet[Int(n >> 6 & 63)]); emit(alphabet[Int(n & 63)])
            i += 3
        }
        let rest = bytes.count - i
        if rest > 0 {
            let n = UInt32(bytes[i]) << 16 | (rest == 2 ? UInt32(bytes[i + 1]) << 8 : 0)
            emit(alphabet[Int(n >> 18 & 63)]); emit(alphabet[Int(n >> 12 & 63)])
            emit(rest == 2 ? alphabet[Int(n >> 6 & 63)] : ASCII.equals); emit(ASCII.equals)
        }
        return out
    }
}

/// RFC 2045 §6.7 quoted-printable, decoded leniently.
enum QuotedPrintable {
    /// Soft breaks (`=` at the end of a line, even with trailing spaces) join lines;
    /// `=XX` in either case becomes the byte; a bad escape is kept literally with a
    /// defect; trailing whitespace on a line is dropped as rule 3 of §6.7 asks.
    static func decode(_ input: ArraySlice<UInt8>, log: DefectLog?, underscoreIsSpace: Bool = false) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(input.count)
        var badEscape = false
        input.withUnsafeBufferPointer { buffer in
            let n = buffer.count
            var i = 0
            var pendingWhitespace = 0  // whitespace held back until we know it is not trailing
            var whitespaceStart = 0
            while i < n {
                let b = buffer[i]
                if ASCII.isWhitespace(b) {
                    if pendingWhitespace == 0 { whitespaceStart = i }
                    pendingWhitespace += 1
                    i += 1
                    continue
                }
                if b == ASCII.cr || b == ASCII.lf {
                    pendingWhitespace = 0  // trailing whitespace is dropped
                    out.append(b)
                    i += 1
                    continue
                }
                if pendingWhitespace > 0 {
                    out.append(contentsOf: buffer[whitespaceStart..<(whitespaceStart + pendingWhitespace)])
                    pendingWhitespace = 0
                }
                if b == ASCII.equals {
                    // A soft line break: "=" then optional whitespace then a line break, or the end.
                    var j = i + 1
                    while j < n, ASCII.isWhitespace(buffer[j]) { j += 1 }
                    if j == n { i = n; continue }
                    if buffer[j] == ASCII.cr || buffer[j] == ASCII.lf {
                        i = j + 1
                        if buffer[j] == ASCII.cr, i < n, buffer[i] == ASCII.lf { i += 1 }
                        continue
                    }
                    if i + 2 < n, let hi = ASCII.hexValue(buffer[i + 1]), let lo = ASCII.hexValue(buffer[i + 2]) {
                        out.append(hi << 4 | lo)
                        i += 3
                        continue
                    }
                    badEscape = true
                    out.append(b)
                    i += 1
                    continue
                }
                out.append(underscoreIsSpace && b == ASCII.underscore ? ASCII.space : b)
                i += 1
            }
            // whitespace at the very end is trailing too
        }
        if badEscape { log?.add(.invalidQuotedPrintable, "bad escape sequence") }
        return out
    }
}

/// uuencoded blocks (`begin 644 name` … `end`), as old clients still attach files.
enum UUEncode {
    struct Block {
        let mode: String
        let filename: String
        /// The encoded lines between `begin` and `end`.
        let lines: [ArraySlice<UInt8>]
        /// Where the block starts and ends (through its `end` line) in the input.
        let range: Range<Int>
    }

    /// Every `begin NNN name` … `end` block in a text, in order.
    static func blocks(in text: ArraySlice<UInt8>) -> [Block] {
        var result: [Block] = []
        var start = text.startIndex
        while let block = firstBlock(in: text[start...]) {
            result.append(block)
            start = block.range.upperBound
        }
        return result
    }

    static func firstBlock(in text: ArraySlice<UInt8>) -> Block? {
        let begin = Array("begin ".utf8)
        var search = text.startIndex
        while let at = text.firstIndex(of: begin, from: search) {
            search = at + 1
            guard at == text.startIndex || ASCII.isLineBreak(text[at - 1]) else { continue }
            let lineEnd = text.indexOfLineBreak(from: at)
            let words = text[(at + begin.count)..<lineEnd].split(separator: ASCII.space, maxSplits: 1)
            guard words.count == 2, words[0].count >= 3, words[0].count <= 4,
                  words[0].allSatisfy({ $0 >= 0x30 && $0 <= 0x37 }) else { continue }
            var lines: [ArraySlice<UInt8>] = []
            var i = text.lineBreakEnd(at: lineEnd) ?? lineEnd
            while i < text.endIndex {
                let end = text.indexOfLineBreak(from: i)
                let line = text[i..<end]
                let next = text.lineBreakEnd(at: end) ?? end
                if line.trimmingWhitespace().equalsIgnoringCase("end") {
                    return Block(mode: String(lossyUTF8: words[0]),
                                 filename: String(lossyUTF8: words[1].trimmingWhitespace()),
                                 lines: lines, range: at..<next)
                }
                lines.append(line)
                i = next
            }
            return nil
        }
        return nil
    }

    /// Each line: a length character, then groups of four characters (value + 32, with
    /// backquote for zero) carrying three bytes.
    static func decode(_ lines: [ArraySlice<UInt8>], log: DefectLog?) -> [UInt8] {
        var out = [UInt8]()
        var bad = false
        for line in lines {
            guard let first = line.first else { continue }
            let count = Int((first &- 32) & 63)
            if count == 0 { continue }
            var values: [UInt8] = []
            values.reserveCapacity(line.count)
            for c in line.dropFirst() where !ASCII.isLineBreak(c) { values.append((c &- 32) & 63) }
            var produced = 0
            var j = 0
            while produced < count {
                guard j < values.count else { bad = true; break }
                let a = values[j], b = j + 1 < values.count ? values[j + 1] : 0
                let c = j + 2 < values.count ? values[j + 2] : 0, d = j + 3 < values.count ? values[j + 3] : 0
                let bytes = [a << 2 | b >> 4, b << 4 | c >> 2, c << 6 | d]
                for byte in bytes where produced < count { out.append(byte); produced += 1 }
                j += 4
            }
        }
        if bad { log?.add(.invalidUUEncode, "short line") }
        return out
    }
}
