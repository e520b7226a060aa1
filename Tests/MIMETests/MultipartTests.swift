import Testing
@testable import MIME

/// RFC 2046 §5 multipart bodies and message/rfc822.
@Suite struct MultipartTests {
    @Test func preambleAndEpilogueAreNotParts() {
        let m = message("Content-Type: multipart/mixed; boundary=\"xyz\"", "", "This is a preamble.", "--xyz", "", "first",
                        "--xyz", "Content-Type: text/plain", "", "second", "--xyz--", "epilogue text")
        #expect(m.root.children.count == 2)
        #expect(m.text == "first\n\nsecond")
        #expect(m.defects.isEmpty)
    }

    @Test func missingClosingBoundary() {
        let m = message("Content-Type: multipart/mixed; boundary=b", "", "--b", "", "only part, never closed")
        #expect(m.root.children.count == 1)
        #expect(m.text == "only part, never closed")
        #expect(m.defectKinds == [.missingClosingBoundary])
    }

    @Test func boundaryThatIsPrefixOfAnother() {
        let m = message("Content-Type: multipart/mixed; boundary=ab", "", "--ab", "Content-Type: multipart/alternative; boundary=abc", "",
                        "--abc", "Content-Type: text/plain", "", "inner plain", "--abc", "Content-Type: text/html", "", "<p>inner html</p>",
                        "--abc--", "--ab", "Content-Type: application/pdf", "Content-Disposition: attachment; filename=x.pdf", "", "PDF",
                        "--ab--", "")
        #expect(m.root.children.count == 2)
        #expect(m.root.children[0].children.count == 2)
        #expect(m.text == "inner plain")
        #expect(m.html == "<p>inner html</p>")
        #expect(m.attachments.map(\.filename) == ["x.pdf"])
    }

    @Test func partWithoutHeaders() {
        let m = message("Content-Type: multipart/mixed; boundary=b", "", "--b", "", "no headers here", "--b--", "")
        #expect(m.root.children.first?.header.fields.isEmpty == true)
        #expect(m.text == "no headers here")
    }

    @Test func missingBoundaryParameterReadsBodyAsText() {
        let m = message("Content-Type: multipart/mixed", "", "words we must not lose")
        #expect(m.text == "words we must not lose")
        #expect(m.defectKinds.contains(.missingBoundary))
    }

    @Test func deepNestingIsBounded() {
        var lines = ["Content-Type: multipart/mixed; boundary=b0", ""]
        let depth = 200
        for i in 0..<depth { lines += ["--b\(i)", "Content-Type: multipart/mixed; boundary=b\(i + 1)", ""] }
        lines += ["--b\(depth)", "", "deep text"]
        let m = Message(bytes: Array(lines.joined(separator: "\r\n").utf8))
        #expect(m.defectKinds.contains(.nestingTooDeep))
    }

    @Test func thousandsOfPartsAreBounded() {
        var lines = ["Content-Type: multipart/mixed; boundary=b", ""]
        for i in 0..<20_000 { lines += ["--b", "", "p\(i)"] }
        lines.append("--b--")
        let m = Message(bytes: Array(lines.joined(separator: "\r\n").utf8), limits: ParseLimits(maxDepth: 40, maxParts: 5_000))
        #expect(m.root.children.count < 5_001)
        #expect(m.defectKinds.contains(.tooManyParts))
    }

    @Test func attachedMessageIsParsed() {
        let m = message("Subject: Fwd: question", "Content-Type: multipart/mixed; boundary=b", "", "--b", "", "see below", "--b",
                        "Content-Type: message/rfc822", "", "From: Ana <ana@example.es>", "Subject: Pregunta", "", "inner body",
                        "--b--", "")
        #expect(m.text == "see below")
        #expect(m.attachments.count == 1)
        #expect(m.attachments[0].contentType == "message/rfc822")
        #expect(m.attachments[0].message?.subject == "Pregunta")
        #expect(m.attachments[0].message?.from.first?.name == "Ana")
        #expect(m.attachments[0].message?.text == "inner body")
    }

    @Test func digestPartsDefaultToMessages() {
        let m = message("Content-Type: multipart/digest; boundary=d", "", "--d", "", "Subject: one", "", "1", "--d", "", "Subject: two",
                        "", "2", "--d--", "")
        #expect(m.attachments.compactMap { $0.message?.subject } == ["one", "two"])
    }

    @Test func relatedImagesAreInlineAttachments() {
        let m = message("Content-Type: multipart/related; boundary=r", "", "--r", "Content-Type: text/html", "",
                        "<p>Logo: <img src=\"cid:logo@x\" alt=\"logo\"></p>", "--r", "Content-Type: image/png", "Content-ID: <logo@x>",
                        "Content-Transfer-Encoding: base64", "", "iVBORw0KGgo=", "--r--", "")
        #expect(m.text == "Logo: logo")
        #expect(m.attachments.first?.isInline == true)
        #expect(m.attachments.first?.contentID == "logo@x")
        #expect(m.attachments.first?.size == 8)
    }

    @Test func signedKeepsSignatureAndContent() {
        let m = message("Content-Type: multipart/signed; protocol=\"application/pgp-signature\"; micalg=pgp-sha256; boundary=s", "",
                        "--s", "Content-Type: text/plain", "", "signed words", "--s", "Content-Type: application/pgp-signature",
                        "", "-----BEGIN PGP SIGNATURE-----", "--s--", "")
        #expect(m.text == "signed words")
        #expect(m.attachments.map(\.contentType) == ["application/pgp-signature"])
        // The signed part's raw bytes stay as they were, for verification later.
        #expect(String(decoding: m.root.children[0].raw, as: UTF8.self) == "Content-Type: text/plain\r\n\r\nsigned words")
    }

    @Test func encryptedPartsAreAttachments() {
        let m = message("Content-Type: multipart/encrypted; protocol=\"application/pgp-encrypted\"; boundary=e", "", "--e",
                        "Content-Type: application/pgp-encrypted", "", "Version: 1", "--e", "Content-Type: application/octet-stream",
                        "", "-----BEGIN PGP MESSAGE-----", "--e--", "")
        #expect(m.text == nil)
        #expect(m.attachments.count == 2)
    }

    @Test func bounceExposesDeliveryReport() {
        let m = message("From: MAILER-DAEMON@mx.example (Mail Delivery System)", "Subject: Undelivered Mail Returned to Sender",
                        "Content-Type: multipart/report; report-type=delivery-status; boundary=r", "", "--r", "", "I'm sorry to tell you...",
                        "--r", "Content-Type: message/delivery-status", "", "Reporting-MTA: dns; mx.example", "",
                        "Final-Recipient: rfc822; gone@customer.example", "Action: failed", "Status: 5.1.1",
                        "Diagnostic-Code: smtp; 550 5.1.1 User unknown", "", "--r", "Content-Type: message/rfc822", "",
                        "Message-ID: <n-42@suport.example>", "Subject: [suport#42] Re: hola", "", "body", "--r--", "")
        let report = try! #require(m.deliveryReport)
        #expect(report.reportingMTA == "mx.example")
        #expect(report.recipients.count == 1)
        #expect(report.recipients[0].finalRecipient == "gone@customer.example")
        #expect(report.recipients[0].action == "failed")
        #expect(report.recipients[0].status == "5.1.1")
        #expect(report.returnedMessageID == "n-42@suport.example")
        #expect(report.returnedHeader?["Subject"] == "[suport#42] Re: hola")
        #expect(m.text == "I'm sorry to tell you...")
    }
}
