import Foundation
import MIME
import Tickets
import TicketStore

/// The operations staff and mail use alike. Every change goes through here to the store's
/// one transactional path, so the CLI, email and the daemon cause the same history and
/// the same notifications.
public final class Desk: Sendable {
    public let configuration: Configuration
    public let store: TicketStore
    public let composer: NotificationComposer
    public var policy: DeskPolicy { configuration.policy }

    /// Opens the database (applying migrations) and loads the notification templates.
    public init(configuration: Configuration) throws {
        self.configuration = configuration
        let templates = try Desk.loadTemplates(configuration.templatesPath)
        composer = NotificationComposer(policy: configuration.policy, templates: templates)
        store = try TicketStore(path: configuration.databasePath, firstTicketNumber: configuration.firstTicketNumber)
    }

    /// Reads `<folder>/<language>/<name>.mustache` for every language and template.
    public static func loadTemplates(_ folder: String) throws -> NotificationTemplates {
        var sources: [Language: [String: String]] = [:]
        for language in Language.allCases {
            for name in NotificationTemplates.names {
                let path = "\(folder)/\(language.rawValue)/\(name).mustache"
                if let data = FileManager.default.contents(atPath: path) {
                    sources[language, default: [:]][name] = String(decoding: data, as: UTF8.self)
                }
            }
        }
        return try NotificationTemplates(sources: sources)
    }

    /// Files one incoming message (from the MTA pipe or a mailbox).
    public func ingest(_ raw: [UInt8], mailbox: MailboxKey? = nil, source: String? = nil, now: Date = Date()) throws -> FilingOutcome {
        try store.file(raw: raw, mailbox: mailbox, source: source, policy: policy, composer: composer, now: now)
    }

    /// Files several messages from a mailbox in one transaction (see `TicketStore.file(batch:)`).
    public func ingest(batch: [(raw: [UInt8], mailbox: MailboxKey?)], now: Date = Date()) throws -> [FilingOutcome] {
        try store.file(batch: batch, policy: policy, composer: composer, now: now)
    }

    /// Applies a staff change to a ticket.
    public func change(_ change: TicketChange, ticket: Int, actor: String, comment: String? = nil, now: Date = Date()) throws -> ChangeOutcome {
        try store.apply(change, to: ticket, actor: actor, comment: comment, policy: policy, composer: composer, now: now)
    }

    /// The staff member an actor names, for operations only staff may do.
    public func requireStaff(_ actor: String?) throws -> Staff {
        guard let actor, !actor.isEmpty else { throw DeskError.unknownStaff("(none: give --actor or set SUPORT_ACTOR)") }
        guard let staff = policy.staff(actor) else { throw DeskError.unknownStaff(actor) }
        return staff
    }
}

extension FilingOutcome {
    /// One line for `suport ingest` and the daemon's log.
    public func summary(tag: SubjectTag) -> String {
        let t = ticket.map { tag.tag(for: $0) } ?? "no ticket"
        switch action {
        case .duplicate: return "already filed (\(t)): nothing changed"
        case .filed(let decision):
            let what: String
            switch decision {
            case .drop(let reason): return "dropped: \(reason)"
            case .create(let plan): what = "new ticket \(t) in \(plan.queue)"
            case .correspond(_, _, let role, let reopen): what = "correspondence from \(role.rawValue) on \(t)\(reopen ? ", reopened" : "")"
            case .comment(_, _, let reason): what = "comment on \(t) (\(reason.rawValue))"
            case .bounce(_, let failed): what = "bounce on \(t) for \(failed.joined(separator: ", "))"
            }
            return "\(what); \(notifications) notification\(notifications == 1 ? "" : "s") queued"
        }
    }
}
