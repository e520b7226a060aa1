import Foundation
import MIME

/// Staff redacting a stored message (sensitive data pasted into a request): what matches a
/// pattern, or the text of some lines, becomes "[redacted]" in the decoded text and in the
/// raw bytes. The history keeps who did it, when, and the original's SHA-256, never the content.
public enum RedactRules {
    public enum Selection: Sendable, Equatable {
        /// A case-insensitive regular expression.
        case pattern(String)
        /// Lines of the stored text, 1-based and inclusive: their words are redacted wherever they appear.
        case lines(ClosedRange<Int>)
    }

    public static let mark = "[redacted]"

    /// The operation, or an error when the selection matches nothing or cannot be read.
    public static func operation(message id: Int64, raw: [UInt8], originalSHA256: String, text: String?, selection: Selection,
                                 on ticket: TicketRecord, by staff: Staff, now: Date) throws(DeskError) -> TicketOperation {
        let patterns: [String]
        switch selection {
        case .pattern(let p):
            guard Pattern.named(p) != nil else { throw .invalidPattern(p) }
            patterns = [p]
        case .lines(let range):
            let lines = (text ?? "").split(separator: "\n", omittingEmptySubsequences: false)
            guard range.lowerBound >= 1, range.upperBound <= lines.count else { throw .noSuchLines(range.lowerBound, range.upperBound, lines.count) }
            patterns = lines[(range.lowerBound - 1)...(range.upperBound - 1)].map { $0.trimmingSpaces() }.filter { !$0.isEmpty }
                .map(NSRegularExpression.escapedPattern(for:))
        }
        func redact(_ s: String) -> String {
            patterns.reduce(s) { s, p in
                let compiled = Pattern.named(p)
                var out = s
                for range in (compiled?.matchRanges(in: s) ?? []).reversed() { out.replaceSubrange(range, with: mark) }
                return out
            }
        }
        let newText = text.map(redact)
        guard newText != text, let newRaw = TextRewrite.rewrite(raw, redact) else { throw .nothingToRedact }
        var op = TicketOperation(before: ticket, actor: .staff(staff), at: now)
        op.touches = false
        op.replacement = MessageReplacement(message: id, raw: newRaw, text: newText)
        let how: String
        switch selection {
        case .pattern: how = "by a pattern"
        case .lines(let r): how = "lines \(r.lowerBound)–\(r.upperBound)"
        }
        op.record(HistoryItem(actor: staff.id, kind: "redacted", new: "message \(id)",
                              note: "\(how); the original's sha256 was \(originalSHA256)"))
        return op
    }
}
