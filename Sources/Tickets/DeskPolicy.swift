import Foundation
import MIME

/// What to do with a tagged message from someone who is not on the ticket.
public enum HijackPolicy: String, Sendable, Codable {
    /// File it as an internal comment and tell the owner (Suport's default).
    case comment
    /// Append it as correspondence, as RT does.
    case append
    /// Open a new ticket for it.
    case newTicket = "new-ticket"
}

/// What a requestor's reply does to a resolved (or rejected) ticket.
public enum ReopenPolicy: String, Sendable, Equatable {
    case always
    /// Reopens it, unless the reply only thanks or confirms (`ReplyPatterns`).
    case unlessThanks = "unless-thanks"
    case never
}

/// What becomes of auto-generated mail that joins no ticket (an out-of-office reply, a list).
public enum UnmatchedAutoMail: String, Sendable, Equatable {
    /// A ticket marked auto, filed without telling anyone (`suport list --auto`).
    case file
    /// Kept with the dropped mail (`suport dropped`), no ticket.
    case drop
}

/// Which notifications an installation sends; each can be turned off.
public struct NotificationSwitches: Sendable, Equatable {
    public var acknowledge = true
    public var staffOnCreate = true
    public var requestorCorrespondence = true
    public var staffCorrespondence = true
    public var comment = true
    public var statusChange = true
    public var queueMove = true
    public var ownerChange = true
    /// A requestor's or Cc's correspondence goes on to the other requestors and Ccs (RT's
    /// "On Correspond Notify Requestors and Ccs").
    public var conversation = true
    /// The acknowledgement quotes the requestor's message back. Off by default: a forged
    /// sender must not receive what someone else wrote.
    public var quoteInAcknowledgement = false

    public init() {}
}

/// Everything the desk's decisions depend on, read from the configuration.
public struct DeskPolicy: Sendable {
    /// Identifies this installation in the loop header of every message it sends.
    public var instanceID: String
    public var tag: SubjectTag
    /// Regular expressions with one capture group for the number, for tags of an older tracker.
    public var legacyTagPatterns: [String]
    /// The header every message we send carries, with `instanceID` as its value.
    public var loopHeader: String
    /// Domain for the Message-IDs we make.
    public var messageIDDomain: String
    public var queues: [Queue]
    public var defaultQueue: String
    public var routing: [RoutingRule]
    public var lifecycle: Lifecycle
    public var hijackPolicy: HijackPolicy
    /// Whether other non-ours addresses in To/Cc of a new ticket become its Ccs.
    public var addCcs: Bool
    public var acknowledgementsPerHour: Int
    public var notify: NotificationSwitches
    /// Messages larger than this are filed from their headers and first part only (the raw
    /// bytes are still kept whole), and the requestor is told.
    public var maxMessageBytes: Int
    /// At most this many attachments of one message are stored apart; the rest stay in the raw message.
    public var maxAttachments: Int
    /// Multiparts and enclosed messages nested deeper than this are not opened (a defect says so).
    public var maxNestingDepth: Int
    /// Staff handles that may work every queue.
    public var admins: [String]
    /// Which headers prove that mail from a staff address was sent by that staff member.
    public var verification: SenderVerification
    /// A message whose filing was begun this many times without finishing (a crash, an error)
    /// is set aside instead of being read again.
    public var filingAttempts: Int
    public var reopenOnReply: ReopenPolicy
    public var replyPatterns: ReplyPatterns
    public var unmatchedAutoMail: UnmatchedAutoMail
    /// Files of incoming correspondence up to this many bytes in all go on with its
    /// notifications; above, the notification names them and how to get them.
    public var forwardAttachmentBytes: Int
    /// Sensitive data masked in what leaves the store.
    public var redaction: Redaction
    /// How long the access record keeps who read a ticket; 0 records nothing.
    public var accessLogDays: Int = 365
    /// Service levels, first match wins (`[[sla]]`).
    public var slaPolicies: [SLAPolicy] = []
    /// The calendar of deadlines no SLA policy covers (a due date staff set): `[suport] calendar`.
    public var defaultCalendar = BusinessCalendar.twentyFourSeven()
    /// When a due date without a policy turns yellow.
    public var defaultWarnShare = 0.75
    /// The kinds of asset the desk keeps (telescope, node, product).
    public var assetKinds: [String] = []
    /// Named list filters from the configuration (`[views]`), as `suport list` options.
    public var views: [String: String] = [:]
    /// Staff replies wait this long in the outbox, where their author may edit or withdraw
    /// them (seed 000's five minutes); 0 sends them at once.
    public var undoSeconds = 300
    /// Support levels, lowest first (`[[levels]]`); a ticket starts at the first.
    public var levels: [SupportLevel] = []
    /// Replies staff reuse (`suport reply N --canned NAME`, `Canned: NAME` by email).
    public var canned = CannedAnswers()

