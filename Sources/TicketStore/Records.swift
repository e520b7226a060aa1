import Foundation
import MIME
import Tickets

/// One entry of a ticket's history: who did what, when, from what to what.
public struct HistoryEntry: Sendable, Equatable {
    public let id: Int64
    public let ticket: Int?
    public let at: Date
    public let actor: String
    public let kind: String
    public let oldValue: String?
    public let newValue: String?
    /// The stored message this entry carries (correspondence, comments), if any.
    public let message: Int64?
    public let note: String?
}

/// A file stored with a ticket.
public struct AttachmentRecord: Sendable, Equatable {
    public let id: Int64
    public let ticket: Int?
    public let message: Int64
    public let filename: String?
    public let contentType: String
    public let size: Int
    public let isInline: Bool
    public let sha256: String
}

/// One notification to one recipient, waiting, sent or given up on.
public struct OutboxEntry: Sendable, Equatable {
    public enum State: String, Sendable { case pending, sent, failed, withdrawn }

    public let id: Int64
    public let ticket: Int?
    public let template: String
    public let recipient: String
    /// The envelope sender (the queue address).
    public let sender: String
    public let messageID: String
    public let state: State
    public let attempts: Int
    public let nextAttempt: Date
    public let lastError: String?
    public let created: Date
    public let sent: Date?
    /// The staff member whose words it carries, and until when they may still edit or withdraw it.
    public var author: String? = nil
    public var heldUntil: Date? = nil
    /// The daemon sending it now, and until when its claim lasts (Leases.swift).
    public var claimedBy: String? = nil
    public var claimedUntil: Date? = nil
}

/// Where a message came from, when it came from a mailbox: the IMAP dedupe key.
public struct MailboxKey: Sendable, Equatable {
    public let mailbox: String
    public let uidValidity: UInt32
    public let uid: UInt32

    public init(mailbox: String, uidValidity: UInt32, uid: UInt32) {
        self.mailbox = mailbox
        self.uidValidity = uidValidity
        self.uid = uid
    }

    /// The dedupe key: mailbox, UIDVALIDITY and UID.
    public var key: String { "imap:\(mailbox):\(uidValidity):\(uid)" }
}

/// Which tickets `suport list` shows.
public struct TicketFilter: Sendable {
    public var queue: String?
    /// Only tickets of these queues (what a staff member may see); nil: every queue.
    public var visibleQueues: [String]? = nil
    public var statuses: [Status] = []
    public var owner: String?
    public var unowned = false
    public var requestor: String?
    public var search: String?
    /// Auto-generated mail filed without telling anyone: only those (`list --auto`), else never.
    public var auto = false
    /// Only priorities in this range.
    public var priority: ClosedRange<Int>? = nil
    public var type: String? = nil
    public var organisation: String? = nil
    public var asset: String? = nil
    public var waitingFor: WaitingFor? = nil
    /// Only at this support level (the first level includes tickets never escalated).
    public var level: String? = nil
    public var firstLevel: String? = nil
    /// Only tickets of this colour at `now`.
    public var sla: SLAState? = nil
    public var now = Date()
    /// Custom fields that must hold these values (case-insensitively).
    public var fields: [(name: String, value: String)] = []
    /// Only tickets with this outside reference (case-insensitively).
    public var externalRef: String? = nil
    /// A search with more hits than this (messages and tickets) is not ranked but listed
    /// newest first: bm25 over every hit costs more than ranking is worth when nearly every
    /// ticket has the word.
    public var rankedHits = 5_000
    /// Sort keys in order (default: newest first).
    public var sort: [SortTerm] = []
    public var limit = 500
    /// Tickets skipped before the first listed (a page further on).
    public var offset = 0
    /// Only tickets numbered below this: the next page of the newest-first order, found
    /// through the primary key however deep it is (an offset walks every ticket before it).
    public var below: Int? = nil

    public init() {}
}

