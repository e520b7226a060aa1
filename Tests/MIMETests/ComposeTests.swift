import Foundation
import PropertyBased
import Testing
@testable import MIME

/// Composing outgoing messages, and reading them back.
@Suite struct ComposeTests {
    func sample() -> OutgoingMessage {
        var m = OutgoingMessage(from: Address(name: "Suport de la Xarxa", address: "suport@xarxa.example"),
                                to: [Address(name: "Núria Ferrà", address: "nuria@example.cat")],
                                subject: "[suport#12] Re: El router no s'encén", messageID: "n12.1@xarxa.example",
                                text: "Hola Núria,\n\nJa està resolt.\n")
        m.inReplyTo = ["abc@mail.example"]
        m.references = ["root@mail.example", "abc@mail.example"]
        m.autoSubmitted = "auto-replied"
        m.extraHeaders = [("X-Suport-Loop", "instance-1")]
        m.date = Date(timeIntervalSince1970: 1_336_037_803)
        return m
    }

    @Test func rendersAndParsesBack() throws {
        let bytes = try sample().render()
        let parsed = Message(bytes: bytes)
        #expect(parsed.subject == "[suport#12] Re: El router no s'encén")
        #expect(parsed.from == [Address(name: "Suport de la Xarxa", address: "suport@xarxa.example")])
        #expect(parsed.to == [Address(name: "Núria Ferrà", address: "nuria@example.cat")])
        #expect(parsed.messageID == "n12.1@xarxa.example")
        #expect(parsed.inReplyTo == ["abc@mail.example"])
        #expect(parsed.references == ["root@mail.example", "abc@mail.example"])
        #expect(parsed.header["Auto-Submitted"] == "auto-replied")
        #expect(parsed.header["X-Suport-Loop"] == "instance-1")
        #expect(parsed.header["Date"] == "Thu, 03 May 2012 09:36:43 +0000")
        #expect(parsed.text == "Hola Núria,\n\nJa està resolt.\n")
        #expect(parsed.defects.isEmpty)
    }

