import Testing
@testable import MIME

/// RFC 5322 §2.2 header fields and §3.5 the header/body split.
@Suite struct HeaderTests {
    @Test func foldedSubjectIsUnfolded() {
        let m = message("Subject: a long", "\tsubject line", " continued", "", "body")
        #expect(m.subject == "a long\tsubject line continued")
        #expect(m.text == "body")
    }

    @Test func repeatedFieldsAreKeptInOrder() {
        let m = message("Received: one", "X-A: 1", "Received: two", "Received: three", "", "")
        #expect(m.header.all("received").map { String(decoding: $0.unfoldedBytes, as: UTF8.self) } == ["one", "two", "three"])
        #expect(m.header.fields.map(\.name) == ["Received", "X-A", "Received", "Received"])
    }

    @Test(arguments: ["\r\n", "\n", "\r"])
    func lineEndingsAreAllUnderstood(_ eol: String) {
        let raw = ["From: a@b.example", "Subject: hi", "", "line one", "line two"].joined(separator: eol)
        let m = Message(bytes: Array(raw.utf8))
        #expect(m.subject == "hi")
        #expect(m.from.first?.address == "a@b.example")
        #expect(m.text == "line one\nline two")
    }

    @Test func mixedLineEndingsInOneHeader() {
        let m = Message(bytes: Array("Subject: one\r\nFrom: a@b.example\nTo: c@d.example\r\n\nbody".utf8))
        #expect(m.subject == "one")
        #expect(m.to.first?.address == "c@d.example")
        #expect(m.text == "body")
    }

    @Test func bareCRIsRecorded() {
        let m = Message(bytes: Array("Subject: x\rFrom: a@b.example\r\rbody".utf8))
        #expect(m.subject == "x")
        #expect(m.defectKinds.contains(.bareCarriageReturn))
    }

    @Test func mboxFromLineIsSkipped() {
        let m = message("From alice@example.org Thu May  3 11:36:43 2012", "Subject: mbox", "", "hello")
        #expect(m.subject == "mbox")
        #expect(m.defectKinds.contains(.mboxFromLine))
        #expect(m.header.first("From") == nil)
    }

    @Test func messageWithNoHeadersIsAllBody() {
        let m = message("Just some text, no headers at all.", "Second line.")
        #expect(m.header.fields.isEmpty)
        #expect(m.text == "Just some text, no headers at all.\nSecond line.")
        #expect(m.defectKinds.contains(.noHeaders))
    }

    @Test func emptyFirstLineMeansEmptyHeader() {
        let m = message("", "body only")
        #expect(m.header.fields.isEmpty)
        #expect(m.text == "body only")
        #expect(m.defects.isEmpty)
    }

    @Test func lineWithoutColonBetweenFieldsIsSkipped() {
        let m = message("Subject: kept", "this line is broken", "From: a@b.example", "", "body")
        #expect(m.subject == "kept")
        #expect(m.from.first?.address == "a@b.example")
        #expect(m.text == "body")
        #expect(m.defectKinds.contains(.invalidHeaderLine))
    }

    @Test func missingSeparatorStartsBodyAtFirstNonField() {
        let m = message("Subject: no blank line", "Hello there,", "this is the body.")
        #expect(m.subject == "no blank line")
        #expect(m.text == "Hello there,\nthis is the body.")
        #expect(m.defectKinds.contains(.missingHeaderBodySeparator))
    }

    @Test func rawUTF8HeaderIsRead() {
        let m = message("Subject: Consulta sobre la quota de soci · gràcies", "", "")
        #expect(m.subject == "Consulta sobre la quota de soci · gràcies")
        #expect(m.defects.isEmpty)
    }

    @Test func rawLatin1HeaderUsesThePartCharset() {
        var bytes = Array("Subject: Petici".utf8) + [0xF3] + Array("n de baja\r\nContent-Type: text/plain; charset=iso-8859-1\r\n\r\nx".utf8)
        bytes += []
        let m = Message(bytes: bytes)
        #expect(m.subject == "Petición de baja")
        #expect(m.defectKinds.contains(.eightBitHeader))
    }

    @Test func spaceBeforeColonIsAccepted() {
        let m = message("Subject : obsolete but seen", "", "")
        #expect(m.subject == "obsolete but seen")
    }

    @Test func megabyteHeaderLineIsParsed() {
        let long = String(repeating: "x", count: 2_000_000)
        let m = message("X-Long: \(long)", "Subject: after", "", "body")
        #expect(m.subject == "after")
        #expect(m.header.first("X-Long")?.unfoldedBytes.count == 2_000_000)
    }

    @Test func headersOnlyMessageHasNoBody() {
        let m = message("Subject: only headers", "From: a@b.example")
        #expect(m.subject == "only headers")
        #expect(m.text == nil || m.text == "")
    }

    @Test func zeroBytesIsAnEmptyMessageWithADefect() {
        let m = Message(bytes: [UInt8]())
        #expect(m.subject == nil)
        #expect(m.header.fields.isEmpty)
        #expect(!m.defects.isEmpty)
    }
}
