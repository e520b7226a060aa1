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
                 ("updated", .string(time(a.updated))), ("version", .int(a.version))])
    }

    /// One article as a person reads it.
    public static func show(_ a: Article) -> String {
        var lines = ["KB\(a.id) \(a.title)", "Queue:    \(a.queue ?? "(the whole desk)")", "Language: \(a.language.rawValue)",
                     "Shown to: \(a.isPublic ? "everyone (public)" : "staff (internal)")",
                     "Version:  \(a.version), by \(a.author), \(time(a.updated))"]
        if !a.tags.isEmpty { lines.append("Tags:     \(a.tags.joined(separator: ", "))") }
        lines += ["", "Problem:", a.problem, "", "Solution:", a.solution]
        return lines.joined(separator: "\n")
    }
}
