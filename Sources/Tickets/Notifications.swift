import Foundation
import MIME
import Mustache

/// A change to a ticket that people may need to hear about.
public enum DeskEvent: Sendable, Equatable {
    case created(acknowledge: Bool)
    /// Mail from a requestor or Cc (`shared`: it goes on to the others on the ticket, except
    /// those it was `copied` to already), or from an outsider RT-style appended (not shared).
    case correspondenceIn(shared: Bool, copied: [String])
    /// A staff reply, by mail or from the CLI: goes to the requestors.
    case correspondenceOut
    case comment
    /// An outsider quoted the ticket's tag; their mail became a comment.
    case outsiderComment
    case status(from: Status, to: Status)
    case queue(from: String, to: String)
    case owner(from: String?, to: String?)
    /// The requestor's message was over the size limit: only its beginning was read.
    case tooLarge
    /// Command lines of a staff message could not be applied: only its sender is told.
    case commandsFailed
    /// Another ticket was merged into this one: everyone on either is told, once.
    case merged(from: Int)
    /// Moved to another support level: that level's staff are told.
    case escalated(from: String?, to: String)
    /// A deadline is near (yellow) or has passed (red): the owners are told (else the
    /// queue's staff), and on red the staff of the level above (`tell`) too.
    case slaWarning
    /// A task was closed on a queue with `task_approval`: the admins are asked to approve it.
    case taskApprovalAsked
    /// An admin approved a task's work or sent it back.
    case taskReviewed(approved: Bool)
    case slaBreached(tell: String?)
}

/// The notification templates, by name: a name that does not exist cannot be written.
public enum TemplateName: String, Sendable, CaseIterable, Equatable {
    case acknowledgement, newTicket = "new-ticket", correspondenceStaff = "correspondence-staff", correspondence, comment, outsider
    case status, statusOwner = "status-owner", queueStaff = "queue-staff", queueRequestors = "queue-requestors", owner
    case tooLarge = "too-large"
    case commandErrors = "command-errors", approvalRequest = "approval-request", merged
    case escalated, slaWarning = "sla-warning", slaBreached = "sla-breached"
    /// A requester's link to all their tickets on the web desk, asked for there.
    case loginLink = "login-link"
    case taskApproval = "task-approval", taskReviewed = "task-reviewed"

    /// Whether the operation's files go with the message: what a person wrote, to those who read it.
    var carriesFiles: Bool { self == .correspondence || self == .correspondenceStaff || self == .comment }

    /// Whether the message relays a person's own words (a reply, a comment): such mail is not
    /// automatic (RFC 3834 §5) and carries no `Auto-Submitted`.
    var relaysPersonsWords: Bool {
        switch self {
        case .correspondence, .correspondenceStaff, .comment, .outsider: return true
        default: return false
        }
    }
}

/// The words of a notification that come from the change; the composer adds the ticket's own.
public struct NotificationContext: Sendable, Equatable {
    /// The text written (a reply, a comment, the requestor's message).
    public var text = ""
    /// The message's sender as written ("Núria <nuria@example.cat>").
    public var sender = ""
    public var subject = ""
    /// Who made the change, by name: the signature of a staff reply.
    public var actor = ""
    /// The note given with a change (`--comment`).
    public var comment = ""
    public var oldStatus: Status? = nil
    public var newStatus: Status? = nil
    public var oldQueue: String? = nil
    public var newQueue: String? = nil
    /// For too-large: the message's size and the limit, as "12.3 MB".
    public var size = ""
    public var limit = ""
    /// For command-errors: each failed line and why, one per line.
    public var errors = ""
    /// Files of the message that were too large to go on by mail: "name (size)", comma-separated.
    public var filesNotSent = ""
    /// For merged: the tag of the ticket merged in.
    public var mergedTag = ""
    /// For SLA reminders: the deadline concerned, as staff read it, and whether it is the
    /// first answer's (else the resolution's).
    public var dueText = ""
    public var responseDeadline = false
    /// For a status notice: the ticket closed itself after this many days without a reply.
    public var autoClosedDays = 0
    /// Knowledge-base articles that may help with a new ticket, a line each (`KB3 Title`).
    public var suggestions = ""
    /// The public article that best matches a new ticket, for its acknowledgement (`suggest_in_acknowledgement`).
    public var publicArticleID: Int64? = nil
    public var publicArticleTitle = ""
    /// For task-reviewed: the work was approved (else sent back).
    public var approved = false

