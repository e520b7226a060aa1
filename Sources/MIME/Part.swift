/// One body part of a message (RFC 2045 §2.6), or the message itself as the root part.
///
/// A part refers to the raw message bytes by slices: nothing is copied until a body is
/// decoded.
public final class Part: Sendable {
    public let header: Header
    public let contentType: ContentType
    public let disposition: ContentDisposition?
    public let transferEncoding: TransferEncoding
    /// The whole part, header and body, as it appeared.
    public let raw: ArraySlice<UInt8>
    /// The body as it appeared, still transfer-encoded.
    public let body: ArraySlice<UInt8>
    /// The parts of a multipart, in order.
    public let children: [Part]
    /// For message/rfc822 (and a message/global) part: the enclosed message.
    public let message: Message?

    init(header: Header, contentType: ContentType, disposition: ContentDisposition?, transferEncoding: TransferEncoding,
         raw: ArraySlice<UInt8>, body: ArraySlice<UInt8>, children: [Part], message: Message?) {
        self.header = header
        self.contentType = contentType
        self.disposition = disposition
        self.transferEncoding = transferEncoding
        self.raw = raw
        self.body = body
        self.children = children
        self.message = message
    }

    /// The file name: RFC 2183 `filename` on Content-Disposition, else RFC 2045 `name` on
    /// Content-Type (what older clients send).
    public var filename: String? {
        let name = disposition?.parameters["filename"] ?? contentType.parameters["name"]
        guard let name, !name.allSatisfy(\.isWhitespace) else { return nil }
        return name
    }

    /// The Content-ID without angle brackets.
    public var contentID: String? {
        header["Content-ID"].map(MessageIDs.strip).flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The body with its transfer encoding undone.
    public func decodedBody() -> [UInt8] {
        transferEncoding.decode(body, log: DefectLog())
    }
}

/// Limits that keep hostile messages cheap to parse.
public struct ParseLimits: Sendable {
    /// Multiparts and enclosed messages nested deeper than this are kept as opaque parts.
    public var maxDepth: Int
    /// Parts beyond this count (in the whole message) are not split out.
    public var maxParts: Int

    public init(maxDepth: Int = 40, maxParts: Int = 10_000) {
        self.maxDepth = maxDepth
        self.maxParts = maxParts
    }
}

/// Builds the part tree. One instance per top-level parse, so the part count is shared.
final class PartParser {
    let limits: ParseLimits
    let log: DefectLog
    var partCount = 0

    init(limits: ParseLimits, log: DefectLog) {
        self.limits = limits
        self.log = log
    }

    /// RFC 2045/2046: a header block, then a body that may itself hold parts.
    func parse(_ raw: ArraySlice<UInt8>, depth: Int, isPart: Bool, defaultType: ContentType) -> Part {
        partCount += 1
        let (fields, bodyStart) = Header.parse(raw, log: log, isPart: isPart)
        var header = Header(fields: fields)
        var contentType = ContentType.parse(header.structuredText("Content-Type", log: log), fallback: defaultType, log: log)
        if let charset = contentType.charset { header = Header(fields: fields, fallbackCharset: charset) }
        let disposition = ContentDisposition.parse(header.structuredText("Content-Disposition", log: log), log: log)
        var encoding = TransferEncoding(headerValue: header.structuredText("Content-Transfer-Encoding", log: log) ?? "")

        var body = raw[bodyStart...]
        var children: [Part] = []
        var message: Message? = nil
        if contentType.isMultipart {
            // RFC 2045 §6.4 forbids encoding a multipart; its parts are looked for in the body as
            // it is, and in the decoded body when they are not found there.
            let encoded = encoding != .sevenBit && encoding != .eightBit && encoding != .binary
            if encoded { log.add(.transferEncodingOnMultipart, contentType.mimeType) }
            let boundary = contentType.parameters["boundary"].flatMap { $0.isEmpty ? nil : $0 }
            if depth >= limits.maxDepth {
                log.add(.nestingTooDeep, "depth \(depth)")
            } else if let boundary {
                let childDefault = contentType.subtype == "digest" ? ContentType.messageRFC822 : ContentType.textPlain
                var slices = split(body, boundary: boundary, mimeType: contentType.mimeType)
                if slices.isEmpty && encoded {
                    let decoded = encoding.decode(body, log: log)[...]
                    slices = split(decoded, boundary: boundary, mimeType: contentType.mimeType)
                    if !slices.isEmpty { body = decoded }
                }
                for slice in slices {
                    children.append(parse(slice, depth: depth + 1, isPart: true, defaultType: childDefault))
                }
                if children.isEmpty {
                    log.add(.noParts, contentType.mimeType)
                }
            } else {
                log.add(.missingBoundary, contentType.mimeType)
            }
            if children.isEmpty {
                // Read what could not be split as plain text, decoded and without delimiter lines,
                // so its words are not lost and no MIME scaffolding shows.
                if encoded && depth < limits.maxDepth { body = encoding.decode(body, log: log)[...] }
                if let boundary { body = Self.withoutDelimiterLines(body, boundary: boundary) }
                contentType = ContentType(type: "text", subtype: "plain", parameters: ["charset": contentType.charset ?? "us-ascii"])
            }
            encoding = .sevenBit
        } else if contentType.type == "message" && (contentType.subtype == "rfc822" || contentType.subtype == "global") {
            if depth >= limits.maxDepth {
                log.add(.nestingTooDeep, "depth \(depth)")
            } else {
                let inner: ArraySlice<UInt8>
                switch encoding {
                case .sevenBit, .eightBit, .binary: inner = body
                default: inner = encoding.decode(body, log: log)[...]
                }
                message = Message(parsing: inner, parser: self, depth: depth + 1)
            }
        }
        return Part(header: header, contentType: contentType, disposition: disposition, transferEncoding: encoding,
                    raw: raw, body: body, children: children, message: message)
    }

