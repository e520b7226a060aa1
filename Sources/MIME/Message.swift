import Foundation

/// A parsed Internet message (RFC 5322, MIME, RFC 6532) with what a ticket needs from it.
///
/// Parsing never throws: damage is recorded in `defects` and the most sensible reading
/// is kept. The raw bytes stay available, unchanged, in `raw`.
public struct Message: Sendable {
    /// The message exactly as received.
    public let raw: ArraySlice<UInt8>
    /// The root of the part tree; its header is the message header.
    public let root: Part
    public var header: Header { root.header }

    /// The decoded Subject, unfolded and trimmed.
    public let subject: String?
    public let from: [Address]
    public let sender: [Address]
    public let replyTo: [Address]
    public let to: [Address]
    public let cc: [Address]
    /// The Message-ID without angle brackets.
    public let messageID: String?
    public let inReplyTo: [String]
    public let references: [String]
    /// The Date field as an instant, or nil when absent or unreadable.
    public let date: Date?
    /// The best plain-text body: text/plain where there is one, else text made from the HTML.
    public let text: String?
    /// The HTML body, when the sender gave one.
    public let html: String?
    /// Every part that is not the body: files, inline images, attached messages.
    public let attachments: [Attachment]
    /// For a delivery status notification (a bounce): what it reports.
    public let deliveryReport: DeliveryReport?
    /// What was wrong with the message, in the order it was found.
    public let defects: [Defect]

    /// Parses raw message bytes.
    public init(bytes: [UInt8], limits: ParseLimits = ParseLimits()) {
        let log = DefectLog()
        let parser = PartParser(limits: limits, log: log)
        self.init(parsing: bytes[...], parser: parser, depth: 0, log: log)
    }

    /// Parses raw message bytes from any collection (Data, a String's UTF-8 view).
    public init(bytes: some Collection<UInt8>) {
        self.init(bytes: Array(bytes))
    }

    /// An enclosed message/rfc822: its own defects, but the part count is shared with the outer message.
    init(parsing raw: ArraySlice<UInt8>, parser outer: PartParser, depth: Int) {
        let log = DefectLog()
        let inner = PartParser(limits: outer.limits, log: log)
        inner.partCount = outer.partCount
        self.init(parsing: raw, parser: inner, depth: depth, log: log)
        outer.partCount = inner.partCount
        for defect in log.items { outer.log.add(defect.kind, defect.detail) }
    }

    private init(parsing raw: ArraySlice<UInt8>, parser: PartParser, depth: Int, log: DefectLog) {
        self.raw = raw
        if raw.isEmpty { log.add(.noHeaders, "empty message") }
        let root = parser.parse(raw, depth: depth, isPart: false, defaultType: .textPlain)
        self.root = root
        // The hints matter only to raw 8-bit header bytes: most mail has none, and skips the walk.
        let header = root.header.fields.allSatisfy({ $0.rawValue.isASCII }) ? root.header
                                                                             : root.header.hinted(by: Self.declaredCharsets(root))

        subject = header.first("Subject").map { header.text(of: $0, log: log).trimming(" \t") }
        func addresses(_ name: String) -> [Address] {
            header.all(name).flatMap { AddressParser.parse(header.raw8bitText($0.unfoldedBytes, log: log), log: log) }
        }
        // A mailbox without "@" ("[unknown]", "undisclosed") is never the sender when one with "@" exists.
        func senders(_ name: String) -> [Address] {
            let all = addresses(name)
            guard all.contains(where: { $0.address.contains("@") }), all.contains(where: { !$0.address.contains("@") }) else { return all }
            log.add(.invalidAddress, "\(name) without an address left out")
            return all.filter { $0.address.contains("@") }
        }
        from = senders("From")
        sender = senders("Sender")
        replyTo = senders("Reply-To")
        to = addresses("To")
        cc = addresses("Cc")
        messageID = MessageIDs.list(header.structuredText("Message-ID", log: log)).first
        inReplyTo = MessageIDs.list(header.structuredText("In-Reply-To", log: log))
        references = header.all("References").flatMap { MessageIDs.list(header.raw8bitText($0.unfoldedBytes, log: nil)) }
        if let value = header.structuredText("Date", log: log) {
            date = DateParser.parse(value)
            if date == nil { log.add(.invalidDate, value) }
        } else {
            date = nil
        }

        var collector = BodyCollector(log: log)
        collector.collect(root, want: .all, depth: 0)
        text = collector.text ?? collector.html.map(HTMLText.render)
        html = collector.html
        attachments = collector.attachments
        deliveryReport = collector.report
        defects = log.items
    }
}

