import MIME

/// A rule that files new tickets into a queue. Every condition given must match; the first
/// rule that matches wins.
public struct RoutingRule: Sendable {
    public let queue: String
    /// Matches when the message was addressed (To/Cc/Delivered-To) to this address.
    public let recipient: String?
    /// An address, or "@domain" for everyone there.
    public let sender: String?
    /// Regular expression (case-insensitive, ICU syntax) on the subject.
    public let subject: String?
    /// Regular expression (case-insensitive, ICU syntax) on the text body.
    public let body: String?

    public init(queue: String, recipient: String? = nil, sender: String? = nil, subject: String? = nil, body: String? = nil) {
        self.queue = queue
        self.recipient = recipient
        self.sender = sender
        self.subject = subject
        self.body = body
    }

    /// Checks that the patterns compile, naming the one that does not.
    public func validate() throws(RoutingError) {
        for pattern in [subject, body].compactMap({ $0 }) where Pattern.named(pattern) == nil {
            throw RoutingError.badPattern(pattern)
        }
        if recipient == nil && sender == nil && subject == nil && body == nil { throw RoutingError.noCondition(queue) }
    }

    func matches(recipients: [String], sender from: String?, subject s: String, body b: String) -> Bool {
        if let recipient, !recipients.contains(where: { $0.lowercased() == recipient.lowercased() }) { return false }
        if let sender {
            guard let from = from?.lowercased() else { return false }
            let want = sender.lowercased()
            if want.hasPrefix("@") ? !from.hasSuffix(want) : from != want { return false }
        }
        if let subject, !Self.search(subject, in: s) { return false }
        if let body, !Self.search(body, in: b) { return false }
        return true
    }

    static func search(_ pattern: String, in text: String) -> Bool {
        Pattern.named(pattern)?.matches(text) ?? false
    }
}

public enum RoutingError: Error, Equatable, CustomStringConvertible {
    case badPattern(String)
    case noCondition(String)

    public var description: String {
        switch self {
        case .badPattern(let p): return "not a valid regular expression: \(p.debugDescription)"
        case .noCondition(let q): return "a routing rule for \(q) has no condition"
        }
    }
}
