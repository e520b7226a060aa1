#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Turns bytes in a declared (or undeclared) charset into text, through glibc's iconv.
///
/// Foundation on Linux cannot decode EUC-JP and reaches KOI8-R, Big5, EUC-KR and others
/// only through undocumented values, so every non-UTF-8 charset goes through iconv, which
/// knows all the MIME names. Decoding never fails: unknown labels and invalid bytes are
/// recorded as defects and the best reading is returned.
public enum Charset {
    /// Decodes `bytes` labelled `label`, returning the text and any defects noticed.
    public static func decode(_ bytes: some Collection<UInt8>, label: String?) -> (text: String, defects: [Defect]) {
        let log = DefectLog()
        let text = decode(ArraySlice(bytes), label: label, log: log)
        return (text, log.items)
    }

    static func decode(_ bytes: ArraySlice<UInt8>, label: String?, log: DefectLog?) -> String {
        let name = label.map(normalizedLabel) ?? ""
        if bytes.isEmpty { return "" }
        if bytes.isASCII && isASCIICompatible(name) { return String(lossyUTF8: bytes) }

        switch canonicalName(name) {
        case "UTF-8":
            return decodeUTF8(bytes, log: log)
        case nil:
            return guess(bytes, log: log, declared: name.isEmpty ? nil : name)
        case "ISO-2022-JP":
            return decodeISO2022JP(bytes, log: log)
        case let iconvName?:
            if let text = convert(bytes, from: iconvName, log: log) { return text }
            log?.add(.unknownCharset, name)
            return guess(bytes, log: log, declared: name)
        }
    }

    /// ISO-2022-JP as Japanese mailers write it. Data with 8-bit bytes is not ISO-2022-JP at
    /// all: mailers label Shift_JIS so, and it is read as CP932 when it is valid there. Data
    /// that glibc's strict ISO-2022-JP refuses (the NEC and IBM extensions Windows writes: ①,
    /// ㈱, №) is turned into EUC-JP, pair for pair, and read as EUC-JP-MS (CP51932), which has
    /// them; an invalid pair then costs one character and the rest stays in step.
    static func decodeISO2022JP(_ bytes: ArraySlice<UInt8>, log: DefectLog?) -> String {
        if bytes.contains(where: { $0 >= 0x80 }), let text = strict(bytes, from: "CP932") {
            log?.add(.charsetGuessed, "iso-2022-jp with 8-bit bytes read as cp932")
            return text
        }
        if let text = strict(bytes, from: "ISO-2022-JP") { return text }
        let euc = ISO2022JP.toEUCJP(bytes)
        return convert(euc[...], from: "EUC-JP-MS", log: log, width: ISO2022JP.eucWidth) ?? String(lossyUTF8: bytes)
    }

    /// The text if every byte is valid in `charset`, else nil.
    static func strict(_ bytes: ArraySlice<UInt8>, from charset: String) -> String? {
        let log = DefectLog()
        guard let text = convert(bytes, from: charset, log: log), !log.items.contains(where: { $0.kind == .invalidCharacters }) else { return nil }
        return text
    }

    /// Text for bytes with no usable label: valid UTF-8 if it is, else Windows-1252.
    /// Either way it is a guess, and recorded as one.
    static func guess(_ bytes: ArraySlice<UInt8>, log: DefectLog?, declared: String? = nil) -> String {
        let label = declared.map { "\($0) " } ?? "no charset, "
        if let text = validUTF8(bytes) {
            log?.add(.charsetGuessed, label + "read as utf-8")
            return text
        }
        log?.add(.charsetGuessed, label + "read as windows-1252")
        return convert(bytes, from: "CP1252", log: log) ?? String(lossyUTF8: bytes)
    }

    /// UTF-8 that may be mislabelled: mostly-valid UTF-8 keeps replacement characters,
    /// bytes with no valid multibyte sequence at all are read as Windows-1252.
    private static func decodeUTF8(_ bytes: ArraySlice<UInt8>, log: DefectLog?) -> String {
        if let text = validUTF8(bytes) { return text }
        if containsUTF8Sequence(bytes) {
            log?.add(.invalidCharacters, "utf-8")
            return String(lossyUTF8: bytes)
        }
        log?.add(.charsetGuessed, "utf-8 read as windows-1252")
        return convert(bytes, from: "CP1252", log: log) ?? String(lossyUTF8: bytes)
    }

