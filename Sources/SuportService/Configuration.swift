import Foundation
import MIME
import Tickets
import TicketStore
import TOMLKit

/// A configuration that cannot be used, naming the key and, where known, its line.
public struct ConfigError: Error, Equatable, CustomStringConvertible {
    public let file: String
    public let key: String?
    public let line: Int?
    public let problem: String

    public init(file: String, key: String?, line: Int?, problem: String) {
        self.file = file
        self.key = key
        self.line = line
        self.problem = problem
    }

    public var description: String {
        var where_ = file
        if let line { where_ += ":\(line)" }
        if let key { return "\(where_): \(key): \(problem)" }
        return "\(where_): \(problem)"
    }
}

/// The installation's configuration: one TOML file (every key is documented in
/// `config/suport.example.toml`). Relative paths are relative to the file's folder.
/// Secrets are never in it: they come from the environment or files it names.
public struct Configuration: Sendable {
    public let file: String
    public let policy: DeskPolicy
    public let databasePath: String
    public let templatesPath: String
    public let firstTicketNumber: Int
    /// The daemon's servers, secrets read from the environment or files.
    public let mail: MailSettings
    /// The web desk, when `[web]` is configured.
    public let web: WebSettings?
    /// The PostgreSQL database, when `[database]` is configured (else the SQLite file `databasePath`).
    public var postgres: PostgresSettings? = nil
    /// Where the data is, for logs and `suport check` (never with a password).
    public var databaseDescription: String {
        guard let p = postgres else { return databasePath }
        return "postgres://\(p.user)@\(p.host):\(p.port)/\(p.database)"
    }
    /// How long a daemon's hold on a mailbox, the scheduler or a notification lasts unless
    /// renewed (`lease_seconds`): how soon another daemon on the same database takes over.
    public var leaseSeconds: Double = 30

    /// One line on what the file declares, for `suport check-config`.
    public var summary: String {
        "\(policy.queues.count) queues (\(policy.queues.map(\.name).joined(separator: ", "))), "
            + "\(policy.allStaff.count) staff, \(policy.routing.count) routing rules"
    }

    /// The file to use: the one given, else $SUPORT_CONFIG, else config/suport.toml.
    public static func path(_ given: String?, environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        given ?? environment["SUPORT_CONFIG"] ?? "config/suport.toml"
    }

    // MARK: the file's shape

    struct File: Decodable {
        let suport: General
        let staff: [String: StaffEntry]
        let queues: [QueueEntry]
        let routing: [RoutingEntry]?
        let lifecycle: [String: [String]]?
        let notifications: NotificationsEntry?
        let verification: VerificationEntry?
        let replies: [String: RepliesEntry]?
        let redaction: [RedactionEntry]?
        let calendars: [String: DataModelSettings.CalendarEntry]?
        let sla: [DataModelSettings.SLAEntry]?
        let levels: [DataModelSettings.LevelEntry]?
        let views: [String: String]?
        let imap: MailSettings.IMAPSection?
        let smtp: MailSettings.SMTPSection?
        let log: MailSettings.LogSection?
        let web: WebSettings.Section?
        let database: DatabaseSettings.Section?
    }

    struct General: Decodable {
        let instanceID: String
        let database: String
        let messageIDDomain: String
        let tagPrefix: String?
        let firstTicketNumber: Int?
        let loopHeader: String?
        let templates: String?
        let canned: String?
        let hijackPolicy: String?
        let addCcs: Bool?
        let acknowledgementsPerHour: Int?
        let legacyTagPatterns: [String]?
        let defaultQueue: String?
        let maxMessageBytes: Int?
        let maxAttachments: Int?
        let maxNestingDepth: Int?
        let admins: [String]?
        let filingAttempts: Int?
        let reopenOnReply: String?
        let autoMail: String?
        let forwardAttachmentBytes: Int?
        let accessLogDays: Int?
        let calendar: String?
        let assetKinds: [String]?
        let leaseSeconds: MailSettings.Number?