    public init() {}

    /// A size as people read it: "840 KB", "12.3 MB".
    public static func size(_ bytes: Int) -> String {
        bytes < 1_048_576 ? "\(max(1, (bytes + 1023) / 1024)) KB" : String(format: "%.1f MB", Double(bytes) / 1_048_576)
    }
}

/// One message to one person, before it is rendered.
public struct PlannedNotification: Sendable, Equatable {
    public let template: TemplateName
    public let recipient: Address
    public let language: Language
    /// RFC 3834: "auto-replied" for answers to a message, "auto-generated" for other notices,
    /// nil for mail that relays a person's words.
    public let autoSubmitted: String?
    public let toRequestor: Bool
}

/// Who is told of what. Each event has its audience, the actor is never told of their own
/// change, our own addresses never receive anything, and auto-generated mail never causes
/// anything to be sent to requestors.
public enum NotificationPlan {
    /// `languages`: what each person on the ticket reads, learned or set; the queue's otherwise.
    public static func plan(_ event: DeskEvent, ticket: TicketRecord, actor: Actor, autoGenerated: Bool,
                            policy: DeskPolicy, languages: [String: Language] = [:]) -> [PlannedNotification] {
        guard let queue = policy.queue(named: ticket.queue) else { return [] }
        let n = policy.notify
        let staff = queue.staff.map { Address(name: $0.name, address: $0.address) }
        func addresses(_ handles: [String]) -> [Address] {
            handles.compactMap(policy.staff).map { Address(name: $0.name, address: $0.address) }
        }
        // Everyone who owns it, lead first: they are told as one owner would be.
        let owners = addresses(ticket.owners)
        let ownersElseStaff = owners.isEmpty ? staff : owners
        let people = ticket.requestors + ticket.ccs
        let watchers = ticket.watchers
        let actorAddress = actor.address
        var out: [PlannedNotification] = []

        func add(_ template: TemplateName, _ recipients: [Address], requestors: Bool, auto: String = "auto-generated",
                 toActorToo: Bool = false, language: Language = queue.language) {
            if requestors && autoGenerated { return }
            for r in recipients {
                let a = r.address.lowercased()
                if !toActorToo, a == actorAddress { continue }
                if policy.isOurs(a) || out.contains(where: { $0.recipient.address.lowercased() == a && $0.template == template }) { continue }
                // A requestor or Cc reads their own language where the desk knows it.
                let reads = requestors ? languages[a] ?? language : language
                out.append(PlannedNotification(template: template, recipient: r, language: reads,
                                               autoSubmitted: template.relaysPersonsWords ? nil : auto, toRequestor: requestors))
            }
        }

        switch event {
        case .created(let acknowledge):
            // The acknowledgement answers the requestor's own message: it is the one notice the actor gets.
            if acknowledge && n.acknowledge {
                add(.acknowledgement, ticket.requestors, requestors: true, auto: "auto-replied", toActorToo: true)
            }
            if n.staffOnCreate { add(.newTicket, staff, requestors: false) }
        case let .correspondenceIn(shared, copied):
            if n.requestorCorrespondence { add(.correspondenceStaff, ownersElseStaff + watchers, requestors: false) }
            // The others on the ticket read what a requestor or Cc wrote, as a staff reply is read;
            // never the writer, nor those who had it from the writer already.
            if shared && n.conversation {
                add(.correspondence, people.filter { !copied.contains($0.address.lowercased()) }, requestors: true)
            }
        case .correspondenceOut:
            if n.staffCorrespondence {
                add(.correspondence, people, requestors: true)
                add(.correspondence, watchers, requestors: false)
            }
        case .comment:
            if n.comment { add(.comment, staff + watchers, requestors: false) }
        case .outsiderComment:
            // Always told, even when the writer claims to be one of them: that claim is what is in doubt.
            add(.outsider, ownersElseStaff, requestors: false, toActorToo: true)
        case .merged:
            add(.merged, people, requestors: true)
        case .commandsFailed:
            if let address = actorAddress, let s = policy.staff(address) {
                add(.commandErrors, [Address(name: s.name, address: s.address)], requestors: false, toActorToo: true)
            }
        case .status:
            if n.statusChange {
                // On a queue that asks for approval, the requestors are asked to confirm the resolution.
                add(ticket.approval == .pending ? .approvalRequest : .status, people, requestors: true)
                add(.statusOwner, owners, requestors: false)
            }
        case .queue(let from, _):
            if n.queueMove {
                add(.queueStaff, staff, requestors: false)
                // The requestors hear of the move in the language they have been reading.
                add(.queueRequestors, ticket.requestors, requestors: true, language: policy.queue(named: from)?.language ?? queue.language)
            }
        case .tooLarge:
            add(.tooLarge, ticket.requestors, requestors: true, auto: "auto-replied", toActorToo: true)
        case .owner(_, let to):
            if n.ownerChange, let to { add(.owner, addresses([to]), requestors: false) }
        case .escalated(_, let to):
            add(.escalated, addresses(policy.level(named: to)?.staff ?? []), requestors: false)
        case .taskApprovalAsked:
            add(.taskApproval, addresses(policy.admins), requestors: false)
        case .taskReviewed:
            add(.taskReviewed, owners, requestors: false)
        case .slaWarning:
            add(.slaWarning, ownersElseStaff, requestors: false, toActorToo: true)
        case .slaBreached(let level):
            add(.slaBreached, ownersElseStaff + addresses(level.flatMap(policy.level(named:))?.staff ?? []), requestors: false, toActorToo: true)
        }
        return out
    }
}