    static func validUTF8(_ bytes: ArraySlice<UInt8>) -> String? {
        bytes.withUnsafeBufferPointer { String(validating: $0, as: UTF8.self) }
    }

    private static func containsUTF8Sequence(_ bytes: ArraySlice<UInt8>) -> Bool {
        var i = bytes.startIndex
        while i < bytes.endIndex {
            let b = bytes[i]
            let length = b >= 0xF0 && b <= 0xF4 ? 4 : b >= 0xE0 ? 3 : b >= 0xC2 && b <= 0xDF ? 2 : 0
            if length > 0, i + length <= bytes.endIndex,
               bytes[(i + 1)..<(i + length)].allSatisfy({ $0 & 0xC0 == 0x80 }) {
                return true
            }
            i += 1
        }
        return false
    }

    /// The label without quotes, spaces and case.
    static func normalizedLabel(_ label: String) -> String {
        var s = label.lowercased()
        s.removeAll { $0 == "\"" || $0 == "'" || $0 == " " || $0 == "\t" }
        return s
    }

    /// Charsets in which ASCII bytes mean ASCII characters.
    private static func isASCIICompatible(_ name: String) -> Bool {
        !(name.contains("utf-7") || name.contains("utf7") || name.contains("2022") || name.contains("16")
            || name.contains("32") || name.contains("ucs") || name.hasPrefix("hz"))
    }

    /// Labels senders use that glibc does not know, or that are better read as a superset
    /// (the WHATWG Encoding Standard's practice: Latin-1 and ASCII as Windows-1252, GB2312 as GB18030).
    private static let aliases: [String: String] = [
        "us-ascii": "CP1252", "ascii": "CP1252", "ansi_x3.4-1968": "CP1252", "iso-8859-1": "CP1252",
        "iso8859-1": "CP1252", "iso_8859-1": "CP1252", "latin1": "CP1252", "latin-1": "CP1252", "l1": "CP1252",
        "cp819": "CP1252", "windows-1252": "CP1252", "cp1252": "CP1252", "x-cp1252": "CP1252",
        "gb2312": "GB18030", "gb_2312-80": "GB18030", "euc-cn": "GB18030", "x-gbk": "GB18030", "gbk": "GB18030",
        "cp936": "GB18030", "ks_c_5601-1987": "CP949", "ks_c_5601": "CP949", "ks_c_5601-1989": "CP949",
        "korean": "CP949", "euc-kr": "CP949", "windows-949": "CP949", "x-sjis": "SHIFT_JIS",
        "shift-jis": "SHIFT_JIS", "ms_kanji": "SHIFT_JIS", "csshiftjis": "SHIFT_JIS", "windows-31j": "CP932",
        "unicode-1-1-utf-7": "UTF-7", "x-unicode20utf7": "UTF-7", "utf-7": "UTF-7",
        "iso-8859-8-i": "ISO-8859-8", "tis-620": "CP874", "windows-874": "CP874",
        "x-mac-roman": "MACINTOSH", "macintosh": "MACINTOSH", "utf-16": "UTF-16", "unicode": "UTF-16",
    ]

    /// Labels that carry no information: the sender did not know the charset.
    private static let meaningless: Set<String> = [
        "x-unknown", "unknown", "unknown-8bit", "x-user-defined", "8bit", "default", "none", "charset", "",
    ]

    /// The iconv name for a label, "UTF-8" for UTF-8, or nil when the label says nothing.
    static func canonicalName(_ name: String) -> String? {
        if name == "utf-8" || name == "utf8" || name == "x-utf-8" || name == "utf-8-bom" { return "UTF-8" }
        if meaningless.contains(name) { return nil }
        if let alias = aliases[name] { return alias }
        if name.hasPrefix("x-"), let alias = aliases[String(name.dropFirst(2))] { return alias }
        // Anything else is handed to iconv as is; a label iconv rejects is reported then.
        guard name.utf8.allSatisfy({ $0 < 0x80 && $0 > 0x20 }), name.utf8.count < 40 else { return nil }
        return name.uppercased()
    }

    private static let replacement: [UInt8] = [0xEF, 0xBF, 0xBD]