extension Message {
    /// The charsets a message declares for its text, in order: its text parts' charset
    /// parameters, then the charsets of the encoded words in its header. A few at most.
    static func declaredCharsets(_ root: Part) -> [String] {
        var found: [String] = []
        func add(_ charset: String) {
            let c = Charset.normalizedLabel(charset)
            if !c.isEmpty, !found.contains(c), found.count < 4 { found.append(c) }
        }
        var stack = [root]
        var visited = 0
        while let part = stack.popLast(), visited < 64 {
            visited += 1
            if part.contentType.type == "text", let c = part.contentType.charset { add(c) }
            stack += part.children.reversed()
        }
        for field in root.header.fields where field.rawValue.count < 4096 {
            var i = field.rawValue.startIndex
            while let at = field.rawValue.firstIndex(of: [ASCII.equals, ASCII.question], from: i) {
                let start = at + 2
                let end = field.rawValue[start...].prefix(40).firstIndex(of: ASCII.question) ?? start
                if end > start { add(String(decoding: field.rawValue[start..<end], as: UTF8.self)) }
                i = max(end, start)
            }
        }
        return found
    }
}

/// A part of a message that is not its body text.
public struct Attachment: Sendable {
    /// The sender's file name, decoded; nil when none was given.
    public let filename: String?
    /// "type/subtype", lowercased.
    public let contentType: String
    /// The decoded bytes.
    public let data: [UInt8]
    /// True when the sender meant it to be shown in the body (Content-Disposition: inline, or an image referenced by Content-ID).
    public let isInline: Bool
    /// The Content-ID without brackets.
    public let contentID: String?
    /// For an attached message: the message itself.
    public let message: Message?

    public var size: Int { data.count }
}

/// RFC 3464: what a delivery status notification says.
public struct DeliveryReport: Sendable {
    /// One recipient's fate.
    public struct Recipient: Sendable {
        /// The address from Final-Recipient (without the `rfc822;` type).
        public let finalRecipient: String?
        public let originalRecipient: String?
        /// "failed", "delayed", "delivered", "relayed" or "expanded".
        public let action: String?
        /// The RFC 3463 status code, e.g. "5.1.1".
        public let status: String?
        public let diagnosticCode: String?
    }

    public let reportingMTA: String?
    public let recipients: [Recipient]
    /// The header of the message that could not be delivered, when the report returned it.
    public let returnedHeader: Header?

    /// The Message-ID of the returned message.
    public var returnedMessageID: String? {
        returnedHeader.flatMap { MessageIDs.list($0["Message-ID"]).first }
    }
}

/// Walks the part tree once, choosing the body and collecting the rest as attachments.
struct BodyCollector {
    struct Want: OptionSet {
        let rawValue: Int
        static let text = Want(rawValue: 1), html = Want(rawValue: 2), attachments = Want(rawValue: 4)
        static let all: Want = [.text, .html, .attachments]
    }

    let log: DefectLog
    private var texts: [String] = []
    private var htmls: [String] = []
    private(set) var attachments: [Attachment] = []
    private(set) var report: DeliveryReport? = nil

    init(log: DefectLog) { self.log = log }

    var text: String? { joined(texts) }
    var html: String? { joined(htmls) }

    private func joined(_ pieces: [String]) -> String? {
        if pieces.isEmpty { return nil }
        if pieces.count == 1 { return pieces[0] }
        return pieces.map { $0.trimming("\n") }.joined(separator: "\n\n")
    }