/// One reading of a ticket.
public struct AccessEntry: Sendable, Equatable {
    public let ticket: Int
    public let at: Date
    /// The staff handle, or what the reader gave.
    public let actor: String
    /// How: "cli", "web".
    public let via: String
}

/// A stored message, without its bytes.
public struct StoredMessage: Sendable, Equatable {
    public let id: Int64
    public let ticket: Int?
    /// "in", "out" or "note".
    public let direction: String
    public let messageID: String?
    public let subject: String?
    public let sender: String?
    public let received: Date
}

/// Everything the store holds about one address (GDPR Art. 15), without the bytes.
public struct PersonData: Sendable {
    /// Tickets they are on (requestor, Cc, watcher) or wrote to.
    public let tickets: [TicketRecord]
    /// The messages they sent.
    public let messages: [StoredMessage]
    /// The attachments of those messages.
    public let attachments: [AttachmentRecord]
    /// History entries that name them (as actor, old or new value).
    public let history: [HistoryEntry]
    /// Notifications addressed to them.
    public let notifications: [OutboxEntry]
}

/// What `list --sort` sorts by.
public enum SortKey: String, Sendable, CaseIterable {
    case number, priority, created, updated, resolved, status, queue, owner, title, time, due, type, sla, waiting, organisation, level, reference

    var column: String {
        switch self {
        case .number: return "t.number"
        case .priority: return "t.priority"
        case .created: return "t.created_at"
        case .updated: return "t.updated_at"
        case .resolved: return "t.resolved_at"
        case .status: return "t.status"
        case .queue: return "t.queue"
        case .owner: return "t.owner"
        case .title: return "t.title COLLATE NOCASE"
        case .time: return "t.minutes_worked"
        // Tickets without a deadline sort after those with one.
        case .due: return "COALESCE(t.due_at, t.resolution_due, 1e18)"
        case .type: return "t.type"
        case .sla: return "COALESCE(t.sla_breach_at, 1e18)"
        case .waiting: return "t.waiting_for"
        case .organisation: return "t.organisation COLLATE NOCASE"
        case .level: return "t.level"
        case .reference: return "t.external_ref"
        }
    }

    /// `due,-priority,field.node` → terms with their direction; nil when a key is unknown.
    /// `numericFields` are the custom fields that sort as numbers.
    public static func parse(_ text: String, numericFields: Set<String> = []) -> [SortTerm]? {
        var out: [SortTerm] = []
        for piece in text.split(separator: ",") {
            let descending = piece.hasPrefix("-")
            let name = String(piece.drop { $0 == "-" || $0 == "+" })
            if name.lowercased().hasPrefix("field.") {
                let field = String(name.dropFirst(6))
                guard SortTerm.isFieldName(field) else { return nil }
                out.append(.field(field, numeric: numericFields.contains(field), descending: descending))
            } else {
                guard let key = SortKey(rawValue: name.lowercased()) else { return nil }
                out.append(SortTerm(key, descending: descending))
            }
        }
        return out.isEmpty ? nil : out
    }
}

/// One sort key of a list: a field of every ticket, or a custom field by name.
public struct SortTerm: Sendable {
    enum What: Sendable { case key(SortKey), field(String, numeric: Bool) }
    let what: What
    public let descending: Bool

    public init(_ key: SortKey, descending: Bool = false) {
        what = .key(key)
        self.descending = descending
    }

    /// A custom field; `numeric` sorts its values as numbers.
    public static func field(_ name: String, numeric: Bool = false, descending: Bool = false) -> SortTerm {
        SortTerm(what: .field(name, numeric: numeric), descending: descending)
    }

    private init(what: What, descending: Bool) {
        self.what = what
        self.descending = descending
    }

