import Foundation

/// A case-insensitive regular expression from the configuration (routing rules, legacy tag
/// patterns), compiled once per pattern and kept: compiling on every message cost more than
/// matching (see docs/benchmarks.md). ICU syntax, through NSRegularExpression.
public final class Pattern: @unchecked Sendable {  // NSRegularExpression is immutable and thread-safe
    private let regex: NSRegularExpression

    private init(_ regex: NSRegularExpression) { self.regex = regex }

    nonisolated(unsafe) private static var compiled: [String: Pattern] = [:]
    private static let lock = NSLock()

    /// The compiled pattern, or nil when it is not a valid regular expression.
    public static func named(_ source: String) -> Pattern? {
        lock.lock()
        defer { lock.unlock() }
        if let p = compiled[source] { return p }
        guard let regex = try? NSRegularExpression(pattern: source, options: [.caseInsensitive]) else { return nil }
        let p = Pattern(regex)
        compiled[source] = p
        return p
    }

    /// Whether the pattern matches anywhere in `text`.
    public func matches(_ text: String) -> Bool {
        regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
    }

    /// The range of capture group `group` (0: the whole match) in every match, in order.
    public func matchRanges(in text: String, group: Int = 0) -> [Range<String.Index>] {
        regex.matches(in: text, range: NSRange(text.startIndex..., in: text)).compactMap { match in
            group < match.numberOfRanges ? Range(match.range(at: group), in: text) : nil
        }
    }

    /// The text of capture group `group` in the first match, if any.
    public func firstCapture(_ group: Int, in text: String) -> Substring? {
        guard let match = regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)), group < match.numberOfRanges,
              let range = Range(match.range(at: group), in: text) else { return nil }
        return text[range]
    }
}
