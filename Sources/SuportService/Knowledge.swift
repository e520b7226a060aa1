import Foundation
import MIME
import Tickets
import TicketStore

extension Desk {
    /// Adds an article, written by staff of its queue (any staff member for the whole desk's).
    public func addArticle(title: String, problem: String, solution: String, tags: [String], queue: String?, language: Language?,
                           isPublic: Bool, actor: String?, now: Date = Date()) throws -> Article {
        let staff = try KnowledgeRules.writer(actor, queue: queue, policy: policy)
        let canonical = queue.flatMap { policy.queue(named: $0)?.name }
        let article = try KnowledgeRules.checked(Article(
            id: 0, title: title, problem: problem, solution: solution, tags: tags, queue: canonical,
            language: language ?? canonical.flatMap { policy.queue(named: $0)?.language } ?? policy.queues.first?.language ?? .en,
            isPublic: isPublic, author: staff.id, created: now, updated: now, version: 1))
        return try store.addArticle(article)
    }

    /// Edits an article, keeping the version it replaces; by staff of its queue, before and after.
    /// Returns nil when the edit changes nothing.
    public func editArticle(_ id: Int64, _ edit: ArticleEdit, actor: String?, now: Date = Date()) throws -> Article? {
        guard let article = try store.article(id) else { throw StoreError.noSuchArticle(id) }
        _ = try KnowledgeRules.writer(actor, queue: article.queue, policy: policy)
        let staff = try KnowledgeRules.writer(actor, queue: (edit.queue ?? article.queue).flatMap { policy.queue(named: $0)?.name ?? $0 },
                                              policy: policy)
        var asked = edit
        if let q = edit.queue { asked.queue = .some(q.flatMap { policy.queue(named: $0)?.name }) }
        guard let changed = try KnowledgeRules.edited(article, asked, by: staff, at: now) else { return nil }
        try store.updateArticle(changed)
        return changed
    }
}

extension Views {
    public static func json(_ a: Article) -> JSONValue {
        .object([("id", .int(Int(a.id))), ("title", .string(a.title)), ("problem", .string(a.problem)), ("solution", .string(a.solution)),
                 ("tags", .array(a.tags.map { .string($0) })), ("queue", .string(a.queue)), ("language", .string(a.language.rawValue)),
                 ("public", .bool(a.isPublic)), ("author", .string(a.author)), ("created", .string(time(a.created))),
                 ("updated", .string(time(a.updated))), ("version", .int(a.version)), ("draft", .bool(a.isDraft)),
                 ("ticket", a.sourceTicket.map { .int($0) } ?? .null)])
    }

    /// One article as a person reads it.
    public static func show(_ a: Article) -> String {
        var lines = ["KB\(a.id) \(a.title)", "Queue:    \(a.queue ?? "(the whole desk)")", "Language: \(a.language.rawValue)",
                     "Shown to: \(a.isDraft ? "nobody yet (a draft: kb edit \(a.id) --publish)" : a.isPublic ? "everyone (public)" : "staff (internal)")",
                     "Version:  \(a.version), by \(a.author), \(time(a.updated))"]
        if !a.tags.isEmpty { lines.append("Tags:     \(a.tags.joined(separator: ", "))") }
        if let n = a.sourceTicket { lines.append("From:     ticket \(n)") }
        lines += ["", "Problem:", a.problem, "", "Solution:", a.solution]
        return lines.joined(separator: "\n")
    }
}

extension Desk {
    /// Drafts an article from a resolved ticket (its title, the requester's first message, the
    /// last staff reply), by staff of its queue; the ticket refers to the article, and the
    /// article names the ticket. Staff edit the draft and publish it (`kb edit N --publish`).
    public func draftArticle(fromTicket number: Int, actor: String?, now: Date = Date()) throws -> Article {
        guard let ticket = try store.ticket(number) else { throw DeskError.unknownTicket(number) }
        let staff = try Authorization.staff(actor, on: ticket, policy: policy)
        let history = try store.history(number)
        let first = try firstMessageText(history)
        let last = try history.last { $0.kind == "correspondence-staff" }?.message.flatMap { try store.messageText($0) }
        let draft = try KnowledgeRules.draft(from: ticket, firstMessage: first.map(ReplyText.ownWords), lastReply: last.map(ReplyText.ownWords),
                                             by: staff, policy: policy, at: now)
        let article = try store.addArticle(draft)
        _ = try change(.refer(KnowledgeRules.reference(article.id)), ticket: number, actor: staff.id, now: now)
        return article
    }

    /// Published articles that may help with a ticket: its title and first message looked up,
    /// best first, a few at most, each sharing at least two words with it.
    public func suggestions(for ticket: TicketRecord, limit: Int = 3) throws -> [Article] {
        let first = try firstMessageText(try store.history(ticket.number)) ?? ""
        return try suggestions(title: ticket.title, text: first, limit: limit, published: store.hasPublishedArticles) {
            try store.articlesMatchingAny($0, queue: ticket.queue, limit: 10)
        }
    }

    /// The text of the message that opened a ticket (its `create` entry), if it is kept.
    func firstMessageText(_ history: [HistoryEntry]) throws -> String? {
        try history.first { $0.kind == "create" }?.message.flatMap { try store.messageText($0) }
    }

    /// The rule for a page and for a new ticket's notice: the title and text's words looked up
    /// (`candidates`: through the store, or inside the transaction), kept when they share two
    /// words. Most desks publish few articles or none: `published` is asked first, since
    /// folding a message's words cost 3 % of filing with nothing to look them up in.
    func suggestions(title: String, text: String, limit: Int = 3, published: () throws -> Bool,
                     candidates: ([String]) throws -> [Article]) throws -> [Article] {
        guard try published() else { return [] }
        let words = KnowledgeRules.suggestionWords(title: title, text: text)
        guard words.count >= 2 else { return [] }
        return Array(try candidates(words).filter { KnowledgeRules.relevant($0, to: words) }.prefix(limit))
    }
}

/// One message of a ticket's conversation, as a page shows it.
public struct ConversationEntry: Sendable {
    public let who: String
    public let at: Date
    public let text: String
    /// Written by staff (a staff reply; for staff's own view, anything a staff member wrote).
    public let byStaff: Bool
    /// An internal comment.
    public let isInternal: Bool
    public let files: [(id: Int64, name: String, type: String, size: Int)]
}

extension Desk {
    /// The messages of a ticket's history of these kinds, oldest first, each with its writer's
    /// name, its text and its files (inline parts left out). `history` when the caller read it already.
    public func conversation(_ t: TicketRecord, history read: [HistoryEntry]? = nil, kinds: Set<String>, staffView: Bool) throws -> [ConversationEntry] {
        let attachments = try store.attachments(t.number)
        return try (read ?? store.history(t.number)).filter { kinds.contains($0.kind) && $0.message != nil }.map { h in
            let id = h.message ?? 0
            let person = (t.requestors + t.ccs).first { $0.address.lowercased() == h.actor.lowercased() }
            return ConversationEntry(
                who: policy.staff(h.actor)?.name ?? person?.name ?? h.actor, at: h.at, text: try store.messageText(id) ?? "",
                byStaff: h.kind == "correspondence-staff" || (staffView && policy.staff(h.actor) != nil), isInternal: h.kind == "comment" || (h.kind == "create" && t.isTask),
                files: attachments.filter { $0.message == id && !$0.isInline }.map { ($0.id, $0.filename ?? "attachment-\($0.id)", $0.contentType, $0.size) })
        }
    }
}
