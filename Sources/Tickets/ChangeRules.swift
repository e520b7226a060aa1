import Foundation
import MIME

/// A change staff make to a ticket, from the CLI, by email command or from the web.
public enum TicketChange: Sendable, Equatable {
    case status(Status)
    case queue(String)
    /// A staff handle, or nil to leave the ticket unowned.
    case owner(String?)
    case title(String)
    case priority(Int)
    case addRequestor(Address)
    case removeRequestor(String)
    case addCc(Address)
    case removeCc(String)
    /// A staff member (handle or address) follows the ticket: its correspondence and comments reach them.
    case watch(String)
    case unwatch(String)
    /// Time worked by the acting staff member.
    case addTime(TimeEntry)
    /// A time entry removed by its author (or an admin).
    case removeTime(Int64)
    /// Whether the ticket's time is billed (entries without a flag of their own follow it).
    case billable(Bool)
    /// A link to another ticket (which must exist: the caller checks), or its removal.
    case link(LinkKind, Int)
    case unlink(LinkKind, Int)
    /// A link to an outside URL (a supplier's ticket, a wiki page), or its removal.
    case refer(String)
    case unrefer(String)
    /// Merge this ticket into another (RT's merge): see `MergeRules`.
    case merge(into: Int)
    /// The ticket's type, from its queue's `types`, or none.
    case type(String?)
    /// Another staff member shares the work (the first owner stays the lead), or stops.
    case addOwner(String)
    case removeOwner(String)
    /// A deadline staff set, or back to the SLA's.
    case due(Date?)
    /// A supplier's ticket number or other outside reference, or none.
    case externalRef(String?)
    /// Whose move it is, or nobody's in particular.
    case waitingFor(WaitingFor?)
    /// Up to a support level by name, or (nil) one level up.
    case escalate(String?)
    /// A custom field of the queue, or its removal.
    case field(String, String?)
    /// The organisation the ticket is for (which must exist: the caller checks), or none.
    case organisation(String?)
    /// An asset the ticket is about (which must exist: the caller checks), or not.
    case addAsset(String)
    case removeAsset(String)
    /// An admin's verdict on a closed task's work: approved, or sent back to its owner.
    case review(approved: Bool, note: String?)
    /// Correspondence to the requestors and Ccs.
    case reply(text: String, attachments: [OutgoingAttachment])
    /// An internal note for staff.
    case comment(text: String, attachments: [OutgoingAttachment])
}

extension OutgoingAttachment: Equatable {
    public static func == (a: OutgoingAttachment, b: OutgoingAttachment) -> Bool {
        a.filename == b.filename && a.contentType == b.contentType && a.data == b.data
    }
}

/// The rules of a staff change: what it does to the ticket, what the history says and who
/// is told. Pure: the caller has checked who may act (`Authorization`).
public enum ChangeRules {
    /// The operation for `change` by `staff` on `ticket`; nil when the ticket already is as
    /// asked (nothing is recorded, nobody is told).
    public static func operation(_ change: TicketChange, on ticket: TicketRecord, by staff: Staff, comment: String?,
                                 policy: DeskPolicy, now: Date, timeEntries: [TimeRecord] = [],
                                 links: [StoredLink] = []) throws(DeskError) -> TicketOperation? {
        var op = start(on: ticket, by: staff, comment: comment, now: now)
        op.timeEntries = timeEntries
        op.links = links
        return try apply(change, to: &op, by: staff, comment: comment, policy: policy) ? op : nil
    }

    /// An operation by `staff` on `ticket` that changes nothing yet, its notices signed by them:
    /// what `apply` adds changes to, one after another.
    public static func start(on ticket: TicketRecord, by staff: Staff, comment: String?, now: Date) -> TicketOperation {
        var op = TicketOperation(before: ticket, actor: .staff(staff), at: now)
        op.context.actor = staff.name
        op.context.sender = Address(name: staff.name, address: staff.address).description
        op.context.comment = comment ?? ""
        return op
    }

