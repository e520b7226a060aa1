import Foundation

/// A file to attach to an outgoing message.
public struct OutgoingAttachment: Sendable {
    public var filename: String
    /// "type/subtype"; anything else is sent as application/octet-stream.
    public var contentType: String
    public var data: [UInt8]

    public init(filename: String, contentType: String, data: [UInt8]) {
        self.filename = filename
        self.contentType = contentType
        self.data = data
    }
}

/// Why a message could not be composed: a value that would break the message.
public enum ComposeError: Error, Equatable, CustomStringConvertible {
    case invalidAddress(String)
    case invalidMessageID(String)
    case invalidHeaderName(String)
    case noRecipients

    public var description: String {
        switch self {
        case .invalidAddress(let a): return "not a usable email address: \(a.debugDescription)"
        case .invalidMessageID(let m): return "not a usable Message-ID: \(m.debugDescription)"
        case .invalidHeaderName(let n): return "not a usable header name: \(n.debugDescription)"
        case .noRecipients: return "the message has no recipients"
        }
    }
}

/// An RFC 5322 message Suport sends: notifications, acknowledgements, replies.
///
/// Every value placed in a header passes through `HeaderEncoding`, so no value, however
/// hostile, can start a header line of its own; addresses and Message-IDs that cannot be
/// written safely are refused instead.
public struct OutgoingMessage: Sendable {
    public var from: Address
    public var to: [Address]
    public var cc: [Address] = []
    public var replyTo: [Address] = []
    public var subject: String
    public var date: Date = Date()
    /// Without angle brackets. `OutgoingMessage.newMessageID(domain:)` makes one.
    public var messageID: String
    public var inReplyTo: [String] = []
    public var references: [String] = []
    /// RFC 3834 Auto-Submitted: "auto-replied", "auto-generated", or nil for mail a person wrote.
    public var autoSubmitted: String? = "auto-generated"
    /// Further fields, e.g. the loop header. Names must be printable ASCII without colon.
    public var extraHeaders: [(name: String, value: String)] = []
    public var text: String
    public var html: String? = nil
    public var attachments: [OutgoingAttachment] = []

    public init(from: Address, to: [Address], subject: String, messageID: String, text: String) {
        self.from = from
        self.to = to
        self.subject = subject
        self.messageID = messageID
        self.text = text
    }

