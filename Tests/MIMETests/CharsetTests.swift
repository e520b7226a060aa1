import Testing
@testable import MIME

/// Charset decoding through iconv, with aliases, mislabels and fallbacks.
@Suite struct CharsetTests {
    func decode(_ bytes: [UInt8], _ label: String?) -> (String, [Defect.Kind]) {
        let (t, d) = Charset.decode(bytes, label: label)
        return (t, d.map(\.kind))
    }

    @Test(arguments: [
        ("iso-8859-1", [0x63, 0x61, 0x66, 0xE9] as [UInt8], "café"),
        ("windows-1252", [0x80, 0x20, 0x93, 0x6F, 0x6B, 0x94], "€ “ok”"),
        ("iso-8859-15", [0xA4], "€"),
        ("koi8-r", [0xF0, 0xD2, 0xC9, 0xD7, 0xC5, 0xD4], "Привет"),
        ("euc-jp", [0xC6, 0xFC, 0xCB, 0xDC], "日本"),
        ("shift_jis", [0x93, 0xFA, 0x96, 0x7B], "日本"),
        ("iso-2022-jp", [0x1B, 0x24, 0x42, 0x46, 0x7C, 0x4B, 0x5C, 0x1B, 0x28, 0x42], "日本"),
        ("gb2312", [0xD6, 0xD0, 0xCE, 0xC4], "中文"),
        ("big5", [0xA4, 0xA4, 0xA4, 0xE5], "中文"),
        ("euc-kr", [0xC7, 0xD1, 0xB1, 0xDB], "한글"),
        ("ks_c_5601-1987", [0xC7, 0xD1, 0xB1, 0xDB], "한글"),
        ("unicode-1-1-utf-7", Array("+AOk-".utf8), "é"),
        ("\"ISO-8859-1\"", [0xE0], "à"),
        ("utf-16le", [0x41, 0x00, 0xE7, 0x00], "Aç"),
    ])
    func knownCharsets(_ label: String, _ bytes: [UInt8], _ expected: String) {
        let (text, defects) = decode(bytes, label)
        #expect(text == expected)
        #expect(defects.isEmpty)
    }

    @Test func unknownLabelWithUTF8Bytes() {
        let (text, defects) = decode(Array("gràcies".utf8), "x-unknown")
        #expect(text == "gràcies")
        #expect(defects == [.charsetGuessed])
    }

    @Test func garbageLabelFallsBackToWindows1252() {
        let (text, defects) = decode([0x61, 0xE7, 0x61], "klingon-42")
        #expect(text == "aça")
        #expect(defects == [.unknownCharset, .charsetGuessed])
    }

    @Test func missingLabel() {
        #expect(decode(Array("Núria".utf8), nil) == ("Núria", [.charsetGuessed]))
        #expect(decode(Array("Nuria".utf8), nil) == ("Nuria", []))
        #expect(decode([0x4E, 0xFA, 0x72, 0x69, 0x61], nil) == ("Núria", [.charsetGuessed]))
    }

    @Test func utf8LabelOnLatin1Bytes() {
        #expect(decode([0x4E, 0xFA, 0x72, 0x69, 0x61], "utf-8") == ("Núria", [.charsetGuessed]))
    }

    @Test func utf8WithOneBadByteKeepsUTF8() {
        let (text, defects) = decode(Array("això ".utf8) + [0xFF], "utf-8")
        #expect(text.hasPrefix("això"))
        #expect(defects == [.invalidCharacters])
    }

    @Test func invalidBytesInDeclaredCharsetAreReplaced() {
        let (text, defects) = decode([0x41, 0x80, 0x42], "shift_jis")
        #expect(text.hasPrefix("A"))
        #expect(defects == [.invalidCharacters])
    }

    @Test func largeInputConvertsCompletely() {
        let bytes = [UInt8](repeating: 0xE9, count: 3_000_000)
        let (text, _) = decode(bytes, "iso-8859-1")
        #expect(text.count == 3_000_000)
    }

    @Test func latin1LabelledBodyThatIsUTF8() {
        let m = message("Content-Type: text/plain; charset=iso-8859-1", "", "Bon dia, què tal?")
        #expect(m.text == "Bon dia, què tal?")
        #expect(m.defectKinds == [.charsetGuessed])
    }
}
