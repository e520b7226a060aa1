import Testing
@testable import MIME

/// RFC 2045 §6 content transfer encodings, and uuencode.
@Suite struct TransferEncodingTests {
    func b64(_ s: String) -> ([UInt8], [Defect.Kind]) {
        let log = DefectLog()
        return (Base64.decode(Array(s.utf8)[...], log: log), log.items.map(\.kind))
    }

    func qp(_ s: String) -> ([UInt8], [Defect.Kind]) {
        let log = DefectLog()
        return (QuotedPrintable.decode(Array(s.utf8)[...], log: log), log.items.map(\.kind))
    }

    @Test func base64WithLineBreaks() {
        #expect(b64("SGVs\r\nbG8g\r\nd29y\r\nbGQ=") == (Array("Hello world".utf8), []))
    }

    @Test func base64MissingPadding() {
        let (bytes, defects) = b64("SGVsbG8gd29ybGQ")
        #expect(bytes == Array("Hello world".utf8))
        #expect(defects == [.invalidBase64])
    }

    @Test func base64Garbage() {
        let (bytes, defects) = b64("SGVs!!bG8*gd29y$bGQ=")
        #expect(bytes == Array("Hello world".utf8))
        #expect(defects == [.invalidBase64])
    }

    @Test func base64RoundTrip() {
        let data = (0..<1000).map { UInt8(truncatingIfNeeded: $0 * 7) }
        let encoded = Base64.encode(data)
        #expect(Base64.decode(encoded[...], log: nil) == data)
        #expect(encoded.split(separator: ASCII.lf).allSatisfy { $0.count <= 77 })
    }

    @Test func qpSoftBreaksAndEscapes() {
        #expect(qp("Bon=\r\ndia =C3=A0 tothom=\n!") == (Array("Bondia à tothom!".utf8), []))
    }

    @Test func qpLowercaseHexAndSoftBreakWithTrailingSpace() {
        #expect(qp("a=c3=a0b= \r\nc").0 == Array("aàbc".utf8))
    }

    @Test func qpBadEscapeKeptLiterally() {
        let (bytes, defects) = qp("100=ZZ sure=")
        #expect(bytes == Array("100=ZZ sure".utf8))
        #expect(defects == [.invalidQuotedPrintable])
    }

    @Test func qpTrailingWhitespaceIsDropped() {
        #expect(qp("line   \r\nnext\t\r\n").0 == Array("line\r\nnext\r\n".utf8))
    }

    @Test func uuencodedAttachmentPart() {
        let m = message("Content-Type: multipart/mixed; boundary=b", "", "--b", "Content-Type: text/plain", "", "see file", "--b",
                        "Content-Type: application/octet-stream", "Content-Transfer-Encoding: x-uuencode", "",
                        "begin 644 hi.txt", "(:&D@=&AE<F4`", "`", "end", "--b--", "")
        #expect(m.attachments.count == 1)
        #expect(m.attachments.first?.data == Array("hi there".utf8))
        #expect(m.text == "see file")
    }

    @Test func inlineUUEncodeInTextBecomesAttachment() {
        let m = message("Subject: old client", "", "Here it is:", "", "begin 644 cat.txt", "#8V%T", "`", "end", "", "Bye")
        #expect(m.attachments.count == 1)
        #expect(m.attachments.first?.filename == "cat.txt")
        #expect(m.attachments.first?.data == Array("cat".utf8))
        #expect(m.text?.contains("begin 644") == false)
        #expect(m.text?.contains("Bye") == true)
    }

    @Test func unknownEncodingKeepsBytes() {
        let m = message("Content-Transfer-Encoding: x-rot13", "", "uryyb")
        #expect(m.text == "uryyb")
        #expect(m.defectKinds.contains(.unknownTransferEncoding))
    }
}
