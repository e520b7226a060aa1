/// A value in an IMAP response (RFC 9051 §4): atom, number, string (quoted or literal), NIL, or a list.
public indirect enum IMAPValue: Equatable, Sendable {
    case atom(String)
    case number(UInt64)
    case string([UInt8])
    case null
    case list([IMAPValue])

    /// The value as text: atoms and numbers as written, strings decoded as UTF-8.
    public var text: String? {
        switch self {
        case .atom(let a): return a
        case .number(let n): return String(n)
        case .string(let b): return String(decoding: b, as: UTF8.self)
        case .null, .list: return nil
        }
    }
}

/// One response from the server.
public enum IMAPResponse: Equatable, Sendable {
    /// `tag OK|NO|BAD [code] text`.
    case tagged(tag: String, status: String, code: String?, text: String)
    /// `* OK|NO|BAD|BYE|PREAUTH [code] text`.
    case status(status: String, code: String?, text: String)
    /// Any other untagged response: `* 3 EXISTS`, `* SEARCH 1 2`, `* 5 FETCH (…)`, `* CAPABILITY …`.
    case data([IMAPValue])
    /// `+ text`: the server waits for more (IDLE, literals).
    case continuation(String)
}

/// Errors in what the server sent.
public enum IMAPParseError: Error, Equatable {
    case malformed(String)
}

/// Reads responses from a byte buffer (RFC 9051 §7, §9 grammar), incrementally: `next`
/// returns nil until a whole response, literals included, is in the buffer.
public struct IMAPResponseParser: Sendable {
    /// The longest line or literal we accept (a message body is one literal).
    public var maxLiteral = 200 * 1024 * 1024

    public init() {}

    /// The first complete response in `buffer[start...]` and where the next one starts.
    public func next(_ buffer: [UInt8], from start: Int = 0) throws(IMAPParseError) -> (IMAPResponse, Int)? {
        guard start < buffer.count else { return nil }
        var cursor = Cursor(bytes: buffer, i: start, maxLiteral: maxLiteral)
        guard try cursor.hasWholeResponse() else { return nil }
        let response = try cursor.response()
        return (response, cursor.i)
    }

    struct Cursor {
        let bytes: [UInt8]
        var i: Int
        let maxLiteral: Int

        /// Scans ahead: a line ending in CRLF, where each `{n}` before the CRLF pulls n more bytes and another line.
        func hasWholeResponse() throws(IMAPParseError) -> Bool {
            var j = i
            while true {
                guard let lf = firstLF(from: j) else { return false }
                // Does the line end with {n} or {n+}?
                var k = lf - 1
                if k >= j, bytes[k] == 0x0D { k -= 1 }
                guard k >= j, bytes[k] == 0x7D else { return true }  // "}"
                var digitsEnd = k
                if digitsEnd - 1 >= j, bytes[digitsEnd - 1] == 0x2B { digitsEnd -= 1 }  // "{n+}"
                var d = digitsEnd - 1
                while d >= j, bytes[d] >= 0x30, bytes[d] <= 0x39 { d -= 1 }
                guard d >= j, bytes[d] == 0x7B, d + 1 < digitsEnd else { return true }
                guard digitsEnd - d - 1 <= 12, let n = Int(String(decoding: bytes[(d + 1)..<digitsEnd], as: UTF8.self)) else {
                    throw .malformed("literal size")
                }
                guard n <= maxLiteral else { throw .malformed("literal of \(n) bytes") }
                j = lf + 1 + n
                if j > bytes.count { return false }
            }
        }

        private func firstLF(from j: Int) -> Int? {
            var p = j
            while p < bytes.count {
                if bytes[p] == 0x0A { return p }
                p += 1
            }
            return nil
        }

        mutating func response() throws(IMAPParseError) -> IMAPResponse {
            if peek == 0x2B {  // "+"
                i += 1
                skipSpaces()
                return .continuation(restOfLine())
            }
            if peek == 0x2A {  // "*"
                i += 1
                skipSpaces()
                let save = i
                let word = atomText().uppercased()
                if ["OK", "NO", "BAD", "BYE", "PREAUTH"].contains(word) {
                    let (code, text) = responseText()
                    return .status(status: word, code: code, text: text)
                }
                i = save
                var values: [IMAPValue] = []
                while !atLineEnd {
                    values.append(try value(depth: 0))
                    skipSpaces()
                }
                endLine()
                return .data(values)
            }
            let tag = atomText()
            guard !tag.isEmpty else { throw .malformed("empty tag") }
            skipSpaces()
            let status = atomText().uppercased()
            guard ["OK", "NO", "BAD"].contains(status) else { throw .malformed("tagged status \(status)") }
            let (code, text) = responseText()
            return .tagged(tag: tag, status: status, code: code, text: text)
        }

