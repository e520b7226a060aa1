import Testing
@testable import MIME

/// Hostile shapes finish and keep what they can. (Their timing is in `suport bench hostile`,
/// not here: speed is measured, never asserted.)
@Suite struct HostileInputTests {
    @Test func unterminatedEncodedWordsAreKeptAsText() {
        let subject = String(repeating: "=?utf-8?q?abc", count: 50_000)
        let m = message("Subject: \(subject)", "", "")
        #expect(m.subject == subject)
        #expect(m.defectKinds.contains(.malformedEncodedWord))
    }

    @Test func hugeReferencesAreDeduplicatedInOrder() {
        let ids = (0..<20_000).map { "<r\($0 % 5_000)@x.example>" }.joined(separator: " ")
        let m = message("References: \(ids)", "", "")
        #expect(m.references.count == 5_000)
        #expect(m.references.first == "r0@x.example")
        #expect(m.references.last == "r4999@x.example")
    }

    @Test func nestedLinksStillGiveText() {
        let html = String(repeating: "<a href=\"https://x.example\">", count: 10_000) + "label" + String(repeating: "</a>", count: 10_000)
        let m = message("Content-Type: text/html", "", html)
        #expect(m.text?.hasPrefix("label <https://x.example>") == true)
    }

    @Test func longAddressListIsRead() {
        let list = (0..<5_000).map { "\"Doe, N\($0)\" <n\($0)@x.example>" }.joined(separator: ", ")
        let m = message("To: \(list)", "", "")
        #expect(m.to.count == 5_000)
        #expect(m.to.last == Address(name: "Doe, N4999", address: "n4999@x.example"))
    }

    @Test func manyHeaderFieldsAreAllKept() {
        let fields = (0..<50_000).map { "X-F\($0): v" }
        let m = Message(bytes: Array((fields + ["Subject: last", "", "body"]).joined(separator: "\r\n").utf8))
        #expect(m.header.fields.count == 50_001)
        #expect(m.subject == "last")
    }

    @Test func fiftyMegabyteAttachmentIsDecodedWhole() {
        let payload = [UInt8](repeating: 0xAB, count: 37 * 1024 * 1024)
        let encoded = Base64.encode(payload)
        var raw = Array("Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\nhi\r\n--b\r\nContent-Type: application/zip\r\nContent-Transfer-Encoding: base64\r\n\r\n".utf8)
        raw += encoded
        raw += Array("\r\n--b--\r\n".utf8)
        let m = Message(bytes: raw)
        #expect(m.attachments.count == 1)
        #expect(m.attachments.first?.size == payload.count)
        #expect(m.attachments.first?.data == payload)
        #expect(m.text == "hi")
    }
}