    /// Adds `change` to an operation, against the ticket as the operation leaves it so far
    /// (an email's commands one after another). Returns false when the ticket already is as
    /// asked; throws before changing anything when the change is refused.
    @discardableResult
    public static func apply(_ change: TicketChange, to op: inout TicketOperation, by staff: Staff, comment: String?,
                             policy: DeskPolicy) throws(DeskError) -> Bool {
        guard let ticket = op.after else { return false }
        var after = ticket
        func record(_ kind: String, _ old: String?, _ new: String?, carriesMessage: Bool = false) -> Int {
            op.record(HistoryItem(actor: staff.id, kind: kind, old: old, new: new, note: comment, carriesMessage: carriesMessage))
        }

        switch change {
        case .status(let status):
            guard status != ticket.status else { return false }
            try policy.lifecycle.check(ticket.status, status)
            op.setStatus(status, policy: policy, note: comment)

        case .queue(let queue):
            guard policy.queue(named: queue) != nil else { throw .unknownQueue(queue) }
            guard queue != ticket.queue else { return false }
            after.queue = queue
            op.after = after
            op.events.append((.queue(from: ticket.queue, to: queue), record("queue", ticket.queue, queue)))
            op.context.oldQueue = ticket.queue
            op.context.newQueue = queue

        case .owner(let owner):
            let id = try owner.map { (o: String) throws(DeskError) -> String in
                guard let s = policy.staff(o) else { throw .unknownStaff(o) }
                return s.id
            }
            guard id != ticket.owner else { return false }
            after.owner = id
            // A co-owner made the lead is not listed twice; leaving it unowned ends the sharing too.
            after.coOwners = id == nil ? [] : after.coOwners.filter { $0 != id }
            op.after = after
            op.events.append((.owner(from: ticket.owner, to: id), record("owner", ticket.owner, id)))

        case .addOwner(let key):
            guard let s = policy.staff(key) else { throw .unknownStaff(key) }
            guard !ticket.owners.contains(s.id) else { return false }
            guard policy.isStaff(s.id, ofQueue: ticket.queue) else { throw .notStaffOfQueue(s.id, ticket.queue) }
            if ticket.owner == nil { after.owner = s.id } else { after.coOwners.append(s.id) }
            op.after = after
            op.events.append((.owner(from: nil, to: s.id), record("owner-added", nil, s.id)))

        case .removeOwner(let key):
            guard let s = policy.staff(key), ticket.owners.contains(s.id) else { throw .notAnOwner(key) }
            if ticket.owner == s.id {
                // The next who shares the work becomes the lead.
                after.owner = ticket.coOwners.first
                after.coOwners = Array(ticket.coOwners.dropFirst())
            } else {
                after.coOwners.removeAll { $0 == s.id }
            }
            op.after = after
            _ = record("owner-removed", s.id, nil)

        case .type(let type):
            let types = policy.queue(named: ticket.queue)?.types ?? []
            let value = try type.map { (t: String) throws(DeskError) -> String in
                guard let found = types.first(where: { $0.lowercased() == t.lowercased() }) else {
                    throw .unknownType(t, queue: ticket.queue, types: types)
                }
                return found
            }
            guard value != ticket.type else { return false }
            after.type = value
            op.after = after
            _ = record("type", ticket.type, value)

        case .due(let due):
            // Whole minutes: what people write, and what a second run of the same command finds equal.
            let value = due.map { Date(timeIntervalSince1970: ($0.timeIntervalSince1970 / 60).rounded(.down) * 60) }
            guard value != ticket.due else { return false }
            after.due = value
            op.after = after
            let zone = SLARules.calendar(of: ticket, in: policy).timeZone
            _ = record("due", ticket.due.map { TimeRules.stamp($0, in: zone) }, value.map { TimeRules.stamp($0, in: zone) })

        case .externalRef(let ref):
            let value = ref.map { HeaderEncoding.sanitize($0) }.flatMap { $0.isEmpty ? nil : $0 }
            if let value, value.count > 200 { throw .invalidReference(value) }
            guard value != ticket.externalRef else { return false }
            after.externalRef = value
            op.after = after
            _ = record("reference", ticket.externalRef, value)

        case .waitingFor(let waiting):
            guard waiting != ticket.waitingFor else { return false }
            after.waitingFor = waiting
            op.after = after
            _ = record("waiting", ticket.waitingFor?.rawValue, waiting?.rawValue)

        case .escalate(let name):
            let current = ticket.level ?? policy.levels.first?.name
            let target: SupportLevel
            if let name {
                guard let l = policy.level(named: name) else { throw .unknownLevel(name, levels: policy.levels.map(\.name)) }
                target = l
            } else {
                guard !policy.levels.isEmpty else { throw .unknownLevel("", levels: []) }
                guard let next = policy.level(above: ticket.level) else { throw .noHigherLevel(current ?? "") }
                target = next
            }
            guard target.name != current else { return false }
            after.level = target.name
            op.after = after
            op.events.append((.escalated(from: current, to: target.name), record("level", current, target.name)))

        case .field(let name, let raw):
            guard let field = policy.queue(named: ticket.queue)?.field(named: name) else { throw .unknownField(name, queue: ticket.queue) }
            let value = try raw.map { (r: String) throws(DeskError) -> String in try field.validate(r) }
            guard value != ticket.fields[field.name] else { return false }
            after.fields[field.name] = value
            op.after = after
            _ = record("field", ticket.fields[field.name].map { "\(field.name)=\($0)" }, value.map { "\(field.name)=\($0)" })

        case .organisation(let org):
            guard org != ticket.organisation else { return false }
            after.organisation = org
            op.after = after
            _ = record("organisation", ticket.organisation, org)

        case .addAsset(let asset):
            guard !ticket.assets.contains(asset) else { return false }
            after.assets.append(asset)
            op.after = after
            _ = record("asset-added", nil, asset)

        case .removeAsset(let asset):
            guard ticket.assets.contains(asset) else { throw .noSuchLink("asset \(asset)") }
            after.assets.removeAll { $0 == asset }
            op.after = after
            _ = record("asset-removed", asset, nil)

        case .title(let title):
            let clean = HeaderEncoding.sanitize(title)
            guard !clean.isEmpty else { throw .emptyTitle }
            guard clean != ticket.title else { return false }
            after.title = clean
            op.after = after
            _ = record("title", ticket.title, clean)

        case .priority(let p):
            guard (0...10).contains(p) else { throw .invalidPriority(p) }
            guard p != ticket.priority else { return false }
            after.priority = p
            op.after = after
            _ = record("priority", String(ticket.priority), String(p))

        case .addRequestor(let a), .addCc(let a):
            let role: TicketPerson.Role = if case .addRequestor = change { .requestor } else { .cc }
            guard OutgoingMessage.isValidAddress(a.address) else { throw .invalidAddress(a.address) }
            guard !policy.isOurs(a.address) else { throw .ourOwnAddress(a.address.lowercased()) }
            let person = TicketPerson(role, a)
            guard !(role == .requestor ? ticket.requestors : ticket.ccs).contains(where: { $0.address == person.address.address }) else {
                return false
            }
            if role == .requestor { after.requestors.append(person.address) } else { after.ccs.append(person.address) }
            op.after = after
            op.add(person)
            _ = record("\(role.rawValue)-added", nil, person.address.address)

        case .removeRequestor(let a), .removeCc(let a):
            let role: TicketPerson.Role = if case .removeRequestor = change { .requestor } else { .cc }
            let address = a.lowercased()
            let existing = role == .requestor ? ticket.requestors : ticket.ccs
            guard let person = existing.first(where: { $0.address == address }) else { throw .notARequestor(a) }
            if role == .requestor && existing.count == 1 { throw .lastRequestor(a) }
            if role == .requestor { after.requestors.removeAll { $0.address == address } } else { after.ccs.removeAll { $0.address == address } }
            op.after = after
            op.remove(TicketPerson(role, person))
            _ = record("\(role.rawValue)-removed", address, nil)

        case .watch(let key), .unwatch(let key):
            guard let watcher = policy.staff(key) else { throw .unknownStaff(key) }
            let person = TicketPerson(.watcher, Address(name: watcher.name, address: watcher.address))
            let watching = ticket.watchers.contains { $0.address == person.address.address }
            if case .watch = change {
                guard !watching else { return false }
                after.watchers.append(person.address)
                op.add(person)
                _ = record("watcher-added", nil, watcher.id)
            } else {
                guard watching else { return false }
                after.watchers.removeAll { $0.address == person.address.address }
                op.remove(person)
                _ = record("watcher-removed", watcher.id, nil)
            }
            op.after = after

        case .addTime(let entry):
            guard entry.minutes > 0 else { throw .notANumber("0") }
            guard TimeRules.isDay(entry.day) else { throw .invalidDay(entry.day) }
            let billable = entry.billable ?? ticket.billable
            after.minutesWorked += entry.minutes
            op.after = after
            op.timeAdded.append(TimeRecord(id: 0, ticket: ticket.number, staff: staff.id, minutes: entry.minutes, day: entry.day,
                                           billable: billable, note: entry.note))
            _ = op.record(HistoryItem(actor: staff.id, kind: "time-added", new: WorkDuration.text(entry.minutes),
                                      note: ([entry.day, billable ? "billable" : "not billable"] + (entry.note.map { [$0] } ?? []))
                                          .joined(separator: ", ")))

        case .removeTime(let id):
            guard let existing = op.timeEntries.first(where: { $0.id == id }) else { throw .noSuchTimeEntry(id) }
            guard existing.staff == staff.id || policy.admins.contains(staff.id) else { throw .notYourTimeEntry(id, existing.staff) }
            after.minutesWorked = max(0, after.minutesWorked - existing.minutes)
            op.after = after
            op.timeRemoved.append(id)
            _ = record("time-removed", WorkDuration.text(existing.minutes), nil)

        case .link(let kind, let other), .unlink(let kind, let other):
            guard other != ticket.number else { throw .linkToItself }
            let (stored, reversed) = kind.stored
            let link = StoredLink(from: reversed ? other : ticket.number, kind: stored.rawValue, to: reversed ? ticket.number : other, url: nil)
            let present = op.links.contains(link)
            if case .link = change {
                guard !present else { return false }
                op.linksAdded.append(link)
                _ = record("link-added", nil, "\(kind.rawValue) #\(other)")
            } else {
                guard present else { throw .noSuchLink("\(kind.rawValue) #\(other)") }
                op.linksRemoved.append(link)
                _ = record("link-removed", "\(kind.rawValue) #\(other)", nil)
            }

        case .refer(let url), .unrefer(let url):
            let link = StoredLink(from: ticket.number, kind: "refers-to", to: nil, url: url)
            if case .refer = change {
                let web = url.hasPrefix("https://") || url.hasPrefix("http://")
                guard web || KnowledgeRules.article(in: url) != nil, !url.contains(where: \.isWhitespace) else { throw .invalidURL(url) }
                guard !op.links.contains(link) else { return false }
                op.linksAdded.append(link)
                _ = record("link-added", nil, "refers-to \(url)")
            } else {
                guard op.links.contains(link) else { throw .noSuchLink("refers-to \(url)") }
                op.linksRemoved.append(link)
                _ = record("link-removed", "refers-to \(url)", nil)
            }

        case .merge:
            throw .mergeThroughTheDesk

        case let .review(approved, note):
            try TaskRules.review(approved: approved, note: note, historyNote: note ?? comment, to: &op, by: staff, policy: policy)

        case .billable(let billable):
            guard billable != ticket.billable else { return false }
            after.billable = billable
            op.after = after
            _ = record("billable", ticket.billable ? "yes" : "no", billable ? "yes" : "no")

        case let .reply(text, files), let .comment(text, files):
            let isReply: Bool = if case .reply = change { true } else { false }
            guard !text.allSatisfy(\.isWhitespace) || !files.isEmpty else { throw .emptyText }
            // Kept as a message of its own, so the text and any files are stored like mail.
            op.message = try keptNote(text: text, files: files, on: ticket, by: staff, policy: policy, at: op.at, reply: isReply)
            op.context.text = text
            let cause = record(isReply ? "correspondence-staff" : "comment", nil, nil, carriesMessage: true)
            if isReply {
                op.attachments = files
                op.events.append((.correspondenceOut, cause))
                openOnStaffReply(&op, policy: policy)
            } else {
                op.events.append((.comment, cause))
            }
        }
        return true
    }