    /// A fresh Message-ID in our domain: time, randomness, and the domain.
    public static func newMessageID(domain: String) -> String {
        let millis = UInt64(Date().timeIntervalSince1970 * 1000)
        let random = (0..<4).map { _ in String(UInt32.random(in: .min ... .max), radix: 36) }.joined(separator: ".")
        let host = domain.filter { $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" }
        return "\(String(millis, radix: 36)).\(random)@\(host.isEmpty ? "suport.invalid" : host)"
    }

    /// The message as bytes with CRLF line endings, ready for SMTP.
    public func render() throws -> [UInt8] {
        guard !(to.isEmpty && cc.isEmpty) else { throw ComposeError.noRecipients }
        var head = ""
        head += HeaderEncoding.fold(name: "Date", value: Self.rfc5322Date(date))
        head += HeaderEncoding.fold(name: "From", value: try Self.addressList([from]))
        if !to.isEmpty { head += HeaderEncoding.fold(name: "To", value: try Self.addressList(to)) }
        if !cc.isEmpty { head += HeaderEncoding.fold(name: "Cc", value: try Self.addressList(cc)) }
        if !replyTo.isEmpty { head += HeaderEncoding.fold(name: "Reply-To", value: try Self.addressList(replyTo)) }
        head += HeaderEncoding.fold(name: "Subject", value: HeaderEncoding.unstructured(subject))
        guard Self.isValidMessageID(messageID) else { throw ComposeError.invalidMessageID(messageID) }
        head += HeaderEncoding.fold(name: "Message-ID", value: "<\(messageID)>")
        // Identifiers copied from incoming mail are dropped if they could not be written safely.
        let parents = inReplyTo.filter(Self.isValidMessageID)
        let chain = references.filter(Self.isValidMessageID)
        if !parents.isEmpty { head += HeaderEncoding.fold(name: "In-Reply-To", value: parents.map { "<\($0)>" }.joined(separator: " ")) }
        if !chain.isEmpty { head += HeaderEncoding.fold(name: "References", value: chain.map { "<\($0)>" }.joined(separator: " ")) }
        if let autoSubmitted { head += HeaderEncoding.fold(name: "Auto-Submitted", value: HeaderEncoding.unstructured(autoSubmitted)) }
        for (name, value) in extraHeaders {
            guard !name.isEmpty, name.utf8.allSatisfy({ $0 > 32 && $0 < 127 && $0 != ASCII.colon }) else {
                throw ComposeError.invalidHeaderName(name)
            }
            head += HeaderEncoding.fold(name: name, value: HeaderEncoding.unstructured(value))
        }
        head += "MIME-Version: 1.0\r\n"

        var out = Array(head.utf8)
        out += try body()
        return out
    }

    private func body() throws -> [UInt8] {
        let textPart = Self.textPart(text, subtype: "plain")
        var main = textPart
        if let html {
            let boundary = Self.boundary()
            main = Self.multipart("alternative", boundary: boundary, parts: [textPart, Self.textPart(html, subtype: "html")])
        }
        if attachments.isEmpty { return main }
        let boundary = Self.boundary()
        return Self.multipart("mixed", boundary: boundary, parts: [main] + attachments.map(Self.attachmentPart))
    }

    /// A text part in UTF-8: 7bit when it is short-lined ASCII, quoted-printable when
    /// mostly ASCII, else base64.
    private static func textPart(_ text: String, subtype: String) -> [UInt8] {
        let bytes = crlf(text)
        let head = "Content-Type: text/\(subtype); charset=utf-8\r\n"
        let nonASCII = bytes.filter { $0 >= 0x80 || ($0 < 0x20 && $0 != ASCII.cr && $0 != ASCII.lf && $0 != ASCII.tab) }.count
        let longLine = bytes.split(separator: ASCII.lf).contains { $0.count > 998 }
        if nonASCII == 0 && !longLine {
            return Array((head + "Content-Transfer-Encoding: 7bit\r\n\r\n").utf8) + bytes
        }
        if nonASCII * 3 < bytes.count {
            return Array((head + "Content-Transfer-Encoding: quoted-printable\r\n\r\n").utf8) + QuotedPrintable.encode(bytes)
        }
        return Array((head + "Content-Transfer-Encoding: base64\r\n\r\n").utf8) + Base64.encode(bytes) + [ASCII.cr, ASCII.lf]
    }

    private static func attachmentPart(_ a: OutgoingAttachment) -> [UInt8] {
        let type = a.contentType.lowercased()
        let pieces = type.split(separator: "/")
        let validType = pieces.count == 2 && pieces.allSatisfy { !$0.isEmpty && $0.utf8.allSatisfy { b in
            (b >= 0x61 && b <= 0x7A) || (b >= 0x30 && b <= 0x39) || "!#$&-^_.+".utf8.contains(b) } }
        let name = HeaderEncoding.sanitize(a.filename)
        var head = "Content-Type: \(validType ? type : "application/octet-stream")\r\n"
        head += HeaderEncoding.fold(name: "Content-Disposition", value: "attachment; " + filenameParameter(name))
        head += "Content-Transfer-Encoding: base64\r\n\r\n"
        return Array(head.utf8) + Base64.encode(a.data) + [ASCII.cr, ASCII.lf]
    }

    /// RFC 2231 `filename*=utf-8''…` for anything but simple ASCII, else a quoted string.
    static func filenameParameter(_ name: String) -> String {
        let simple = name.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F && $0 != ASCII.quote && $0 != 0x5C }
        if simple && !name.isEmpty { return "filename=\"\(name)\"" }
        var encoded = "filename*=utf-8''"
        for b in name.utf8 {
            if (b >= 0x61 && b <= 0x7A) || (b >= 0x41 && b <= 0x5A) || (b >= 0x30 && b <= 0x39) || "!#$&+-.^_`|~".utf8.contains(b) {
                encoded.unicodeScalars.append(Unicode.Scalar(b))
            } else {
                encoded += "%" + String(b >> 4, radix: 16, uppercase: true) + String(b & 15, radix: 16, uppercase: true)
            }
        }
        return encoded
    }

    private static func multipart(_ subtype: String, boundary: String, parts: [[UInt8]]) -> [UInt8] {
        var out = Array("Content-Type: multipart/\(subtype); boundary=\"\(boundary)\"\r\n\r\n".utf8)
        for part in parts {
            out += Array("--\(boundary)\r\n".utf8)
            out += part
            if out.last != ASCII.lf { out += [ASCII.cr, ASCII.lf] }
        }
        out += Array("--\(boundary)--\r\n".utf8)
        return out
    }