/// The plain-text mustache templates notifications are written from, in each language.
/// A template's first line is the subject (the tag is added in front); the rest is the body.
/// Each is compiled the first time it is rendered: a command that sends two notices pays for
/// two, not for every template in every language (`validate` compiles them all, for
/// `check-config`, `check` and `serve`).
public struct NotificationTemplates: Sendable {
    private let sources: [Language: [TemplateName: String]]
    private let compiled = CompiledTemplates()

    /// Takes the templates; every language needs every name.
    public init(sources: [Language: [TemplateName: String]]) throws(TemplateError) {
        for language in Language.allCases {
            for name in TemplateName.allCases where sources[language]?[name] == nil { throw .missing(language: language, name: name) }
        }
        self.sources = sources
    }

    /// Compiles every template, naming the first that does not parse.
    public func validate() throws(TemplateError) {
        for language in Language.allCases {
            for name in TemplateName.allCases {
                if case .failure(let error) = template(name, language) { throw error }
            }
        }
    }

    private func template(_ name: TemplateName, _ language: Language) -> Result<MustacheTemplate, TemplateError> {
        compiled.get("\(language.rawValue)/\(name.rawValue)") {
            do {
                return .success(try MustacheTemplate(string: sources[language]?[name] ?? ""))
            } catch {
                return .failure(.invalid(language: language, name: name, reason: "\(error)"))
            }
        }
    }