        enum CodingKeys: String, CodingKey {
            case instanceID = "instance_id", database, messageIDDomain = "message_id_domain", tagPrefix = "tag_prefix"
            case firstTicketNumber = "first_ticket_number", loopHeader = "loop_header", templates, canned, hijackPolicy = "hijack_policy"
            case addCcs = "add_ccs", acknowledgementsPerHour = "acknowledgements_per_hour", legacyTagPatterns = "legacy_tag_patterns"
            case defaultQueue = "default_queue", maxMessageBytes = "max_message_bytes", maxAttachments = "max_attachments"
            case maxNestingDepth = "max_nesting_depth", admins, filingAttempts = "filing_attempts"
            case reopenOnReply = "reopen_on_reply", autoMail = "auto_mail", forwardAttachmentBytes = "forward_attachment_bytes"
            case accessLogDays = "access_log_days", calendar, assetKinds = "asset_kinds", leaseSeconds = "lease_seconds"
        }
    }

    struct StaffEntry: Decodable {
        let name: String
        let address: String
    }

    struct QueueEntry: Decodable {
        let name: String
        let addresses: [String]
        let commentAddress: String?
        let staff: [String]
        let language: String
        let displayName: [String: String]?
        let approval: Bool?
        let approvalDays: Int?
        let keepResolvedMonths: Int?
        let purge: String?
        let cascade: Bool?
        let types: [String]?
        let fields: [DataModelSettings.FieldEntry]?
        let autoCloseDays: Int?
        let suggestInAcknowledgement: Bool?
        let taskApproval: Bool?

        enum CodingKeys: String, CodingKey {
            case name, addresses, commentAddress = "comment_address", staff, language, displayName = "display_name"
            case approval, approvalDays = "approval_days", keepResolvedMonths = "keep_resolved_months", purge, cascade
            case types, fields, autoCloseDays = "auto_close_days", suggestInAcknowledgement = "suggest_in_acknowledgement"
            case taskApproval = "task_approval"
        }
    }

    struct RoutingEntry: Decodable {
        let queue: String
        let recipient: String?
        let sender: String?
        let subject: String?
        let body: String?
    }

    /// `[[redaction]]`: a shipped rule by name, or a pattern of the installation's own.
    struct RedactionEntry: Decodable {
        let name: String
        let pattern: String?
        let replacement: String?
        let allowedQueues: [String]?

        enum CodingKeys: String, CodingKey {
            case name, pattern, replacement, allowedQueues = "allowed_queues"
        }
    }

    /// `[replies.<language>]`: the lines that thank, approve, or are only courtesy.
    struct RepliesEntry: Decodable {
        let thanks: [String]?
        let approval: [String]?
        let courtesy: [String]?
    }

    struct VerificationEntry: Decodable {
        let authservIDs: [String]?
        let receivingHosts: [String]?

        enum CodingKeys: String, CodingKey {
            case authservIDs = "authserv_ids", receivingHosts = "receiving_hosts"
        }
    }

    struct NotificationsEntry: Decodable {
        let acknowledge: Bool?
        let staffOnCreate: Bool?
        let requestorCorrespondence: Bool?
        let staffCorrespondence: Bool?
        let comment: Bool?
        let statusChange: Bool?
        let queueMove: Bool?
        let ownerChange: Bool?
        let conversation: Bool?
        let quoteInAcknowledgement: Bool?
        let undoMinutes: Int?

        enum CodingKeys: String, CodingKey {
            case acknowledge, staffOnCreate = "staff_on_create", requestorCorrespondence = "requestor_correspondence"
            case staffCorrespondence = "staff_correspondence", comment, statusChange = "status_change", queueMove = "queue_move"
            case ownerChange = "owner_change", conversation, quoteInAcknowledgement = "quote_in_acknowledgement", undoMinutes = "undo_minutes"
        }
    }

    // MARK: loading

