import Foundation

/// How one ticket stands to another (RT's links), from the first ticket's side.
public enum LinkKind: String, Sendable, Equatable, CaseIterable {
    case relatesTo = "relates-to"
    /// This ticket is the problem behind the other (an ITIL problem and its incidents).
    case parentOf = "parent-of"
    case childOf = "child-of"
    /// This ticket cannot be resolved while the other is open.
    case dependsOn = "depends-on"
    case dependedOnBy = "depended-on-by"

    /// The same link seen from the other ticket.
    public var inverse: LinkKind {
        switch self {
        case .relatesTo: return .relatesTo
        case .parentOf: return .childOf
        case .childOf: return .parentOf
        case .dependsOn: return .dependedOnBy
        case .dependedOnBy: return .dependsOn
        }
    }

    /// How it is stored: one row per link, in the direction of `parent-of`, `depends-on` or `relates-to`.
    public var stored: (kind: LinkKind, reversed: Bool) {
        switch self {
        case .childOf, .dependedOnBy: return (inverse, true)
        default: return (self, false)
        }
    }

    /// What staff type: `parent`, `child`, `depends-on`, `relates-to`, … and the Catalan and Spanish words.
    public static func named(_ word: String) -> LinkKind? {
        switch word.lowercased() {
        case "relates-to", "relates", "related", "relacionat", "relacionado": return .relatesTo
        case "parent", "parent-of", "pare", "padre": return .parentOf
        case "child", "child-of", "fill", "hijo": return .childOf
        case "depends-on", "depends", "dependson", "depèn", "depende": return .dependsOn
        case "depended-on-by", "blocks": return .dependedOnBy
        default: return nil
        }
    }
}

/// A link of a ticket, from its side: to another ticket, or to an outside URL (`refers-to`).
public struct TicketLink: Sendable, Equatable {
    public let kind: LinkKind?
    public let ticket: Int?
    public let url: String?

    public init(kind: LinkKind, ticket: Int) {
        self.kind = kind
        self.ticket = ticket
        url = nil
    }

    public init(url: String) {
        kind = nil
        ticket = nil
        self.url = url
    }

    /// As it reads: `parent-of #12`, `refers-to https://…`.
    public var description: String { kind.map { "\($0.rawValue) #\(ticket ?? 0)" } ?? "refers-to \(url ?? "")" }
}

/// A link to record or remove, as stored: from one ticket to another, or to a URL.
public struct StoredLink: Sendable, Equatable {
    public let from: Int
    public let kind: String
    public let to: Int?
    public let url: String?

    public init(from: Int, kind: String, to: Int?, url: String?) {
        self.from = from
        self.kind = kind
        self.to = to
        self.url = url
    }
}