    /// The subject and body for one notification. A template that does not parse (changed
    /// since `check-config` last read it) says so in the body rather than sending nothing.
    public func render(_ name: TemplateName, language: Language, context: [String: String]) -> (subject: String, body: String) {
        let text: String
        switch template(name, language) {
        case .success(let t): text = t.render(context)
        case .failure(let error): text = "\n\(error)"
        }
        var lines = text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false)
        let subject = lines.isEmpty ? "" : String(lines.removeFirst())
        var body = lines.first.map(String.init) ?? ""
        while body.hasPrefix("\n") { body.removeFirst() }
        return (subject.trimmingSpaces(), body)
    }

    /// An SLA colour in words.
    public static func slaName(_ state: SLAState, _ language: Language) -> String {
        switch (language, state) {
        case (.ca, .green): return "verd (a temps)"
        case (.ca, .yellow): return "groc (a prop del termini)"
        case (.ca, .red): return "vermell (fora de termini)"
        case (.es, .green): return "verde (a tiempo)"
        case (.es, .yellow): return "amarillo (cerca del plazo)"
        case (.es, .red): return "rojo (fuera de plazo)"
        case (.en, .green): return "green (on time)"
        case (.en, .yellow): return "yellow (deadline near)"
        case (.en, .red): return "red (overdue)"
        }
    }

    /// Whose move it is, in words.
    public static func waitingName(_ w: WaitingFor, _ language: Language) -> String {
        switch (language, w) {
        case (.ca, .requester): return "la persona sol·licitant"
        case (.ca, .supplier): return "el proveïdor"
        case (.ca, .support): return "l'equip de suport"
        case (.es, .requester): return "la persona solicitante"
        case (.es, .supplier): return "el proveedor"
        case (.es, .support): return "el equipo de soporte"
        case (.en, .requester): return "the requester"
        case (.en, .supplier): return "the supplier"
        case (.en, .support): return "support"
        }
    }

    /// The status as the queue's language says it of a request: "petició" and "solicitud"
    /// are feminine, so the adjectives agree with them.
    public static func statusName(_ status: Status, _ language: Language) -> String {
        switch (language, status) {
        case (.ca, .new): return "nova"
        case (.ca, .open): return "oberta"
        case (.ca, .stalled): return "en espera"
        case (.ca, .resolved): return "resolta"
        case (.ca, .rejected): return "rebutjada"
        case (.es, .new): return "nueva"
        case (.es, .open): return "abierta"
        case (.es, .stalled): return "en espera"
        case (.es, .resolved): return "resuelta"
        case (.es, .rejected): return "rechazada"
        case (.en, _): return status.rawValue
        }
    }
}

/// The compiled templates, filled on first use (shared by the copies of a `NotificationTemplates`).
final class CompiledTemplates: @unchecked Sendable {
    private let lock = NSLock()
    private var templates: [String: Result<MustacheTemplate, TemplateError>] = [:]

    func get(_ key: String, compile: () -> Result<MustacheTemplate, TemplateError>) -> Result<MustacheTemplate, TemplateError> {
        lock.withLock {
            if let done = templates[key] { return done }
            let made = compile()
            templates[key] = made
            return made
        }
    }
}

public enum TemplateError: Error, Equatable, CustomStringConvertible {
    case missing(language: Language, name: TemplateName)
    case invalid(language: Language, name: TemplateName, reason: String)

    public var description: String {
        switch self {
        case let .missing(l, n): return "template \(l.rawValue)/\(n.rawValue).mustache is missing"
        case let .invalid(l, n, r): return "template \(l.rawValue)/\(n.rawValue).mustache does not parse: \(r)"
        }
    }
}

