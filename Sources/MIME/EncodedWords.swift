/// RFC 2047 encoded words: `=?charset?B|Q?text?=` in header text.
enum EncodedWords {
    private struct Word {
        let range: Range<Int>
        let charset: String
        let bytes: [UInt8]
    }

    /// RFC 2047 §2 and §6.2: decodes every well-formed encoded word in `text`.
    ///
    /// Whitespace between two adjacent encoded words is dropped (§6.2); adjacent words in
    /// the same charset are joined before decoding, so a character split across two words
    /// survives. Words are decoded wherever senders put them, also inside other words and
    /// quoted strings; malformed ones are left as they are, with a defect.
    static func decode(_ text: String, log: DefectLog?) -> String {
        guard text.utf8.contains(ASCII.equals), text.contains("=?") else { return text }
        return decode(bytes: Array(text.utf8)[...], log: log) { String(decoding: $0, as: UTF8.self) }
    }

    /// The same on raw header bytes: an encoded word's bytes belong to its own charset, even
    /// raw 8-bit ones a sender left in it (`=?iso-8859-1?Q?Gr\xFC=DFe?=`); the text between
    /// words is read by `outside` (UTF-8, else the part's charset, else Windows-1252).
    static func decode(bytes: ArraySlice<UInt8>, log: DefectLog?, outside: (ArraySlice<UInt8>) -> String) -> String {
        guard bytes.contains(ASCII.equals) else { return outside(bytes) }
        let utf8 = Array(bytes)
        var words: [Word] = []
        var i = 0
        while i + 1 < utf8.count {
            if utf8[i] == ASCII.equals && utf8[i + 1] == ASCII.question {
                switch parseWord(utf8, at: i, log: log) {
                case .word(let word):
                    words.append(word)
                    i = word.range.upperBound
                    continue
                case .noWordBefore(let stop):
                    // No word can end before `stop` either: skip there, so hostile input stays linear.
                    i = max(i + 1, stop)
                    continue
                case .notAWord:
                    break
                }
            }
            i += 1
        }
        guard !words.isEmpty else { return outside(bytes) }

        var out = ""
        var cursor = 0
        var k = 0
        while k < words.count {
            out += outside(utf8[cursor..<words[k].range.lowerBound])
            // Gather the run of words separated only by whitespace and in the same charset.
            var bytes = words[k].bytes
            var last = k
            while last + 1 < words.count {
                let gap = utf8[words[last].range.upperBound..<words[last + 1].range.lowerBound]
                guard gap.allSatisfy({ ASCII.isWhitespace($0) || ASCII.isLineBreak($0) }) else { break }
                if words[last + 1].charset != words[k].charset {
                    break
                }
                bytes += words[last + 1].bytes
                last += 1
            }
            out += withoutControls(Charset.decode(bytes[...], label: words[k].charset, log: log), log: log)
            cursor = words[last].range.upperBound
            // Whitespace between this run and a following word in another charset is dropped too.
            if last + 1 < words.count {
                let gap = utf8[cursor..<words[last + 1].range.lowerBound]
                if gap.allSatisfy({ ASCII.isWhitespace($0) || ASCII.isLineBreak($0) }) { cursor = words[last + 1].range.lowerBound }
            }
            k = last + 1
        }
        out += outside(utf8[cursor...])
        return out
    }

    /// Decoded header text is one line: CR, LF, NUL and other controls (tab aside) become
    /// spaces, so an encoded "\r\nBcc:" can never look like a header to anyone downstream.
    static func withoutControls(_ text: String, log: DefectLog?) -> String {
        guard text.unicodeScalars.contains(where: { ($0.value < 0x20 && $0 != "\t") || $0.value == 0x7F }) else { return text }
        log?.add(.invalidCharacters, "control characters in header text")
        return String(String.UnicodeScalarView(text.unicodeScalars.map { ($0.value < 0x20 && $0 != "\t") || $0.value == 0x7F ? " " : $0 }))
    }

    /// How far a word with whitespace inside may reach: RFC 2047's 75 characters, with slack.
    private static let maxSpacedWord = 200

