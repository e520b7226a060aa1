#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Byte constants and small scanners shared by the parser. Everything works on
/// `ArraySlice<UInt8>` so that parts refer to the one raw buffer without copying it.
enum ASCII {
    static let tab: UInt8 = 0x09
    static let lf: UInt8 = 0x0A
    static let cr: UInt8 = 0x0D
    static let space: UInt8 = 0x20
    static let quote: UInt8 = 0x22
    static let hyphen: UInt8 = 0x2D
    static let colon: UInt8 = 0x3A
    static let equals: UInt8 = 0x3D
    static let question: UInt8 = 0x3F
    static let underscore: UInt8 = 0x5F

    @inline(__always) static func isWhitespace(_ b: UInt8) -> Bool { b == space || b == tab }
    @inline(__always) static func isLineBreak(_ b: UInt8) -> Bool { b == lf || b == cr }
    @inline(__always) static func lower(_ b: UInt8) -> UInt8 { (b >= 0x41 && b <= 0x5A) ? b | 0x20 : b }

    static func hexValue(_ b: UInt8) -> UInt8? {
        switch b {
        case 0x30...0x39: return b - 0x30
        case 0x41...0x46: return b - 0x41 + 10
        case 0x61...0x66: return b - 0x61 + 10
        default: return nil
        }
    }
}

extension ArraySlice where Element == UInt8 {
    /// The index just past the line break that starts at `i` (CRLF, LF or a bare CR), or nil if none is there.
    @inline(__always) func lineBreakEnd(at i: Int) -> Int? {
        guard i < endIndex else { return nil }
        if self[i] == ASCII.lf { return i + 1 }
        if self[i] == ASCII.cr { return (i + 1 < endIndex && self[i + 1] == ASCII.lf) ? i + 2 : i + 1 }
        return nil
    }

    /// The first index at or after `from` holding CR or LF, or `endIndex`.
    func indexOfLineBreak(from: Int) -> Int {
        var i = from
        return withUnsafeBufferPointer { buffer in
            let base = startIndex
            while i < endIndex {
                let b = buffer[i - base]
                if b == ASCII.lf || b == ASCII.cr { return i }
                i += 1
            }
            return endIndex
        }
    }

    /// Where `needle` next occurs at or after `from`: memchr finds each candidate first
    /// byte, memcmp checks the rest (glibc's memmem is not exported to Swift).
    func firstIndex(of needle: [UInt8], from: Int) -> Int? {
        guard let first = needle.first, from < endIndex, endIndex - from >= needle.count else { return nil }
        let offset: Int? = withUnsafeBufferPointer { hay in
            needle.withUnsafeBufferPointer { pin in
                Self.search(hay, from: from - startIndex, needle: pin, first: first)
            }
        }
        return offset.map { startIndex + $0 }
    }

    private static func search(_ hay: UnsafeBufferPointer<UInt8>, from: Int, needle: UnsafeBufferPointer<UInt8>, first: UInt8) -> Int? {
        guard let base = hay.baseAddress, let pinBase = needle.baseAddress else { return nil }
        var cursor = base + from
        let last = base + (hay.count - needle.count)  // the last place a match can start
        while cursor <= last {
            guard let hit = memchr(cursor, Int32(first), last - cursor + 1) else { return nil }
            let p = UnsafePointer(hit.assumingMemoryBound(to: UInt8.self))
            if memcmp(p, pinBase, needle.count) == 0 { return p - base }
            cursor = p + 1
        }
        return nil
    }

    /// The slice without leading and trailing spaces, tabs and line breaks.
    func trimmingWhitespace() -> ArraySlice<UInt8> {
        var lo = startIndex, hi = endIndex
        while lo < hi, ASCII.isWhitespace(self[lo]) || ASCII.isLineBreak(self[lo]) { lo += 1 }
        while hi > lo, ASCII.isWhitespace(self[hi - 1]) || ASCII.isLineBreak(self[hi - 1]) { hi -= 1 }
        return self[lo..<hi]
    }

    /// Whether every byte is 7-bit.
    var isASCII: Bool {
        withUnsafeBufferPointer { buffer in
            for b in buffer where b >= 0x80 { return false }
            return true
        }
    }

    /// Case-insensitive comparison with an ASCII string.
    func equalsIgnoringCase(_ ascii: String) -> Bool {
        let other = Array(ascii.utf8)
        guard other.count == count else { return false }
        var j = 0
        for b in self {
            if ASCII.lower(b) != ASCII.lower(other[j]) { return false }
            j += 1
        }
        return true
    }
}

extension String {
    /// A string from bytes that are known or assumed to be ASCII or UTF-8; invalid
    /// sequences become U+FFFD rather than failing.
    init(lossyUTF8 bytes: some Collection<UInt8>) {
        self = String(decoding: bytes, as: UTF8.self)
    }
}

/// Text line endings normalised to LF: CRLF and bare CR both become "\n".
func normalizeLineEndings(_ text: String) -> String {
    guard text.utf8.contains(ASCII.cr) else { return text }
    var out: [UInt8] = []
    out.reserveCapacity(text.utf8.count)
    var previousCR = false
    for b in text.utf8 {
        if b == ASCII.cr { out.append(ASCII.lf); previousCR = true; continue }
        if b == ASCII.lf && previousCR { previousCR = false; continue }
        previousCR = false
        out.append(b)
    }
    return String(decoding: out, as: UTF8.self)
}
