import Testing
@testable import MIME

/// The rules of docs/mime.md's "Reading mail the way mail clients do", one by one, beside
/// the fixtures in fixtures/mail/thirdparty/.
@Suite struct FidelityTests {
    @Test func aWordWithSpacesIsDecodedOnlyWhenItEndsSoon() {
        #expect(EncodedWords.decode("=?utf-8?Q?Caf=C3=A9 au lait?=", log: nil) == "Café au lait")
        #expect(EncodedWords.decode("=?utf-8?B?Q2Fm w6k=?=", log: nil) == "Café")
        // Another word starts first: the first is no word, the second still is.
        #expect(EncodedWords.decode("=?utf-8?q?a b =?utf-8?q?c?=", log: nil) == "=?utf-8?q?a b c")
        let far = "=?utf-8?q?a " + String(repeating: "x", count: 300) + "?="
        #expect(EncodedWords.decode(far, log: nil) == far)
    }

    @Test func rawBytesInsideAWordBelongToItsCharset() {
        let m = message(bytes: Array("Subject: =?iso-8859-1?Q?Gr".utf8) + [0xFC] + Array("=DFe?= und \u{FC}ber\r\n\r\nx".utf8))
        #expect(m.subject == "Grüße und über")
    }

    @Test func iso2022JPStaysInStepPastAnInvalidPair() {
        // A pair no table has (0x2F 0x21), between two ordinary characters.
        let bytes: [UInt8] = [0x1B, 0x24, 0x42, 0x24, 0x22, 0x2F, 0x21, 0x24, 0x24, 0x1B, 0x28, 0x42, 0x41]
        let (text, defects) = Charset.decode(bytes, label: "iso-2022-jp")
        #expect(text == "あ\u{FFFD}いA")
        #expect(defects.map(\.kind) == [.invalidCharacters])
    }

    @Test func declaredCharsetsAreHintsInOrder() {
        let m = message("Subject: =?koi8-r?q?x?=", "Content-Type: multipart/mixed; boundary=b", "", "--b",
                        "Content-Type: text/plain; charset=\"GB2312\"", "", "x", "--b",
                        "Content-Type: text/html; charset=utf-8", "", "y", "--b--")
        #expect(Message.declaredCharsets(m.root) == ["gb2312", "utf-8", "koi8-r"])
    }

    @Test(arguments: [
        ("Support (desk@example.com)", Address(name: "Support", address: "desk@example.com")),
        ("desk@example.com (Support)", Address(name: "Support", address: "desk@example.com")),
        ("\"john smith\"@example.org", Address(address: "\"john smith\"@example.org")),
        ("<\"jane doe\"@example.org>", Address(address: "\"jane doe\"@example.org")),
        ("Jane <jane @ example.org>", Address(name: "Jane", address: "jane@example.org")),
        ("Support (the desk)", Address(name: "the desk", address: "Support")),
    ])
    func addresses(_ value: String, _ expected: Address) {
        #expect(Address.parseList(value) == [expected])
    }

    @Test func aSenderWithoutAnAddressGivesWayToOneWithIt() {
        #expect(message("From: undisclosed", "From: Ann <ann@example.org>", "", "x").from.map(\.address) == ["ann@example.org"])
        #expect(message("From: undisclosed", "", "x").from.map(\.address) == ["undisclosed"])
    }

    @Test func junkInAPartsHeaderIsJunkOnlyBeforeAField() {
        // In a body part, text right after the fields, with no empty line, stays text.
        let m = message("Content-Type: multipart/mixed; boundary=b", "", "--b", "Content-Type: text/plain", "Hola,",
                        "el node del terrat no respon.", "", "Gràcies", "--b--")
        #expect(m.text?.hasPrefix("Hola,\nel node del terrat no respon.") == true, "\(m.text ?? "")")
    }
}