    @Test func everyLineIsCRLFAndAtMost78InTheHeader() throws {
        var m = sample()
        m.subject = String(repeating: "Una línia molt llarga amb accents àèéíòóú ", count: 8)
        m.references = (0..<30).map { "ref\($0).with.a.long.left.part@mail.example" }
        let bytes = try m.render()
        let text = String(decoding: bytes, as: UTF8.self)
        let header = text.components(separatedBy: "\r\n\r\n")[0]
        for line in header.components(separatedBy: "\r\n") { #expect(line.utf8.count <= 78, "\(line)") }
        #expect(!bytes.enumerated().contains { $0.element == ASCII.lf && ($0.offset == 0 || bytes[$0.offset - 1] != ASCII.cr) })
        #expect(Message(bytes: bytes).subject == HeaderEncoding.sanitize(m.subject))
    }

    @Test(arguments: ["subject", "name", "extra", "filename", "autoSubmitted"])
    func crlfInAnyValueNeverStartsAHeaderLine(_ field: String) throws {
        let evil = "innocent\r\nBcc: victim@evil.example\r\n\r\nbody\nX-Injected: yes\0"
        var m = sample()
        switch field {
        case "subject": m.subject = evil
        case "name": m.to = [Address(name: evil, address: "nuria@example.cat")]
        case "extra": m.extraHeaders = [("X-Note", evil)]
        case "filename": m.attachments = [OutgoingAttachment(filename: evil, contentType: "text/plain", data: [1, 2, 3])]
        default: m.autoSubmitted = evil
        }
        let parsed = Message(bytes: try m.render())
        #expect(parsed.header.first("Bcc") == nil)
        #expect(parsed.header.first("X-Injected") == nil)
        for part in [parsed.root] + parsed.root.children { #expect(part.header.first("Bcc") == nil) }
        #expect(parsed.defects.isEmpty)
    }

    @Test func addressesThatCouldInjectAreRefused() {
        for bad in ["a@b.example\r\nBcc: x@y", "a b@c.example", "<a@b.example>", "no-at-sign", "a@b@c", "a@b.example,c@d.example"] {
            var m = sample()
            m.to = [Address(address: bad)]
            #expect(throws: ComposeError.invalidAddress(bad)) { try m.render() }
        }
    }

    @Test func badMessageIDsAreRefusedOrDropped() throws {
        var m = sample()
        m.messageID = "x>\r\nBcc: y@z"
        #expect(throws: ComposeError.invalidMessageID(m.messageID)) { try m.render() }
        m = sample()
        m.references = ["ok@mail.example", "bad>\r\nBcc: y@z"]
        #expect(Message(bytes: try m.render()).references == ["ok@mail.example"])
    }

    @Test func htmlAndAttachmentsMakeMultiparts() throws {
        var m = sample()
        m.html = "<p>Hola <b>Núria</b></p>"
        m.attachments = [OutgoingAttachment(filename: "Factura de l·any.pdf", contentType: "application/pdf", data: Array(repeating: 7, count: 5000)),
                         OutgoingAttachment(filename: "notes.txt", contentType: "bad type!", data: Array("x".utf8))]
        let parsed = Message(bytes: try m.render())
        #expect(parsed.root.contentType.mimeType == "multipart/mixed")
        #expect(parsed.text == "Hola Núria,\n\nJa està resolt.")
        #expect(parsed.html == "<p>Hola <b>Núria</b></p>")
        #expect(parsed.attachments.map(\.filename) == ["Factura de l·any.pdf", "notes.txt"])
        #expect(parsed.attachments.map(\.contentType) == ["application/pdf", "application/octet-stream"])
        #expect(parsed.attachments[0].data == Array(repeating: 7, count: 5000))
        #expect(parsed.defects.isEmpty)
    }

    @Test func bodyEncodingFitsTheText() throws {
        var m = sample()
        m.text = "plain ascii\n"
        #expect(String(decoding: try m.render(), as: UTF8.self).contains("Content-Transfer-Encoding: 7bit"))
        m.text = "mostly ascii with one à\n"
        #expect(String(decoding: try m.render(), as: UTF8.self).contains("quoted-printable"))
        m.text = "日本語のテキストです。"
        #expect(String(decoding: try m.render(), as: UTF8.self).contains("Content-Transfer-Encoding: base64"))
        #expect(Message(bytes: try m.render()).text == "日本語のテキストです。\n")
    }

    @Test func fromAtLineStartIsEscapedInQuotedPrintable() throws {
        var m = sample()
        m.text = "línia\nFrom here on\n"
        let raw = String(decoding: try m.render(), as: UTF8.self)
        #expect(raw.contains("=46rom here on"))
        #expect(Message(bytes: try m.render()).text == "línia\nFrom here on\n")
    }

    // MARK: properties

    /// Latin text with controls, Japanese, and pieces of what senders really write.
    static let latinish = Gen<UnicodeScalar>.unicodeScalar(in: "\u{0}"..."\u{24F}").map { Character($0) }.string(of: 0...120)
    static let japanese = Gen<UnicodeScalar>.unicodeScalar(in: "\u{3040}"..."\u{30FF}").map { Character($0) }.string(of: 0...60)
    static let pieces = Gen<String?>.element(of: ["àèéíïòóúüç·ñ¿¡€", "日本語", "Привет", " =?utf-8?q?x?= ", "\"quoted\\", "a\r\nb",
                                                  "Re: [suport#1]", "  ", "😀👍🏽", "tab\there", "x"])
        .map { $0! }.array(of: 1...12).map { $0.joined(separator: " ") }
    static let anyText = Gen<String>.oneOf(latinish, japanese, pieces)

    @Test func subjectsRoundTrip() async throws {
        await propertyCheck(count: 300, input: Self.anyText) { subject in
            var m = sample()
            m.subject = subject
            guard let bytes = try? m.render() else { Issue.record("render failed"); return }
            #expect(Message(bytes: bytes).subject == HeaderEncoding.sanitize(subject))
        }
    }

    @Test func displayNamesRoundTrip() async throws {
        await propertyCheck(count: 300, input: Self.anyText) { name in
            var m = sample()
            m.to = [Address(name: name, address: "a@b.example"), Address(name: "Second", address: "c@d.example")]
            guard let bytes = try? m.render() else { Issue.record("render failed"); return }
            let parsed = Message(bytes: bytes)
            let expected = HeaderEncoding.sanitize(name)
            #expect(parsed.to.first == Address(name: expected.isEmpty ? nil : collapseSpaces(expected), address: "a@b.example"))
            #expect(parsed.to.count == 2)
        }
    }

    @Test func bodiesRoundTrip() async throws {
        await propertyCheck(count: 200, input: Gen<String>.oneOf(Self.anyText, Gen<UnicodeScalar>.unicodeScalar(in: "\u{0}"..."\u{7FF}").map { Character($0) }.string(of: 0...3000))) { text in
            var m = sample()
            m.text = text
            m.html = text.isEmpty ? nil : "<pre>x</pre>"
            guard let bytes = try? m.render() else { Issue.record("render failed"); return }
            let parsed = Message(bytes: bytes)
            // A blank plain alternative beside HTML is no body: the HTML's text is.
            let blank = !text.isEmpty && text.allSatisfy(\.isWhitespace)
            #expect(trimmedNewlines(parsed.text ?? "") == (blank ? "x" : trimmedNewlines(normalizedBody(text))))
        }
    }
}

/// What a reader gets back from a body: line endings as LF.
func normalizedBody(_ s: String) -> String { normalizeLineEndings(s) }

func trimmedNewlines(_ s: String) -> String {
    var t = Substring(s)
    while t.last == "\n" { t = t.dropLast() }
    return String(t)
}

/// Atoms of a display name are rejoined with single spaces.
func collapseSpaces(_ s: String) -> String { s }