    mutating func collect(_ part: Part, want: Want, depth: Int) {
        let type = part.contentType
        guard type.isMultipart, !part.children.isEmpty else {
            leaf(part, want: want)
            return
        }
        let children = part.children
        switch type.subtype {
        case "alternative":
            // The plain representation: a text/plain part, or a multipart of plain text and files
            // (Apple Mail's text with an image); the rich one: the last HTML, or a multipart holding it.
            let plain = children.first { isBodyText($0, "plain") || ($0.contentType.isMultipart && contains($0, "plain") && !contains($0, "html")) }
            let rich = children.last { $0 !== plain && (isBodyText($0, "html") || ($0.contentType.isMultipart && contains($0, "html"))) }
            var plainUsed = false
            if let plain {
                if plain.contentType.isMultipart {
                    let before = texts.count
                    collect(plain, want: want, depth: depth + 1)
                    plainUsed = texts[before...].contains { !$0.allSatisfy(\.isWhitespace) } || rich == nil
                } else if want.contains(.text) {
                    // An empty plain alternative beside HTML is no body: the HTML's text is.
                    let text = decodeText(plain, want: want)
                    plainUsed = !text.allSatisfy(\.isWhitespace) || rich == nil
                    if plainUsed { texts.append(text) }
                } else if want.contains(.attachments) {
                    attach(plain)
                }
            }
            if let rich {
                let before = htmls.count
                collect(rich, want: plainUsed ? want.subtracting(.text) : want.union(want.contains(.text) ? .html : []), depth: depth + 1)
                if !plainUsed, want.contains(.text) { texts += htmls[before...].map(HTMLText.render) }
            }
            if plain == nil && rich == nil, let last = children.last { collect(last, want: want, depth: depth + 1) }
            // Never drop a part: every other representation is kept as an attachment.
            for child in children where child !== plain && child !== rich && !(plain == nil && rich == nil && child === children.last) {
                collectAsAttachment(child, want: want, depth: depth)
            }
        case "related":
            let start = type.parameters["start"].map(MessageIDs.strip)
            let root = children.first { start != nil && $0.contentID == start } ?? children[0]
            collect(root, want: want, depth: depth + 1)
            for child in children where child !== root { collectAsAttachment(child, want: want, depth: depth) }
        case "signed":
            collect(children[0], want: want, depth: depth + 1)
            for child in children.dropFirst() { collectAsAttachment(child, want: want, depth: depth) }
        case "encrypted":
            for child in children { collectAsAttachment(child, want: want, depth: depth) }
        case "report":
            collect(children[0], want: want, depth: depth + 1)
            var statusPart: Part? = nil
            var returned: Header? = nil
            for child in children.dropFirst() {
                switch child.contentType.mimeType {
                case "message/delivery-status", "message/global-delivery-status": statusPart = child
                case "message/rfc822", "message/global": returned = child.message?.header
                case "text/rfc822-headers", "message/global-headers":
                    returned = Header(fields: Header.parse(child.body, log: DefectLog(), isPart: true).fields)
                default: break
                }
                collectAsAttachment(child, want: want, depth: depth)
            }
            if let statusPart { report = DeliveryReport.parse(statusPart, returnedHeader: returned) }
        default:  // mixed, digest, parallel, and unknown subtypes (RFC 2046 §5.1.7: treat as mixed)
            for child in children { collect(child, want: want, depth: depth + 1) }
        }
    }

    private mutating func collectAsAttachment(_ part: Part, want: Want, depth: Int) {
        if part.contentType.isMultipart && !part.children.isEmpty {
            collect(part, want: want.intersection(.attachments), depth: depth + 1)
        } else if want.contains(.attachments) {
            attach(part)
        }
    }

    /// Whether a body text has been chosen yet (the first text part is the body even when named).
    private var bodyChosen: Bool { !texts.isEmpty || !htmls.isEmpty }

    private mutating func leaf(_ part: Part, want: Want) {
        if part.body.isEmpty && part.contentType.type == "text" && part.disposition?.isAttachment != true {
            return  // an empty body is no body (a message of headers only, or of nothing)
        }
        if isBodyText(part, "plain") && want.contains(.text) {
            texts.append(decodeText(part, want: want))
        } else if isBodyText(part, "html") && want.contains(.html) {
            htmls.append(decodeText(part, want: want))
        } else if want.contains(.attachments) {
            // A text the body does not want here (a branch kept as files) is a file, never lost.
            attach(part)
        }
    }

    /// A text/plain or text/html part meant as the body (RFC 2183; JMAP, RFC 8621 §4.1.4):
    /// not marked as an attachment, and nameless, or the first text of the message even
    /// when named (a lone `text/plain; name=note.txt` is its body). A later named text is a file.
    private func isBodyText(_ part: Part, _ subtype: String) -> Bool {
        guard part.contentType.type == "text", part.contentType.subtype == subtype, part.children.isEmpty else { return false }
        if part.disposition?.isAttachment == true { return false }
        return part.filename == nil || !bodyChosen
    }

    private func contains(_ part: Part, _ subtype: String) -> Bool {
        part.children.contains { isBodyText($0, subtype) || contains($0, subtype) }
    }

    private mutating func attach(_ part: Part) {
        let data: [UInt8]
        if part.message != nil, part.transferEncoding == .sevenBit || part.transferEncoding == .eightBit || part.transferEncoding == .binary {
            data = Array(part.body)
        } else {
            data = part.transferEncoding.decode(part.body, log: log)
        }
        let inline = part.disposition?.isInline == true || (part.disposition == nil && part.contentID != nil)
        attachments.append(Attachment(filename: part.filename, contentType: part.contentType.mimeType, data: data,
                                      isInline: inline, contentID: part.contentID, message: part.message))
    }

