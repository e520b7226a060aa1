import Foundation
import Testing
@testable import MIME

/// Choosing the body, HTML to text, dates and identifiers.
@Suite struct BodyTests {
    @Test func alternativePrefersPlain() {
        let m = message("Content-Type: multipart/alternative; boundary=a", "", "--a", "Content-Type: text/plain; charset=utf-8", "",
                        "plain", "--a", "Content-Type: text/html; charset=utf-8", "", "<b>rich</b>", "--a--", "")
        #expect(m.text == "plain")
        #expect(m.html == "<b>rich</b>")
        #expect(m.attachments.isEmpty)
    }

    @Test func htmlOnlyGivesReadableTextWithLinks() {
        let html = "<html><head><style>p{color:red}</style></head><body><p>Hola&nbsp;Anna,</p><p>Mira <a href=\"https://example.cat/f\">la factura</a>.</p><ul><li>u</li><li>dos</li></ul><script>x()</script>Salut &amp; gr&agrave;cies</body></html>"
        let m = message("Content-Type: text/html; charset=utf-8", "", html)
        #expect(m.text == "Hola Anna,\n\nMira la factura <https://example.cat/f>.\n\n- u\n- dos\n\nSalut & gràcies")
        #expect(m.html == html)
    }

    @Test func textAttachmentIsNotBody() {
        let m = message("Content-Type: multipart/mixed; boundary=m", "", "--m", "", "body", "--m", "Content-Type: text/plain; name=log.txt",
                        "Content-Disposition: attachment; filename=log.txt", "", "log lines", "--m--", "")
        #expect(m.text == "body")
        #expect(m.attachments.map(\.filename) == ["log.txt"])
        #expect(m.attachments.first?.data == Array("log lines".utf8))
    }

    @Test func flowedTextIsUnwrapped() {
        let m = message("Content-Type: text/plain; charset=utf-8; format=flowed", "", "This is a long ", "paragraph.", "> quoted ",
                        "> more", "-- ", "sig")
        #expect(m.text == "This is a long paragraph.\n> quoted more\n-- \nsig")
    }

    @Test(arguments: [
        ("Thu, 3 May 2012 11:36:43 +0200", "2012-05-03T09:36:43Z"),
        ("3 May 2012 11:36:43 +0200", "2012-05-03T09:36:43Z"),
        ("Thu, 03 May 12 11:36 GMT", "2012-05-03T11:36:00Z"),
        ("Thu, 3 May 2012 11:36:43 EDT", "2012-05-03T15:36:43Z"),
        ("Thu, 3 May 2012 11:36:43 +0200 (CEST)", "2012-05-03T09:36:43Z"),
        ("thu, 3 may 2012 11:36:43 -0000", "2012-05-03T11:36:43Z"),
        ("Thu, 3-May-2012 11:36:43 +0200", "2012-05-03T09:36:43Z"),
        ("2012-05-03 11:36:43", "2012-05-03T11:36:43Z"),
        ("Mon, 31 Dec 99 23:59:59 -0800", "2000-01-01T07:59:59Z"),
    ])
    func datesAreReadIntoUTC(_ value: String, _ expected: String) {
        let date = try! #require(DateParser.parse(value))
        var style = Date.ISO8601FormatStyle()
        style.timeZone = TimeZone(identifier: "UTC")!
        #expect(date.formatted(style) == expected)
    }

    @Test func unreadableDateIsADefect() {
        let m = message("Date: sometime last week", "", "")
        #expect(m.date == nil)
        #expect(m.defectKinds == [.invalidDate])
    }

    @Test func identifiers() {
        let m = message("Message-ID: <a1@x.example>", "In-Reply-To: <p1@x.example> (comment)", "References: <r1@x.example>",
                        " <r2@x.example>  <p1@x.example>", "", "")
        #expect(m.messageID == "a1@x.example")
        #expect(m.inReplyTo == ["p1@x.example"])
        #expect(m.references == ["r1@x.example", "r2@x.example", "p1@x.example"])
        #expect(MessageIDs.list("bare@x.example other@y.example") == ["bare@x.example", "other@y.example"])
    }
}