    /// The "?=" that ends a word with whitespace in it, if one comes before another "=?"
    /// and within `maxSpacedWord` of the word's start.
    private static func spacedWordEnd(_ s: [UInt8], from: Int, start: Int) -> Int? {
        var j = from
        while j + 1 < s.count, j - start < maxSpacedWord {
            if s[j] == ASCII.question && s[j + 1] == ASCII.equals { return j }
            // Another word starting ("=?" not followed by "=", which is base64 padding before "?=").
            if s[j] == ASCII.equals && s[j + 1] == ASCII.question && !(j + 2 < s.count && s[j + 2] == ASCII.equals) { return nil }
            j += 1
        }
        return nil
    }

    private enum Scan {
        case word(Word)
        case notAWord
        /// The encoded text ran into whitespace or the end at this index without a "?=".
        case noWordBefore(Int)
    }

    /// `encoded-word = "=?" charset ["*" language] "?" encoding "?" encoded-text "?="`
    private static func parseWord(_ s: [UInt8], at start: Int, log: DefectLog?) -> Scan {
        var i = start + 2
        let charsetStart = i
        while i < s.count, s[i] != ASCII.question {
            if s[i] <= ASCII.space || s[i] >= 0x7F || s[i] == ASCII.equals || i - charsetStart > 64 { return .notAWord }
            i += 1
        }
        guard i + 2 < s.count, i > charsetStart else { return .notAWord }
        var charset = String(decoding: s[charsetStart..<i], as: UTF8.self).lowercased()
        if let star = charset.firstIndex(of: "*") { charset = String(charset[..<star]) }  // RFC 2231 §5 language
        let encoding = ASCII.lower(s[i + 1])
        guard s[i + 2] == ASCII.question else { return .notAWord }
        guard encoding == UInt8(ascii: "b") || encoding == UInt8(ascii: "q") else {
            log?.add(.malformedEncodedWord, "encoding \(Character(Unicode.Scalar(s[i + 1])))")
            return .notAWord
        }
        let textStart = i + 3
        var j = textStart
        var spaced = false
        while j + 1 < s.count {
            if s[j] == ASCII.question && s[j + 1] == ASCII.equals { break }
            // RFC 2047 §5: encoded text holds no whitespace. Outlook and script mailers write it
            // anyway (`=?utf-8?Q?Caf=C3=A9 au lait?=`), and mail clients decode it: so do we,
            // when the word ends within its length limit and no other word starts first.
            if ASCII.isLineBreak(s[j]) || ASCII.isWhitespace(s[j]) {
                guard j - start < maxSpacedWord, let close = spacedWordEnd(s, from: j, start: start) else {
                    log?.add(.malformedEncodedWord, "unterminated")
                    return .noWordBefore(j)
                }
                spaced = true
                j = close
                break
            }
            j += 1
        }
        guard j + 1 < s.count else {
            log?.add(.malformedEncodedWord, "unterminated")
            return .noWordBefore(s.count)
        }
        if spaced { log?.add(.malformedEncodedWord, "whitespace inside an encoded word") }
        let payload = spaced ? (encoding == UInt8(ascii: "b") ? s[textStart..<j].filter { !ASCII.isWhitespace($0) && !ASCII.isLineBreak($0) }[...]
                                                              : s[textStart..<j].filter { !ASCII.isLineBreak($0) }[...])
                             : s[textStart..<j]
        let bytes: [UInt8]
        if encoding == UInt8(ascii: "b") {
            let wordLog = DefectLog()
            bytes = Base64.decode(payload, log: wordLog)
            // Missing padding is common and harmless; garbage means this is no encoded word.
            if wordLog.items.contains(where: { $0.detail != "missing padding" }) {
                log?.add(.malformedEncodedWord, "bad base64")
                return .notAWord
            }
        } else {
            bytes = QuotedPrintable.decode(payload, log: nil, underscoreIsSpace: true)
        }
        return .word(Word(range: start..<(j + 2), charset: charset, bytes: bytes))
    }
}