    /// Reads and validates a configuration file. `secrets`: read the passwords (the daemon
    /// and `suport check` do; the admin CLI does not need them).
    public static func load(path: String, secrets: Bool = false,
                            environment: [String: String] = ProcessInfo.processInfo.environment) throws(ConfigError) -> Configuration {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigError(file: path, key: nil, line: nil, problem: "cannot read the file")
        }
        let text = String(decoding: data, as: UTF8.self)
        return try parse(text, file: path, environment: secrets ? environment : nil)
    }

    /// Parses configuration text; `file` names it in errors and anchors relative paths.
    public static func parse(_ text: String, file: String, environment: [String: String]? = nil) throws(ConfigError) -> Configuration {
        let raw: File
        do {
            var decoder = TOMLDecoder()
            decoder.strictDecoding = true
            raw = try decoder.decode(File.self, from: text)
        } catch let error as TOMLParseError {
            throw ConfigError(file: file, key: nil, line: Int(error.source.begin.line), problem: "not valid TOML")
        } catch let error as UnexpectedKeysError {
            let key = error.keys.values.first.map { path($0) } ?? "?"
            throw ConfigError(file: file, key: key, line: line(of: key, in: text), problem: "unknown key")
        } catch let error as DecodingError {
            let (key, problem) = describe(error)
            throw ConfigError(file: file, key: key, line: line(of: key, in: text), problem: problem)
        } catch {
            throw ConfigError(file: file, key: nil, line: nil, problem: "\(error)")
        }
        return try build(raw, text: text, file: file, environment: environment)
    }

    private static func build(_ raw: File, text: String, file: String, environment: [String: String]?) throws(ConfigError) -> Configuration {
        func fail(_ key: String, _ problem: String) -> ConfigError {
            ConfigError(file: file, key: key, line: line(of: key, in: text), problem: problem)
        }
        let g = raw.suport
        guard !g.instanceID.isEmpty, g.instanceID.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }) else {
            throw fail("suport.instance_id", "use letters, digits, '-', '_' or '.'")
        }
        var staff: [String: Staff] = [:]
        for (id, entry) in raw.staff {
            guard OutgoingMessage.isValidAddress(entry.address) else { throw fail("staff.\(id).address", "not an email address") }
            staff[id] = Staff(id: id, name: entry.name, address: entry.address.lowercased())
        }
        var queues: [Queue] = []
        for (i, q) in raw.queues.enumerated() {
            guard let language = Language(rawValue: q.language) else {
                throw fail("queues[\(i)].language", "must be one of ca, es, en, not \(q.language.quoted)")
            }
            guard !q.addresses.isEmpty, q.addresses.allSatisfy(OutgoingMessage.isValidAddress) else {
                throw fail("queues[\(i)].addresses", "needs at least one valid address")
            }
            var members: [Staff] = []
            for id in q.staff {
                guard let s = staff[id] else { throw fail("queues[\(i)].staff", "no staff member \(id.quoted) under [staff]") }
                members.append(s)
            }
            var names: [Language: String] = [:]
            for (code, name) in q.displayName ?? [:] {
                guard let l = Language(rawValue: code) else {
                    throw fail("queues[\(i)].display_name", "\(code.quoted) is not a language (use ca, es or en)")
                }
                names[l] = name
            }
            if let days = q.approvalDays, !(1...365).contains(days) {
                throw fail("queues[\(i)].approval_days", "must be between 1 and 365, not \(days)")
            }
            if let months = q.keepResolvedMonths, !(1...1200).contains(months) {
                throw fail("queues[\(i)].keep_resolved_months", "must be between 1 and 1200, not \(months)")
            }
            guard [nil, "messages", "ticket"].contains(q.purge) else { throw fail("queues[\(i)].purge", "must be messages or ticket") }
            var queue = Queue(name: q.name, addresses: q.addresses.map { $0.lowercased() }, commentAddress: q.commentAddress?.lowercased(),
                              staff: members, language: language, displayNames: names, approval: q.approval ?? false,
                              approvalDays: q.approvalDays ?? 7, keepResolvedMonths: q.keepResolvedMonths,
                              purgeWholeTicket: q.purge == "ticket", cascade: q.cascade ?? true)
            queue.types = q.types ?? []
            queue.fields = try DataModelSettings.fields(q.fields, key: "queues[\(i)]", fail: fail)
            if let days = q.autoCloseDays, !(1...365).contains(days) {
                throw fail("queues[\(i)].auto_close_days", "must be between 1 and 365, not \(days)")
            }
            queue.autoCloseDays = q.autoCloseDays
            queue.suggestInAcknowledgement = q.suggestInAcknowledgement ?? false
            queue.taskApproval = q.taskApproval ?? false
            if queue.taskApproval && (g.admins ?? []).isEmpty {
                throw fail("queues[\(i)].task_approval", "needs an admin to approve the work: name one in [suport] admins")
            }
            queues.append(queue)
        }
        guard !queues.isEmpty else { throw fail("queues", "at least one queue is needed") }
        let defaultQueue = g.defaultQueue ?? queues[0].name
        guard queues.contains(where: { $0.name == defaultQueue }) else { throw fail("suport.default_queue", "no queue named \(defaultQueue)") }

        var rules: [RoutingRule] = []
        for (i, r) in (raw.routing ?? []).enumerated() {
            guard queues.contains(where: { $0.name == r.queue }) else { throw fail("routing[\(i)].queue", "no queue named \(r.queue)") }
            let rule = RoutingRule(queue: r.queue, recipient: r.recipient, sender: r.sender, subject: r.subject, body: r.body)
            do { try rule.validate() } catch { throw fail("routing[\(i)]", error.description) }
            rules.append(rule)
        }
        var lifecycle = Lifecycle.standard
        if let table = raw.lifecycle {
            var transitions: [Status: Set<Status>] = [:]
            for (from, targets) in table {
                guard let f = Status(rawValue: from) else { throw fail("lifecycle.\(from)", "not a status") }
                var set: Set<Status> = []
                for t in targets {
                    guard let s = Status(rawValue: t) else { throw fail("lifecycle.\(from)", "\(t.quoted) is not a status") }
                    set.insert(s)
                }
                transitions[f] = set
            }
            lifecycle = Lifecycle(transitions: transitions)
        }
        let hijack: HijackPolicy
        if let h = g.hijackPolicy {
            guard let p = HijackPolicy(rawValue: h) else { throw fail("suport.hijack_policy", "must be comment, append or new-ticket") }
            hijack = p
        } else {
            hijack = .comment
        }
        for (i, p) in (g.legacyTagPatterns ?? []).enumerated() where Pattern.named(p) == nil {
            throw fail("suport.legacy_tag_patterns[\(i)]", "not a valid regular expression")
        }
        var notify = NotificationSwitches()
        if let n = raw.notifications {
            notify.acknowledge = n.acknowledge ?? true
            notify.staffOnCreate = n.staffOnCreate ?? true
            notify.requestorCorrespondence = n.requestorCorrespondence ?? true
            notify.staffCorrespondence = n.staffCorrespondence ?? true
            notify.comment = n.comment ?? true
            notify.statusChange = n.statusChange ?? true
            notify.queueMove = n.queueMove ?? true
            notify.ownerChange = n.ownerChange ?? true
            notify.conversation = n.conversation ?? true
            notify.quoteInAcknowledgement = n.quoteInAcknowledgement ?? false
        }
        for (key, value, range) in [("max_message_bytes", g.maxMessageBytes, 1024...(1 << 40)), ("max_attachments", g.maxAttachments, 0...100_000),
                                    ("max_nesting_depth", g.maxNestingDepth, 1...100), ("filing_attempts", g.filingAttempts, 1...100),
                                    ("forward_attachment_bytes", g.forwardAttachmentBytes, 0...(1 << 40)),
                                    ("access_log_days", g.accessLogDays, 0...36_500)] {
            if let value, !range.contains(value) {
                throw fail("suport.\(key)", "must be between \(range.lowerBound) and \(range.upperBound), not \(value)")
            }
        }
        for (i, id) in (g.admins ?? []).enumerated() where staff[id] == nil {
            throw fail("suport.admins[\(i)]", "no staff member \(id.quoted) under [staff]")
        }
        let reopen = try g.reopenOnReply.map { (v: String) throws(ConfigError) -> ReopenPolicy in
            guard let p = ReopenPolicy(rawValue: v) else { throw fail("suport.reopen_on_reply", "must be always, unless-thanks or never") }
            return p
        } ?? .unlessThanks
        let autoMail = try g.autoMail.map { (v: String) throws(ConfigError) -> UnmatchedAutoMail in
            guard let p = UnmatchedAutoMail(rawValue: v) else { throw fail("suport.auto_mail", "must be file or drop") }
            return p
        } ?? .file
        var patterns = ReplyPatterns()
        for (code, entry) in raw.replies ?? [:] {
            guard let language = Language(rawValue: code) else { throw fail("replies.\(code)", "not a language (use ca, es or en)") }
            for (kind, list) in [("thanks", entry.thanks), ("approval", entry.approval), ("courtesy", entry.courtesy)] {
                for (i, p) in (list ?? []).enumerated() where !ReplyPatterns.isValid(p) {
                    throw fail("replies.\(code).\(kind)[\(i)]", "not a valid regular expression")
                }
            }
            if let t = entry.thanks { patterns.thanks[language] = t }
            if let a = entry.approval { patterns.approval[language] = a }
            if let c = entry.courtesy { patterns.courtesy[language] = c }
        }
        var redaction = Redaction()
        if let entries = raw.redaction {
            redaction.rules = []
            for (i, entry) in entries.enumerated() {
                var rule: RedactionRule
                if let pattern = entry.pattern {
                    guard Pattern.named(pattern) != nil else { throw fail("redaction[\(i)].pattern", "not a valid regular expression") }
                    rule = RedactionRule(name: entry.name, pattern: pattern, replacement: entry.replacement)
                } else if let shipped = RedactionRule.shipped.first(where: { $0.name == entry.name }) {
                    rule = shipped
                } else {
                    throw fail("redaction[\(i)].name", "no shipped rule \(entry.name.quoted) (iban, card, dni, password): give a pattern")
                }
                for q in entry.allowedQueues ?? [] where !queues.contains(where: { $0.name == q }) {
                    throw fail("redaction[\(i)].allowed_queues", "no queue named \(q)")
                }
                rule.allowedQueues = entry.allowedQueues ?? []
                redaction.rules.append(rule)
            }
        }
        let verification = SenderVerification(trustedAuthservIDs: raw.verification?.authservIDs ?? [],
                                              trustedReceivingHosts: raw.verification?.receivingHosts ?? [])
        let policy = DeskPolicy(instanceID: g.instanceID, tag: SubjectTag(prefix: g.tagPrefix ?? "suport"),
                                legacyTagPatterns: g.legacyTagPatterns ?? [], loopHeader: g.loopHeader ?? "X-Suport-Loop",
                                messageIDDomain: g.messageIDDomain, queues: queues, defaultQueue: defaultQueue, routing: rules,
                                lifecycle: lifecycle, hijackPolicy: hijack, addCcs: g.addCcs ?? true,
                                acknowledgementsPerHour: g.acknowledgementsPerHour ?? 10, notify: notify,
                                maxMessageBytes: g.maxMessageBytes ?? 25 * 1024 * 1024, maxAttachments: g.maxAttachments ?? 100,
                                maxNestingDepth: g.maxNestingDepth ?? 20, admins: g.admins ?? [], verification: verification,
                                filingAttempts: g.filingAttempts ?? 3, reopenOnReply: reopen, replyPatterns: patterns,
                                unmatchedAutoMail: autoMail, forwardAttachmentBytes: g.forwardAttachmentBytes ?? 10 * 1024 * 1024,
                                redaction: redaction)
        var configured = policy
        configured.accessLogDays = g.accessLogDays ?? 365
        let calendars = try DataModelSettings.calendars(raw.calendars, fail: fail)
        if let name = g.calendar {
            guard let c = calendars[name] else { throw fail("suport.calendar", "no calendar \(name.quoted) under [calendars] (or \"24x7\")") }
            configured.defaultCalendar = c
        }
        configured.slaPolicies = try DataModelSettings.sla(raw.sla, queues: queues, calendars: calendars,
                                                           defaultCalendar: configured.defaultCalendar, fail: fail)
        configured.levels = try DataModelSettings.levels(raw.levels, staff: staff, fail: fail)
        configured.assetKinds = g.assetKinds ?? []
        configured.views = raw.views ?? [:]
        if let minutes = raw.notifications?.undoMinutes {
            guard (0...60).contains(minutes) else { throw fail("notifications.undo_minutes", "must be between 0 and 60, not \(minutes)") }
            configured.undoSeconds = minutes * 60
        }
        let base = URL(fileURLWithPath: file).deletingLastPathComponent()
        func resolve(_ p: String) -> String { p.hasPrefix("/") ? p : base.appendingPathComponent(p).path }
        configured.canned = try CannedSettings.load(folder: resolve(g.canned ?? "canned"), queues: queues, fail: fail)
        let mail = try MailSettings.build(imap: raw.imap, smtp: raw.smtp, log: raw.log, base: base, environment: environment, fail: fail)
        let web = try raw.web.map { s throws(ConfigError) in try WebSettings.build(s, base: base, environment: environment, fail: fail) }
        var configuration = Configuration(file: file, policy: configured, databasePath: resolve(g.database),
                                          templatesPath: resolve(g.templates ?? "templates"), firstTicketNumber: g.firstTicketNumber ?? 1,
                                          mail: mail, web: web)
        configuration.postgres = try raw.database.map { s throws(ConfigError) in
            try DatabaseSettings.build(s, base: base, environment: environment, fail: fail)
        }
        if let lease = g.leaseSeconds?.value {
            guard (1...3600).contains(lease) else { throw fail("suport.lease_seconds", "must be between 1 and 3600, not \(lease)") }
            configuration.leaseSeconds = lease
        }
        return configuration
    }

    // MARK: error helpers

    private static func path(_ keys: [CodingKey]) -> String {
        var out = ""
        for k in keys {
            if let i = k.intValue { out += "[\(i)]" } else { out += (out.isEmpty ? "" : ".") + k.stringValue }
        }
        return out
    }

    private static func describe(_ error: DecodingError) -> (String?, String) {
        switch error {
        case .keyNotFound(let key, let ctx):
            let full = ctx.codingPath.last?.stringValue == key.stringValue ? ctx.codingPath : ctx.codingPath + [key]
            return (path(full), "missing")
        case .typeMismatch(let type, let ctx): return (path(ctx.codingPath), "expected \(type)")
        case .valueNotFound(let type, let ctx): return (path(ctx.codingPath), "expected \(type)")
        case .dataCorrupted(let ctx): return (path(ctx.codingPath), ctx.debugDescription)
        @unknown default: return (nil, "\(error)")
        }
    }

    /// The line where a key is written, following its path through tables and arrays of
    /// tables (`queues[1].language` is the `language` after the second `[[queues]]`).
    static func line(of key: String?, in text: String) -> Int? {
        guard let key else { return nil }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        var parts: [(name: String, index: Int?)] = []
        for piece in key.split(separator: ".") {
            if let open = piece.firstIndex(of: "["), let n = Int(piece[piece.index(after: open)...].dropLast()) {
                parts.append((String(piece[..<open]), n))
            } else {
                parts.append((String(piece), nil))
            }
        }
        guard let last = parts.last else { return nil }
        var from = 0
        var table = ""
        for part in parts.dropLast() {
            table += (table.isEmpty ? "" : ".") + part.name
            if let index = part.index {
                let headers = lines.indices.filter { $0 >= from && lines[$0] == "[[\(table)]]" }
                guard index < headers.count else { return nil }
                from = headers[index]
                table = ""
            } else if let header = lines.indices.first(where: { $0 >= from && lines[$0] == "[\(table)]" }) {
                from = header
                table = ""
            }
        }
        let name = table.isEmpty ? last.name : table + "." + last.name
        if let index = last.index {
            let headers = lines.indices.filter { $0 >= from && lines[$0] == "[[\(name)]]" }
            return index < headers.count ? headers[index] + 1 : nil
        }
        let found = lines.indices.first { i in
            i >= from && (lines[i].hasPrefix(last.name + " ") || lines[i].hasPrefix(last.name + "=") || lines[i] == "[\(name)]"
                          || lines[i] == "[[\(name)]]")
        }
        return found.map { $0 + 1 }
    }
}

extension Configuration {
    /// The same configuration with another database (benchmarks, tests).
    public func with(databasePath: String) -> Configuration {
        var copy = Configuration(file: file, policy: policy, databasePath: databasePath, templatesPath: templatesPath,
                                 firstTicketNumber: firstTicketNumber, mail: mail, web: web)
        copy.leaseSeconds = leaseSeconds
        return copy
    }

    /// The same configuration on a PostgreSQL database (tests, benchmarks).
    public func with(postgres: PostgresSettings?) -> Configuration {
        var copy = self
        copy.postgres = postgres
        return copy
    }
}

extension String {
    /// In double quotes. (TOMLKit gives String a `debugDescription` of its own, without them.)
    var quoted: String { "\"" + self + "\"" }
}