    public init(instanceID: String, tag: SubjectTag = SubjectTag(), legacyTagPatterns: [String] = [], loopHeader: String = "X-Suport-Loop",
                messageIDDomain: String, queues: [Queue], defaultQueue: String, routing: [RoutingRule] = [],
                lifecycle: Lifecycle = .standard, hijackPolicy: HijackPolicy = .comment, addCcs: Bool = true,
                acknowledgementsPerHour: Int = 10, notify: NotificationSwitches = NotificationSwitches(),
                maxMessageBytes: Int = 25 * 1024 * 1024, maxAttachments: Int = 100, maxNestingDepth: Int = 20,
                admins: [String] = [], verification: SenderVerification = SenderVerification(), filingAttempts: Int = 3,
                reopenOnReply: ReopenPolicy = .unlessThanks, replyPatterns: ReplyPatterns = ReplyPatterns(),
                unmatchedAutoMail: UnmatchedAutoMail = .file, forwardAttachmentBytes: Int = 10 * 1024 * 1024,
                redaction: Redaction = Redaction()) {
        self.instanceID = instanceID
        self.tag = tag
        self.legacyTagPatterns = legacyTagPatterns
        self.loopHeader = loopHeader
        self.messageIDDomain = messageIDDomain
        self.queues = queues
        self.defaultQueue = defaultQueue
        self.routing = routing
        self.lifecycle = lifecycle
        self.hijackPolicy = hijackPolicy
        self.addCcs = addCcs
        self.acknowledgementsPerHour = acknowledgementsPerHour
        self.notify = notify
        self.maxMessageBytes = maxMessageBytes
        self.maxAttachments = maxAttachments
        self.maxNestingDepth = maxNestingDepth
        self.admins = admins
        self.verification = verification
        self.filingAttempts = filingAttempts
        self.reopenOnReply = reopenOnReply
        self.replyPatterns = replyPatterns
        self.unmatchedAutoMail = unmatchedAutoMail
        self.forwardAttachmentBytes = forwardAttachmentBytes
        self.redaction = redaction
    }

    /// Whether this address may read data of this rule unmasked: staff of an allowed queue.
    public func mayRead(_ rule: RedactionRule, address: String) -> Bool {
        rule.allowedQueues.contains { isStaff(address, ofQueue: $0) }
    }

    public func queue(named name: String) -> Queue? { queues.first { $0.name == name } }

    /// The zone deadlines are read and written in: the default calendar's, else the first
    /// office calendar's, else the server's.
    public var displayZone: TimeZone {
        defaultCalendar.always ? (slaPolicies.first { !$0.calendar.always }?.calendar.timeZone ?? .current) : defaultCalendar.timeZone
    }

    /// A support level by name, case-insensitively.
    public func level(named name: String) -> SupportLevel? { levels.first { $0.name.lowercased() == name.lowercased() } }

    /// The level above this one (nil: the first level), if there is one.
    public func level(above name: String?) -> SupportLevel? {
        guard let i = name.map({ n in levels.firstIndex { $0.name == n } }) ?? (levels.isEmpty ? nil : 0) else { return nil }
        return i + 1 < levels.count ? levels[i + 1] : nil
    }

    /// Every staff member of every queue, once.
    public var allStaff: [Staff] {
        var seen: Set<String> = []
        return queues.flatMap(\.staff).filter { seen.insert($0.id).inserted }
    }

    /// A staff member by handle or address.
    public func staff(_ key: String) -> Staff? {
        // The queues in order, as `allStaff` lists them, without building that list: this is
        // asked for every recipient of every notice.
        let k = key.lowercased()
        for queue in queues {
            if let s = queue.staff.first(where: { $0.id.lowercased() == k || $0.address.lowercased() == k }) { return s }
        }
        return nil
    }

    /// Whether this staff address (or handle) works this queue: its staff, or an admin.
    public func isStaff(_ key: String, ofQueue name: String) -> Bool {
        guard let s = staff(key) else { return false }
        return admins.contains(s.id) || queue(named: name)?.staff.contains(s) == true
    }

    /// A queue's name as people read it, in a language.
    public func displayName(ofQueue name: String, in language: Language) -> String {
        queue(named: name)?.displayName(in: language) ?? name
    }

    /// Addresses that belong to this desk (queue and comment addresses), lowercased.
    public var ourAddresses: Set<String> {
        Set(queues.flatMap { $0.addresses + ($0.commentAddress.map { [$0] } ?? []) }.map { $0.lowercased() })
    }

    public func isOurs(_ address: String) -> Bool { ourAddresses.contains(address.lowercased()) }

    /// The queue whose comment address this is.
    public func queue(forCommentAddress address: String) -> Queue? {
        queues.first { $0.commentAddress?.lowercased() == address.lowercased() }
    }
}
