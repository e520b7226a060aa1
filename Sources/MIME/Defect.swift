/// Something wrong with a message that the parser noticed and worked around.
///
/// The parser never throws on bad mail: it records a defect, makes the most sensible
/// reading, and carries on. `description` is the stable string shown by `suport parse`.
public struct Defect: Hashable, Sendable, CustomStringConvertible {
    /// What kind of damage was found.
    public enum Kind: String, Sendable {
        case mboxFromLine = "mbox-from-line"
        case noHeaders = "no-headers"
        case missingHeaderBodySeparator = "missing-header-body-separator"
        case invalidHeaderLine = "invalid-header-line"
        case bareCarriageReturn = "bare-cr-line-ending"
        case eightBitHeader = "8bit-header"
        case malformedEncodedWord = "malformed-encoded-word"
        case malformedContentType = "malformed-content-type"
        case missingBoundary = "missing-boundary-parameter"
        case missingClosingBoundary = "missing-closing-boundary"
        case noParts = "multipart-without-parts"
        case nestingTooDeep = "nesting-too-deep"
        case tooManyParts = "too-many-parts"
        case unknownTransferEncoding = "unknown-transfer-encoding"
        case invalidBase64 = "invalid-base64"
        case invalidQuotedPrintable = "invalid-quoted-printable"
        case invalidUUEncode = "invalid-uuencode"
        case unknownCharset = "unknown-charset"
        case charsetGuessed = "charset-guessed"
        case invalidCharacters = "invalid-characters"
        case invalidDate = "invalid-date"
        case invalidAddress = "invalid-address"
        case invalidParameter = "invalid-parameter"
        case transferEncodingOnMultipart = "transfer-encoding-on-composite"
    }

    public let kind: Kind
    /// The offending value or where it was found, kept short.
    public let detail: String

    public init(_ kind: Kind, _ detail: String = "") {
        self.kind = kind
        self.detail = detail.count > 80 ? String(detail.prefix(77)) + "..." : detail
    }

    public var description: String { detail.isEmpty ? kind.rawValue : "\(kind.rawValue): \(detail)" }
}

/// Collects defects while one message is parsed, without repeating the same one.
final class DefectLog {
    private(set) var items: [Defect] = []
    private var seen: Set<Defect> = []

    func add(_ kind: Defect.Kind, _ detail: String = "") {
        let defect = Defect(kind, detail)
        if seen.insert(defect).inserted { items.append(defect) }
    }
}
