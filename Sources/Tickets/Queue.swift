/// A language notifications can be written in.
public enum Language: String, Codable, Sendable, CaseIterable {
    case ca, es, en
}

/// A person who works tickets.
public struct Staff: Sendable, Equatable, Hashable {
    /// Short handle used on the command line (`suport assign 12 anna`).
    public let id: String
    public let name: String
    public let address: String

    public init(id: String, name: String, address: String) {
        self.id = id
        self.name = name
        self.address = address
    }
}

/// Where tickets live: `support`, `treasury`, … each with its own addresses and people.
public struct Queue: Sendable, Equatable {
    public let name: String
    /// Addresses mail for this queue arrives at; the first is the From of its notifications.
    public let addresses: [String]
    /// Mail to this address about a ticket is a staff comment, never sent to requestors.
    public let commentAddress: String?
    public let staff: [Staff]
    public let language: Language
    /// How the queue is named to people, per language (`display_name` in the configuration).
    public let displayNames: [Language: String]
    /// Resolving asks the requestors to confirm (`approval`), and closes without approval
    /// after `approvalDays` without an answer.
    public let approval: Bool
    public let approvalDays: Int
    /// Resolved and rejected tickets keep their messages this many months (nil: forever).
    public let keepResolvedMonths: Int?
    /// What goes then: the messages and attachments (the ticket and its history stay), or the whole ticket.
    public let purgeWholeTicket: Bool
    /// Resolving a parent here resolves its open children too, and tells their requestors.
    public let cascade: Bool
    /// The kinds of ticket the queue has (incident, request, …); empty: no types.
    public var types: [String] = []
    /// Fields of the queue's own (`[[queues.fields]]`).
    public var fields: [CustomField] = []
    /// A ticket waiting for its requester this many days without a word is resolved by the
    /// desk, the requestors told (nil: never).
    public var autoCloseDays: Int? = nil
    /// The acknowledgement links the public article that best matches a new ticket ("this may
    /// already answer your question"), on the web desk.
    public var suggestInAcknowledgement = false
    /// Closing a task (`suport task add`) asks an admin's approval of the work, who approves it or sends it back.
    public var taskApproval = false

    public init(name: String, addresses: [String], commentAddress: String? = nil, staff: [Staff], language: Language,
                displayNames: [Language: String] = [:], approval: Bool = false, approvalDays: Int = 7,
                keepResolvedMonths: Int? = nil, purgeWholeTicket: Bool = false, cascade: Bool = true) {
        self.name = name
        self.addresses = addresses
        self.commentAddress = commentAddress
        self.staff = staff
        self.language = language
        self.displayNames = displayNames
        self.approval = approval
        self.approvalDays = approvalDays
        self.keepResolvedMonths = keepResolvedMonths
        self.purgeWholeTicket = purgeWholeTicket
        self.cascade = cascade
    }

    /// The queue's name in a language: its configured display name, else its own
    /// display name in another language, else its internal name capitalised.
    public func displayName(in language: Language) -> String {
        displayNames[language] ?? displayNames[self.language] ?? (name.prefix(1).uppercased() + name.dropFirst())
    }

    /// A custom field of the queue by name, case-insensitively.
    public func field(named name: String) -> CustomField? { fields.first { $0.name.lowercased() == name.lowercased() } }

    /// The address notifications come from and replies go to.
    public var replyAddress: String { addresses.first ?? "" }
}