extension DeskPolicy {
    /// The ticket's own words as templates read them (`{{tag}}`, `{{title}}`, `{{due}}`, its
    /// fields): the same for notifications and canned answers.
    public func templateValues(of ticket: TicketRecord, language: Language, at date: Date) -> [String: String] {
        func queueName(_ name: String?) -> String { name.map { displayName(ofQueue: $0, in: language) } ?? "" }
        var v: [String: String] = [:]
        v["tag"] = tag.tag(for: ticket.number)
        v["number"] = String(ticket.number)
        v["title"] = ticket.title
        v["queue"] = queueName(ticket.queue)
        v["status"] = NotificationTemplates.statusName(ticket.status, language)
        v["owner"] = ticket.owner.flatMap(staff)?.name ?? ""
        v["owners"] = ticket.owners.compactMap { staff($0)?.name }.joined(separator: ", ")
        let zone = SLARules.calendar(of: ticket, in: self).timeZone
        v["due"] = ticket.effectiveDue.map { TimeRules.stamp($0, in: zone) } ?? ""
        v["sla"] = ticket.sla.state(at: date).map { NotificationTemplates.slaName($0, language) } ?? ""
        v["type"] = ticket.type ?? ""
        v["is_task"] = ticket.isTask ? "yes" : ""
        v["level"] = ticket.level ?? levels.first?.name ?? ""
        v["reference"] = ticket.externalRef ?? ""
        v["waiting_for"] = ticket.waitingFor.map { NotificationTemplates.waitingName($0, language) } ?? ""
        v["organisation"] = ticket.organisation ?? ""
        v["assets"] = ticket.assets.joined(separator: ", ")
        for (name, value) in ticket.fields { v["field_" + name.lowercased().map { $0.isLetter || $0.isNumber ? String($0) : "_" }.joined()] = value }
        return v
    }
}

/// Turns a planned notification into the message that goes out.
public struct NotificationComposer: Sendable {
    public let policy: DeskPolicy
    public let templates: NotificationTemplates
    /// Signs each requester's personal link to the ticket's page (`{{web_link}}`); nil without a web desk.
    public let links: RequesterLinks?

    public init(policy: DeskPolicy, templates: NotificationTemplates, links: RequesterLinks? = nil) {
        self.policy = policy
        self.templates = templates
        self.links = links
    }

    /// Threads on the ticket's conversation, comes from (and answers to) the queue address
    /// under the queue's name in the notice's language, carries the tag, our loop header,
    /// `Auto-Submitted` where Suport wrote it, and a fresh Message-ID.
    public func compose(_ planned: PlannedNotification, ticket: TicketRecord, context: NotificationContext,
                        thread: [String], date: Date = Date(), masks: MaskCache? = nil) -> OutgoingMessage {
        let queue = policy.queue(named: ticket.queue)
        let language = planned.language
        func queueName(_ name: String?) -> String { name.map { policy.displayName(ofQueue: $0, in: language) } ?? "" }
        var values: [String: String] = [
            "text": context.text, "sender": context.sender, "subject": context.subject, "actor": context.actor,
            "comment": context.comment, "size": context.size, "limit": context.limit, "errors": context.errors,
            "files_not_sent": context.filesNotSent, "merged_tag": context.mergedTag,
            "old_status": context.oldStatus.map { NotificationTemplates.statusName($0, language) } ?? "",
            "new_status": context.newStatus.map { NotificationTemplates.statusName($0, language) } ?? "",
            "old_queue": queueName(context.oldQueue), "new_queue": queueName(context.newQueue),
        ]
        values.merge(policy.templateValues(of: ticket, language: language, at: date)) { _, ticket in ticket }
        values["due_text"] = context.dueText
        values["response"] = context.responseDeadline ? "yes" : ""
        values["auto_closed"] = context.autoClosedDays > 0 ? String(context.autoClosedDays) : ""
        values["approved"] = context.approved ? "yes" : ""
        values["recipient_name"] = planned.recipient.name ?? planned.recipient.address
        values["approval_days"] = String(queue?.approvalDays ?? 0)
        values["finished"] = ticket.status.isInactive ? "yes" : ""
        values["suggestions"] = context.suggestions
        if planned.toRequestor, let id = context.publicArticleID, let links {
            values["article_title"] = context.publicArticleTitle
            values["article_link"] = links.baseURL + "/kb/\(id)"
        }
        if planned.template == .acknowledgement && !policy.notify.quoteInAcknowledgement { values["text"] = "" }
        // Sensitive data is masked where it leaves the store, for everyone but the staff allowed to read it.
        let reader = planned.recipient.address
        let cache = masks ?? MaskCache()
        values = values.mapValues { cache.masked($0, for: reader, policy: policy) }
        if planned.toRequestor, let links {
            values["web_link"] = links.link(ticket: ticket.number, address: planned.recipient.address, issued: date)
        }
        // An empty value is left out, so that a section on it (`{{#comment}}…{{/comment}}`) is skipped.
        let (subject, body) = templates.render(planned.template, language: language, context: values.filter { !$0.value.isEmpty })
        let from = Address(name: queueName(ticket.queue), address: queue?.replyAddress ?? "")
        var message = OutgoingMessage(from: from, to: [planned.recipient],
                                      subject: "\(policy.tag.tag(for: ticket.number)) \(subject.isEmpty ? ticket.title : subject)",
                                      messageID: OutgoingMessage.newMessageID(domain: policy.messageIDDomain), text: body)
        message.replyTo = [from]
        message.date = date
        message.autoSubmitted = planned.autoSubmitted
        message.extraHeaders = [(policy.loopHeader, policy.instanceID)]
        if let last = thread.last { message.inReplyTo = [last] }
        message.references = Array(thread.suffix(20))
        return message
    }
}