    /// Transfer decoding, inline uuencoded files lifted out as attachments, charset
    /// decoding, LF line endings, and RFC 3676 format=flowed undone.
    private mutating func decodeText(_ part: Part, want: Want) -> String {
        var bytes = part.transferEncoding.decode(part.body, log: log)
        if part.contentType.subtype == "plain", bytes.firstIndex(of: UInt8(ascii: "b")) != nil {
            let blocks = UUEncode.blocks(in: bytes[...])
            if !blocks.isEmpty {
                var kept: [UInt8] = []
                var cursor = 0
                for block in blocks {
                    kept += bytes[cursor..<block.range.lowerBound]
                    cursor = block.range.upperBound
                    if want.contains(.attachments) {
                        attachments.append(Attachment(filename: block.filename, contentType: "application/octet-stream",
                                                      data: UUEncode.decode(block.lines, log: log), isInline: false,
                                                      contentID: nil, message: nil))
                    }
                }
                kept += bytes[cursor...]
                bytes = kept
            }
        }
        var text = decodeCharset(bytes[...], label: part.contentType.charset)
        text = normalizeLineEndings(text)
        if part.contentType.parameters["format"]?.lowercased() == "flowed" {
            text = Flowed.unwrap(text, deleteSpace: part.contentType.parameters["delsp"]?.lowercased() == "yes")
        }
        return text
    }

    /// Declared charsets are often wrong. 8-bit bytes under no label or US-ASCII are a
    /// guess (UTF-8 if valid, else Windows-1252); under a Western single-byte label, bytes
    /// that are valid UTF-8 with multibyte characters are read as UTF-8. Both are defects.
    private func decodeCharset(_ bytes: ArraySlice<UInt8>, label: String?) -> String {
        let name = label.map(Charset.normalizedLabel) ?? ""
        if !bytes.isASCII {
            if ["", "us-ascii", "ascii"].contains(name) {
                return Charset.guess(bytes, log: log, declared: name.isEmpty ? nil : name)
            }
            if ["iso-8859-1", "latin1", "windows-1252", "iso-8859-15"].contains(name), let utf8 = Charset.validUTF8(bytes) {
                log.add(.charsetGuessed, "\(name) read as utf-8")
                return utf8
            }
        }
        return Charset.decode(bytes, label: name.isEmpty ? nil : name, log: log)
    }
}

/// RFC 3676 format=flowed: soft line breaks (a trailing space) are joined back.
enum Flowed {
    static func unwrap(_ text: String, deleteSpace: Bool) -> String {
        var out: [String] = []
        var current: String? = nil
        var currentDepth = 0
        func prefix(_ depth: Int) -> String { depth == 0 ? "" : String(repeating: ">", count: depth) + " " }
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            var line = raw
            var depth = 0
            while line.first == ">" { depth += 1; line = line.dropFirst() }
            if line.first == " " { line = line.dropFirst() }  // space-stuffing (§4.4)
            let soft = line != "-- " && line.hasSuffix(" ")
            var content = String(line)
            if soft && deleteSpace { content.removeLast() }
            if current != nil, depth == currentDepth {
                current?.append(content)  // in place: a long flowed paragraph stays linear
            } else {
                if let c = current { out.append(prefix(currentDepth) + c) }
                current = content
                currentDepth = depth
            }
            if !soft, let c = current {
                out.append(prefix(depth) + c)
                current = nil
            }
        }
        if let c = current { out.append(prefix(currentDepth) + c) }
        return out.joined(separator: "\n")
    }
}

extension DeliveryReport {
    /// RFC 3464 §2: a block of per-message fields, then one block per recipient, separated by empty lines.
    static func parse(_ part: Part, returnedHeader: Header?) -> DeliveryReport {
        let body = part.transferEncoding.decode(part.body, log: DefectLog())[...]
        var blocks: [Header] = []
        var rest = body
        while !rest.trimmingWhitespace().isEmpty {
            // skip blank lines between blocks
            while let b = rest.first, ASCII.isLineBreak(b) || ASCII.isWhitespace(b) { rest = rest.dropFirst() }
            let (fields, next) = Header.parse(rest, log: DefectLog(), isPart: true)
            if fields.isEmpty { break }
            blocks.append(Header(fields: fields))
            rest = rest[next...]
        }
        func typed(_ value: String?) -> String? {
            guard let value else { return nil }
            if let semi = value.firstIndex(of: ";") { return String(value[value.index(after: semi)...]).trimming(" \t<>") }
            return value.trimming(" \t<>")
        }
        let perMessage = blocks.first
        let recipients = blocks.dropFirst().map { block in
            Recipient(finalRecipient: typed(block["Final-Recipient"]), originalRecipient: typed(block["Original-Recipient"]),
                      action: block["Action"]?.lowercased().trimming(" \t"),
                      status: block["Status"]?.split(separator: " ").first.map(String.init),
                      diagnosticCode: typed(block["Diagnostic-Code"]))
        }
        return DeliveryReport(reportingMTA: typed(perMessage?["Reporting-MTA"]), recipients: recipients, returnedHeader: returnedHeader)
    }
}