    /// Converts with iconv, replacing each invalid character with U+FFFD: one byte, or as many
    /// as `width` says the character at that byte has (so multibyte text stays in step). Nil
    /// when iconv does not know the charset.
    static func convert(_ bytes: ArraySlice<UInt8>, from charset: String, log: DefectLog?,
                        width: (UInt8) -> Int = { _ in 1 }) -> String? {
        let cd = iconv_open("UTF-8", charset)
        if Int(bitPattern: cd) == -1 {
            // Some labels work once the "x-" prefix is gone.
            guard charset.hasPrefix("X-") else { return nil }
            return convert(bytes, from: String(charset.dropFirst(2)), log: log, width: width)
        }
        defer { iconv_close(cd) }

        var output = [UInt8]()
        output.reserveCapacity(bytes.count * 2 + 16)
        var invalid = false
        var chunk = [UInt8](repeating: 0, count: Swift.max(4096, Swift.min(bytes.count * 3 + 16, 1 << 20)))
        bytes.withUnsafeBufferPointer { input in
            var inPtr = UnsafeMutablePointer<CChar>(mutating: UnsafeRawPointer(input.baseAddress!).assumingMemoryBound(to: CChar.self))
            var inLeft = input.count
            chunk.withUnsafeMutableBufferPointer { out in
                let outBase = UnsafeMutableRawPointer(out.baseAddress!).assumingMemoryBound(to: CChar.self)
                while true {
                    var outPtr: UnsafeMutablePointer<CChar>? = outBase
                    var outLeft = out.count
                    var inOpt: UnsafeMutablePointer<CChar>? = inPtr
                    let result = inLeft > 0 ? iconv(cd, &inOpt, &inLeft, &outPtr, &outLeft) : iconv(cd, nil, nil, &outPtr, &outLeft)
                    let error = result == -1 ? errno : 0
                    inPtr = inOpt ?? inPtr
                    output.append(contentsOf: UnsafeBufferPointer(start: out.baseAddress!, count: out.count - outLeft))
                    if result != -1 {
                        if inLeft == 0 { break } else { continue }
                    }
                    if error == E2BIG { continue }
                    // EILSEQ (invalid byte) or EINVAL (truncated sequence at the end): replace one byte and go on.
                    invalid = true
                    output.append(contentsOf: replacement)
                    if inLeft == 0 { break }
                    let skip = Swift.min(inLeft, Swift.max(1, width(UInt8(bitPattern: inPtr.pointee))))
                    inPtr += skip
                    inLeft -= skip
                    if inLeft == 0 { break }
                }
            }
        }
        if invalid { log?.add(.invalidCharacters, charset.lowercased()) }
        return String(decoding: output, as: UTF8.self)
    }
}

/// ISO-2022-JP (RFC 1468) rewritten as EUC-JP, byte pair for byte pair, for iconv's
/// EUC-JP-MS, which knows the Windows extensions that glibc's ISO-2022-JP refuses.
enum ISO2022JP {
    private enum Mode { case ascii, jisX0208, jisX0212, katakana }

    static func toEUCJP(_ bytes: ArraySlice<UInt8>) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(bytes.count)
        var mode = Mode.ascii
        var i = bytes.startIndex
        while i < bytes.endIndex {
            let b = bytes[i]
            if b == 0x1B, i + 2 < bytes.endIndex {
                let (b1, b2) = (bytes[i + 1], bytes[i + 2])
                switch (b1, b2) {
                case (0x28, 0x42), (0x28, 0x4A), (0x28, 0x48): mode = .ascii; i += 3; continue  // ESC ( B, ESC ( J
                case (0x24, 0x42), (0x24, 0x40): mode = .jisX0208; i += 3; continue  // ESC $ B, ESC $ @
                case (0x28, 0x49): mode = .katakana; i += 3; continue  // ESC ( I
                case (0x24, 0x28) where i + 3 < bytes.endIndex && bytes[i + 3] == 0x44: mode = .jisX0212; i += 4; continue
                default: break
                }
            }
            if b == 0x0D || b == 0x0A { mode = .ascii; out.append(b); i += 1; continue }
            switch mode {
            case .ascii:
                out.append(b)
                i += 1
            case .katakana:
                if b >= 0x21 && b <= 0x5F { out += [0x8E, b | 0x80] } else { out.append(b) }
                i += 1
            case .jisX0208, .jisX0212:
                guard b >= 0x21 && b <= 0x7E, i + 1 < bytes.endIndex else { out.append(b); i += 1; continue }
                if mode == .jisX0212 { out.append(0x8F) }
                out += [b | 0x80, bytes[i + 1] | 0x80]
                i += 2
            }
        }
        return out
    }

    /// How many bytes the EUC-JP character starting with this byte has.
    static func eucWidth(_ lead: UInt8) -> Int { lead == 0x8F ? 3 : lead >= 0x80 ? 2 : 1 }
}