/// The masked forms of the words of one operation's notices: readers allowed the same rules
/// read the same masked text, so a long message is masked once per kind of reader, not once
/// per notice.
public final class MaskCache {
    private var done: [[String]: [String: String]] = [:]
    /// The rules each reader may read unmasked, by address: worked out once per operation.
    private var allowedFor: [String: [String]] = [:]

    public init() {}

    func masked(_ text: String, for reader: String, policy: DeskPolicy) -> String {
        if text.isEmpty || policy.redaction.rules.isEmpty { return text }
        let allowed: [String]
        if let known = allowedFor[reader] {
            allowed = known
        } else {
            allowed = policy.redaction.rules.filter { policy.mayRead($0, address: reader) }.map(\.name)
            allowedFor[reader] = allowed
        }
        if let hit = done[allowed]?[text] { return hit }
        let result = policy.redaction.mask(text) { allowed.contains($0.name) }
        done[allowed, default: [:]][text] = result
        return result
    }
}

/// The last step of every operation: its events become composed notices for the outbox.
public enum Notices {
    /// Plans and composes the notices of the operation's events against the ticket as it
    /// will be. `thread` is the conversation's Message-IDs so far; a message the operation
    /// keeps joins it. A notice that cannot be composed is recorded in the history instead.
    public static func compose(_ operation: inout TicketOperation, thread stored: [String], composer: NotificationComposer) {
        // The clock first: notices show the deadlines as the operation leaves them.
        SLARules.settle(&operation, policy: composer.policy)
        guard let ticket = operation.after else { return }
        var thread = stored
        if let kept = operation.message, kept.direction == .incoming, let id = kept.message.messageID, !thread.contains(id) {
            thread.append(id)
        }
        let masks = MaskCache()
        for (event, cause) in operation.events {
            let planned = NotificationPlan.plan(event, ticket: ticket, actor: operation.actor, autoGenerated: operation.autoGenerated,
                                                policy: composer.policy,
                                                languages: operation.languagesLearned.merging(operation.languages) { _, stored in stored })
            for p in planned {
                var message = composer.compose(p, ticket: ticket, context: operation.context, thread: thread, date: operation.at,
                                               masks: masks)
                if p.template.carriesFiles { message.attachments = operation.attachments }
                do {
                    let bytes = try message.render()
                    var notice = Notice(template: p.template, recipient: p.recipient.address, sender: message.from.address,
                                        messageID: message.messageID, bytes: bytes, cause: cause)
                    // A staff member's reply waits the undo window, during which they may edit or withdraw it.
                    if case .correspondenceOut = event, let staff = operation.actor.staff, composer.policy.undoSeconds > 0 {
                        notice.heldUntil = operation.at.addingTimeInterval(Double(composer.policy.undoSeconds))
                        notice.author = staff.id
                    }
                    operation.notices.append(notice)
                } catch {
                    operation.record(HistoryItem(actor: "suport", kind: "notification-failed", new: p.recipient.address,
                                                 note: "could not compose \(p.template.rawValue): \(error)"))
                }
            }
        }
    }
}