    /// "=_" cannot occur in quoted-printable or base64 output, so the boundary cannot
    /// collide with an encoded body; 7bit text is checked by the random tail's length.
    private static func boundary() -> String {
        "=_suport_" + (0..<3).map { _ in String(UInt64.random(in: .min ... .max), radix: 36) }.joined()
    }

    /// Text with every line break as CRLF.
    private static func crlf(_ text: String) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count + text.utf8.count / 40)
        var previousCR = false
        for b in text.utf8 {
            if b == ASCII.lf { if !previousCR { out.append(ASCII.cr) }; out.append(ASCII.lf); previousCR = false; continue }
            if previousCR { out.append(ASCII.lf) }
            previousCR = b == ASCII.cr
            out.append(b)
        }
        if previousCR { out.append(ASCII.lf) }
        if !out.isEmpty && out.last != ASCII.lf { out += [ASCII.cr, ASCII.lf] }
        return out
    }

    /// Addresses as a header value; an address that could smuggle syntax is refused.
    static func addressList(_ list: [Address]) throws -> String {
        try list.map { a in
            guard isValidAddress(a.address) else { throw ComposeError.invalidAddress(a.address) }
            guard let name = a.name.map(HeaderEncoding.sanitize), !name.isEmpty else { return a.address }
            return "\(HeaderEncoding.phrase(name)) <\(a.address)>"
        }.joined(separator: ", ")
    }

    /// local@domain with no whitespace, controls or address syntax characters.
    public static func isValidAddress(_ address: String) -> Bool {
        let parts = address.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty, address.utf8.count <= 320 else { return false }
        return address.unicodeScalars.allSatisfy { c in
            c.value > 0x20 && c.value != 0x7F && !(0x80...0x9F).contains(c.value) && !"<>()[]\\,;:\"".unicodeScalars.contains(c)
        }
    }

    /// id-left "@" id-right, printable ASCII without brackets or whitespace.
    public static func isValidMessageID(_ id: String) -> Bool {
        let parts = id.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty, id.utf8.count <= 250 else { return false }
        return id.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F && $0 != 0x3C && $0 != 0x3E && $0 != ASCII.quote && $0 != 0x5C }
    }

    /// RFC 5322 §3.3 date-time in UTC, e.g. "Thu, 03 May 2012 09:36:43 +0000".
    static func rfc5322Date(_ date: Date) -> String {
        let seconds = Int(date.timeIntervalSince1970.rounded(.down))
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        let (year, month, day) = CivilDate.day(days)
        let weekdays = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        let weekday = weekdays[((days % 7) + 7) % 7]
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(weekday), \(two(day)) \(months[month - 1]) \(year) \(two(secondOfDay / 3600)):\(two(secondOfDay / 60 % 60)):\(two(secondOfDay % 60)) +0000"
    }
}

extension QuotedPrintable {
    /// RFC 2045 §6.7 encoding of CRLF text: hard breaks kept, lines soft-broken at 76,
    /// trailing whitespace and "=" escaped, and "From " at a line start escaped for mbox.
    static func encode(_ bytes: [UInt8]) -> [UInt8] {
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + bytes.count / 8)
        var column = 0
        var i = 0
        func put(_ piece: [UInt8]) {
            if column + piece.count > 75 { out += [ASCII.equals, ASCII.cr, ASCII.lf]; column = 0 }
            out += piece
            column += piece.count
        }
        while i < bytes.count {
            let b = bytes[i]
            if b == ASCII.cr, i + 1 < bytes.count, bytes[i + 1] == ASCII.lf {
                out += [ASCII.cr, ASCII.lf]
                column = 0
                i += 2
                continue
            }
            let atLineEnd = i + 1 == bytes.count || bytes[i + 1] == ASCII.cr
            let fromLine = column == 0 && b == UInt8(ascii: "F") && bytes[i...].starts(with: Array("From ".utf8))
            let literal = (b >= 33 && b <= 126 && b != ASCII.equals && !fromLine) || ((b == ASCII.space || b == ASCII.tab) && !atLineEnd)
            put(literal ? [b] : [ASCII.equals, hex[Int(b >> 4)], hex[Int(b & 15)]])
            i += 1
        }
        if out.last != ASCII.lf { out += [ASCII.cr, ASCII.lf] }
        return out
    }
}
