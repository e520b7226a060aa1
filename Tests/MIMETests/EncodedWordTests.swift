import Testing
@testable import MIME

/// RFC 2047 encoded words.
@Suite struct EncodedWordTests {
    func decode(_ s: String) -> String { EncodedWords.decode(s, log: nil) }

    @Test func base64AndQ() {
        #expect(decode("=?UTF-8?B?w4BsIG1hbsOn?=") == "Àl manç")
        #expect(decode("=?iso-8859-1?q?caf=E9_con_leche?=") == "café con leche")
    }

    @Test func whitespaceBetweenAdjacentWordsIsDropped() {
        #expect(decode("=?utf-8?q?Bon?= =?utf-8?q?dia?=") == "Bondia")
        #expect(decode("=?utf-8?q?Bon_?=\r\n =?utf-8?q?dia?=") == "Bon dia")
    }

    @Test func characterSplitAcrossTwoWordsSurvives() {
        // "ç" is C3 A7 in UTF-8; each word carries one byte.
        #expect(decode("=?utf-8?B?w6fDpw==?=") == "çç")
        #expect(decode("=?utf-8?Q?=C3?= =?utf-8?Q?=A7?=") == "ç")
    }

    @Test func wordsAmongPlainTextKeepTheSpacesAroundThem() {
        #expect(decode("Re: =?utf-8?q?Factura?= pendent") == "Re: Factura pendent")
    }

    @Test func wordInsideAnotherWordIsDecoded() {
        #expect(decode("Re:=?utf-8?q?_hola?=") == "Re: hola")
    }

    @Test func malformedWordsAreLeftAlone() {
        #expect(decode("=?utf-8?x?abc?=") == "=?utf-8?x?abc?=")
        #expect(decode("=?utf-8?q?unterminated") == "=?utf-8?q?unterminated")
        #expect(decode("price =? 3") == "price =? 3")
    }

    @Test func languageSuffixIsIgnored() {
        #expect(decode("=?utf-8*ca?q?hola?=") == "hola")
    }

    @Test func unknownCharsetInWordFallsBack() {
        let log = DefectLog()
        #expect(EncodedWords.decode("=?x-unknown?q?caf=C3=A9?=", log: log) == "café")
    }

    @Test func subjectWithEncodedWordsInHeader() {
        let m = message("Subject: =?ISO-8859-1?B?U29s?=", "  =?ISO-8859-2?B?dXRpb24=?= found", "", "")
        #expect(m.subject == "Solution found")
    }
}
