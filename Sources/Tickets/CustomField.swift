import Foundation

/// A field a queue declares for its tickets (`[[queues.fields]]`): a node name, a telescope's
/// serial number, a date of visit. Values are kept as validated text.
public struct CustomField: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case text
        /// A decimal number.
        case number
        /// A day, `YYYY-MM-DD`.
        case date
        /// One of a list.
        case choice([String])
    }

    public let name: String
    public let kind: Kind

    public init(name: String, kind: Kind) {
        self.name = name
        self.kind = kind
    }

    /// The value as it is kept: trimmed, a number in its plain form, a choice as declared.
    public func validate(_ raw: String) throws(DeskError) -> String {
        let value = raw.trimmingCharacters(in: .whitespaces)
        guard !value.isEmpty, value.count <= 500, !value.contains(where: { $0.isNewline }) else {
            throw .invalidField(name, "needs one line of text (at most 500 characters)")
        }
        switch kind {
        case .text:
            return value
        case .number:
            guard let n = Double(value.replacingOccurrences(of: ",", with: ".")), n.isFinite else { throw .invalidField(name, "\(value.debugDescription) is not a number") }
            return n == n.rounded() && abs(n) < 1e15 ? String(Int(n)) : String(n)
        case .date:
            guard TimeRules.isDay(value) else { throw .invalidField(name, "\(value.debugDescription) is not a day (write YYYY-MM-DD)") }
            return value
        case .choice(let choices):
            guard let c = choices.first(where: { $0.lowercased() == value.lowercased() }) else {
                throw .invalidField(name, "\(value.debugDescription) is not one of \(choices.joined(separator: ", "))")
            }
            return c
        }
    }
}