        var peek: UInt8? { i < bytes.count ? bytes[i] : nil }
        var atLineEnd: Bool { peek == nil || peek == 0x0D || peek == 0x0A }

        mutating func skipSpaces() { while peek == 0x20 { i += 1 } }

        mutating func endLine() {
            if peek == 0x0D { i += 1 }
            if peek == 0x0A { i += 1 }
        }

        mutating func restOfLine() -> String {
            let start = i
            while !atLineEnd { i += 1 }
            let text = String(decoding: bytes[start..<i], as: UTF8.self)
            endLine()
            return text
        }

        /// `resp-text = ["[" resp-text-code "]" SP] text`
        mutating func responseText() -> (String?, String) {
            skipSpaces()
            var code: String? = nil
            if peek == 0x5B {  // "["
                let start = i + 1
                var depth = 0
                while !atLineEnd {
                    if bytes[i] == 0x5B { depth += 1 }
                    if bytes[i] == 0x5D { depth -= 1; if depth == 0 { break } }
                    i += 1
                }
                code = String(decoding: bytes[start..<min(i, bytes.count)], as: UTF8.self)
                if peek == 0x5D { i += 1 }
                skipSpaces()
            }
            return (code, restOfLine())
        }

        /// An atom, which may carry a bracketed section (`BODY[HEADER.FIELDS (SUBJECT)]`) and a `<partial>`.
        mutating func atomText() -> String {
            let start = i
            while let b = peek, b > 0x20, b != 0x28, b != 0x29, b != 0x7B, b != 0x22, b != 0x7F {
                if b == 0x5B {  // "[": read to the matching "]", spaces included
                    var depth = 0
                    while let c = peek, c != 0x0D, c != 0x0A {
                        if c == 0x5B { depth += 1 }
                        if c == 0x5D { depth -= 1 }
                        i += 1
                        if depth == 0 { break }
                    }
                    continue
                }
                i += 1
            }
            return String(decoding: bytes[start..<i], as: UTF8.self)
        }

        mutating func value(depth: Int) throws(IMAPParseError) -> IMAPValue {
            guard depth < 100 else { throw .malformed("lists nested too deep") }
            guard let b = peek else { throw .malformed("unexpected end") }
            switch b {
            case 0x28:  // "("
                i += 1
                var items: [IMAPValue] = []
                skipSpaces()
                while peek != 0x29 {
                    if atLineEnd { throw .malformed("unclosed list") }
                    items.append(try value(depth: depth + 1))
                    skipSpaces()
                }
                i += 1
                return .list(items)
            case 0x22:  // quoted string
                i += 1
                var out: [UInt8] = []
                while let c = peek, c != 0x22 {
                    if c == 0x0D || c == 0x0A { throw .malformed("unterminated quoted string") }
                    if c == 0x5C, i + 1 < bytes.count { i += 1 }
                    out.append(bytes[i])
                    i += 1
                }
                guard peek == 0x22 else { throw .malformed("unterminated quoted string") }
                i += 1
                return .string(out)
            case 0x7B:  // literal {n}CRLF
                i += 1
                let start = i
                while let c = peek, c >= 0x30, c <= 0x39 { i += 1 }
                guard let n = Int(String(decoding: bytes[start..<i], as: UTF8.self)) else { throw .malformed("literal size") }
                if peek == 0x2B { i += 1 }
                guard peek == 0x7D else { throw .malformed("literal size") }
                i += 1
                endLine()
                guard n <= bytes.count - i else { throw .malformed("short literal") }
                let data = Array(bytes[i..<(i + n)])
                i += n
                return .string(data)
            case 0x29:
                throw .malformed("unexpected )")
            default:
                let atom = atomText()
                guard !atom.isEmpty else { i += 1; throw .malformed("unexpected byte \(b)") }
                if atom.uppercased() == "NIL" { return .null }
                if atom.utf8.count <= 19, atom.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let n = UInt64(atom) { return .number(n) }
                return .atom(atom)
            }
        }
    }
}