    /// The message the desk keeps of staff's own words: composed as mail to the queue, so its
    /// text and files are stored and read back like any other.
    static func keptNote(text: String, files: [OutgoingAttachment], on ticket: TicketRecord, by staff: Staff, policy: DeskPolicy,
                         at: Date, reply: Bool) throws(DeskError) -> KeptMessage {
        let queue = policy.queue(named: ticket.queue)
        var note = OutgoingMessage(from: Address(name: staff.name, address: staff.address),
                                   to: [Address(address: queue?.replyAddress ?? "suport@localhost")],
                                   subject: "\(policy.tag.tag(for: ticket.number)) \(ticket.title)",
                                   messageID: OutgoingMessage.newMessageID(domain: policy.messageIDDomain), text: text)
        note.autoSubmitted = nil
        note.attachments = files
        note.date = at
        let raw: [UInt8]
        do { raw = try note.render() } catch { throw .invalidAddress("\(error)") }
        return KeptMessage(raw: raw, sha256: nil, message: Message(bytes: raw), direction: reply ? .outgoing : .note, mailbox: nil,
                           attachmentsKept: files.count)
    }

    /// A staff reply takes a new ticket to open: the same rule whether the reply came by mail or from the CLI.
    static func openOnStaffReply(_ op: inout TicketOperation, policy: DeskPolicy) {
        if op.after?.status == .new { op.setStatus(.open, policy: policy, note: "staff replied") }
    }
}