    /// The body without its `--boundary` and `--boundary--` lines.
    static func withoutDelimiterLines(_ body: ArraySlice<UInt8>, boundary: String) -> ArraySlice<UInt8> {
        let delimiter = Array("--\(boundary)".utf8)
        guard body.firstIndex(of: delimiter, from: body.startIndex) != nil else { return body }
        var out = [UInt8]()
        out.reserveCapacity(body.count)
        var i = body.startIndex
        while i < body.endIndex {
            let lineEnd = body.indexOfLineBreak(from: i)
            let next = body.lineBreakEnd(at: lineEnd) ?? lineEnd
            var line = body[i..<lineEnd]
            while let last = line.last, ASCII.isWhitespace(last) { line = line.dropLast() }
            let isDelimiter = line.starts(with: delimiter) && (line.count == delimiter.count
                || (line.count == delimiter.count + 2 && line.suffix(2).allSatisfy { $0 == ASCII.hyphen }))
            if !isDelimiter { out += body[i..<next] }
            i = next
        }
        return out[...]
    }

    /// RFC 2046 §5.1.1: the body parts between `--boundary` delimiter lines.
    ///
    /// A delimiter must start a line and be followed only by optional whitespace (so a
    /// boundary that is a prefix of another does not match), or by `--` to close. The line
    /// break before a delimiter belongs to the delimiter. Without a closing delimiter the
    /// last part runs to the end, with a defect.
    func split(_ body: ArraySlice<UInt8>, boundary: String, mimeType: String) -> [ArraySlice<UInt8>] {
        let delimiter = Array("--\(boundary)".utf8)
        var parts: [ArraySlice<UInt8>] = []
        var partStart: Int? = nil
        var search = body.startIndex
        var closed = false
        while let at = body.firstIndex(of: delimiter, from: search) {
            search = at + 1
            guard at == body.startIndex || ASCII.isLineBreak(body[at - 1]) else { continue }
            var after = at + delimiter.count
            let isClose = after + 1 < body.endIndex && body[after] == ASCII.hyphen && body[after + 1] == ASCII.hyphen
            if isClose { after += 2 }
            var lineEnd = after
            while lineEnd < body.endIndex, ASCII.isWhitespace(body[lineEnd]) { lineEnd += 1 }
            if !isClose, lineEnd < body.endIndex, !ASCII.isLineBreak(body[lineEnd]) { continue }
            if isClose { lineEnd = body.indexOfLineBreak(from: lineEnd) }

            if let start = partStart {
                // Exclude the line break that precedes the delimiter.
                var end = at
                if end > start, body[end - 1] == ASCII.lf { end -= 1 }
                if end > start, body[end - 1] == ASCII.cr { end -= 1 }
                parts.append(body[start..<max(start, end)])
            }
            if isClose { closed = true; break }
            if partCount + parts.count >= limits.maxParts {
                log.add(.tooManyParts, "\(limits.maxParts)")
                partStart = nil
                closed = true
                break
            }
            let next = body.lineBreakEnd(at: lineEnd) ?? lineEnd
            partStart = next
            search = next
        }
        if !closed {
            if let start = partStart {
                parts.append(body[start...])
                log.add(.missingClosingBoundary, mimeType)
            }
        }
        return parts
    }
}