    /// Names a custom field may have (as the configuration allows them): only these reach SQL.
    static func isFieldName(_ name: String) -> Bool {
        !name.isEmpty && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }
    }

    /// The ORDER BY term; tickets without the field sort after those with it.
    func sql(_ dialect: SQLDialect) -> String {
        let direction = descending ? "DESC" : "ASC"
        switch what {
        // PostgreSQL sorts NULL as the largest value, SQLite as the smallest: said outright there.
        case .key(let key): return "\(key.column) \(direction)" + (dialect == .sqlite ? "" : descending ? " NULLS LAST" : " NULLS FIRST")
        case let .field(name, numeric):
            guard Self.isFieldName(name) else { return "t.number \(direction)" }
            let (value, real) = dialect == .sqlite ? ("json_extract(t.fields, '$.\"\(name)\"')", "REAL") : ("(t.fields::jsonb ->> '\(name)')", "DOUBLE PRECISION")
            return "(\(value) IS NULL), " + (numeric ? "CAST(\(value) AS \(real)) \(direction)" : "\(value) COLLATE NOCASE \(direction)")
        }
    }
}

/// What the desk holds of a mailbox UID, asked before the message is fetched.
public enum MailboxIntake: Sendable, Equatable {
    /// Neither filed nor set aside: to fetch and file.
    case new
    /// Filed already (a crash came between the commit and marking it on the server).
    case filed
    /// Set aside as this failed message and not filed since (a crash came before it was
    /// moved aside): to move, not to read again.
    case setAside(Int64)
}

/// A message that could not be filed: its raw bytes are kept, and it was moved aside on the server.
public struct FailedIntake: Sendable, Equatable {
    public let id: Int64
    public let mailbox: String
    public let uidValidity: UInt32
    public let uid: UInt32
    public let size: Int
    public let subject: String?
    public let sender: String?
    public let error: String
    public let failed: Date
    public let sha256: String
    /// When `suport failed retry` filed it, and on which ticket.
    public let retried: Date?
    public let ticket: Int?
}

/// A message already filed under one of the dedupe keys.
public struct FiledMessage: Sendable, Equatable {
    public let message: Int64?
    public let ticket: Int?
    /// The mailbox the stored message came from.
    public let mailbox: String?
}

/// How often a message's filing was begun, and how the last attempt ended.
public struct AttemptCount: Sendable, Equatable {
    public let attempts: Int
    /// The error of the last attempt; nil when it crashed (or never ended).
    public let lastError: String?
}

/// A message about to be read: its dedupe key and raw bytes, recorded before anything is parsed.
public struct IntakeAttempt: Sendable {
    public let key: String
    public let raw: [UInt8]
    public let sha256: String

    public init(key: String, raw: [UInt8], sha256: String) {
        self.key = key
        self.raw = raw
        self.sha256 = sha256
    }
}

/// The desk at a glance, per queue (seed 000's panel): `suport dashboard`.
public struct Dashboard: Sendable, Equatable {
    public struct Queue: Sendable, Equatable {
        public let name: String
        /// Tickets by status (auto-filed mail and merged pointers left out).
        public var byStatus: [String: Int] = [:]
        /// New tickets nobody owns yet.
        public var unownedNew = 0
        public var yellow = 0
        public var red = 0
        /// Open tickets by whom they wait for.
        public var waiting: [String: Int] = [:]
        /// The open ticket that has waited longest for the desk (not for its requester or a
        /// supplier), and since when it was last touched.
        public var oldestWaiting: (number: Int, since: Date)? = nil
        /// Minutes worked on its tickets since the first of the month.
        public var minutesThisMonth = 0

        public init(name: String) { self.name = name }

        public static func == (a: Queue, b: Queue) -> Bool {
            a.name == b.name && a.byStatus == b.byStatus && a.unownedNew == b.unownedNew && a.yellow == b.yellow && a.red == b.red
                && a.waiting == b.waiting && a.oldestWaiting?.number == b.oldestWaiting?.number && a.minutesThisMonth == b.minutesThisMonth
        }
    }

    public var queues: [Queue]

    public init(queues: [Queue]) { self.queues = queues }
}
