import Foundation
import MIME

/// A knowledge-base article: what the desk learned about a problem and its solution, for the
/// next technician (internal) or for requesters too (public). Edits keep every earlier version.
public struct Article: Sendable, Equatable {
    public let id: Int64
    public var title: String
    public var problem: String
    public var solution: String
    /// Lowercased, without duplicates, in the order given.
    public var tags: [String]
    /// The queue it belongs to; nil: the whole desk's.
    public var queue: String?
    public var language: Language
    public var isPublic: Bool
    /// The staff handle of the last author.
    public var author: String
    public let created: Date
    public var updated: Date
    /// 1 for the first text, one more for each edit.
    public var version: Int
    /// A draft (drafted from a ticket) waits for staff to edit and publish it; it is never suggested.
    public var isDraft = false
    /// The ticket it was drafted from, which links back to it.
    public var sourceTicket: Int? = nil

    public init(id: Int64, title: String, problem: String, solution: String, tags: [String], queue: String?, language: Language,
                isPublic: Bool, author: String, created: Date, updated: Date, version: Int, isDraft: Bool = false, sourceTicket: Int? = nil) {
        self.id = id
        self.title = title
        self.problem = problem
        self.solution = solution
        self.tags = tags
        self.queue = queue
        self.language = language
        self.isPublic = isPublic
        self.author = author
        self.created = created
        self.updated = updated
        self.version = version
        self.isDraft = isDraft
        self.sourceTicket = sourceTicket
    }
}

/// What an edit asks to change; nil leaves a field as it is.
public struct ArticleEdit: Sendable, Equatable {
    public var title: String?
    public var problem: String?
    public var solution: String?
    public var tags: [String]?
    /// `.some(nil)`: the whole desk's.
    public var queue: String??
    public var language: Language?
    public var isPublic: Bool?
    /// True publishes a draft.
    public var publish = false

    public init(title: String? = nil, problem: String? = nil, solution: String? = nil, tags: [String]? = nil, queue: String?? = nil,
                language: Language? = nil, isPublic: Bool? = nil, publish: Bool = false) {
        self.title = title
        self.problem = problem
        self.solution = solution
        self.tags = tags
        self.queue = queue
        self.language = language
        self.isPublic = isPublic
        self.publish = publish
    }
}

/// The rules for articles: who writes them and what a valid one holds.
public enum KnowledgeRules {
    /// The staff member who may write an article of `queue`: its staff, or an admin; the
    /// whole desk's articles, any staff member.
    public static func writer(_ actor: String?, queue: String?, policy: DeskPolicy) throws(DeskError) -> Staff {
        guard let actor, !actor.isEmpty else { throw .unknownStaff("(none: give --actor or set SUPORT_ACTOR)") }
        guard let staff = policy.staff(actor) else { throw .unknownStaff(actor) }
        if let queue {
            guard policy.queue(named: queue) != nil else { throw .unknownQueue(queue) }
            guard policy.isStaff(staff.id, ofQueue: queue) else { throw .notStaffOfQueue(staff.id, queue) }
        }
        return staff
    }

    /// An article as it will be kept: title one line of 1–200 characters, a problem and a
    /// solution that are not empty, tags lowercased once each.
    public static func checked(_ a: Article) throws(DeskError) -> Article {
        var a = a
        a.title = HeaderEncoding.sanitize(a.title.replacingOccurrences(of: "\t", with: " "))
        guard !a.title.isEmpty, a.title.count <= 200 else { throw .invalidField("title", "needs one line of 1–200 characters") }
        a.problem = a.problem.trimmingCharacters(in: .whitespacesAndNewlines)
        a.solution = a.solution.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !a.problem.isEmpty else { throw .invalidField("problem", "say what the problem is") }
        guard !a.solution.isEmpty else { throw .invalidField("solution", "say what solves it") }
        var seen = Set<String>()
        a.tags = a.tags.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }.filter { !$0.isEmpty && seen.insert($0).inserted }
        return a
    }

    /// The article after an edit (checked), or nil when the edit changes nothing.
    public static func edited(_ a: Article, _ e: ArticleEdit, by staff: Staff, at: Date) throws(DeskError) -> Article? {
        var b = a
        if let v = e.title { b.title = v }
        if let v = e.problem { b.problem = v }
        if let v = e.solution { b.solution = v }
        if let v = e.tags { b.tags = v }
        if let v = e.queue { b.queue = v }
        if let v = e.language { b.language = v }
        if let v = e.isPublic { b.isPublic = v }
        if e.publish { b.isDraft = false }
        b = try checked(b)
        guard b != a else { return nil }
        b.author = staff.id
        b.updated = at
        b.version = a.version + 1
        return b
    }
}

extension KnowledgeRules {
    /// A draft from a resolved ticket: its title, the requester's first message as the
    /// problem, the last staff reply as the solution.
    public static func draft(from ticket: TicketRecord, firstMessage: String?, lastReply: String?, by staff: Staff, policy: DeskPolicy,
                             at: Date) throws(DeskError) -> Article {
        guard ticket.status == .resolved else { throw .invalidField("ticket", "only a resolved ticket's solution is known: resolve it first") }
        guard let lastReply, !lastReply.allSatisfy(\.isWhitespace) else {
            throw .invalidField("ticket", "no staff reply on the ticket to take the solution from")
        }
        let language = policy.queue(named: ticket.queue)?.language ?? .en
        return try checked(Article(id: 0, title: ticket.title, problem: firstMessage.flatMap { $0.isEmpty ? nil : $0 } ?? ticket.title,
                                   solution: lastReply, tags: ticket.type.map { [$0] } ?? [], queue: ticket.queue, language: language,
                                   isPublic: false, author: staff.id, created: at, updated: at, version: 1, isDraft: true,
                                   sourceTicket: ticket.number))
    }

    /// The words of a new ticket worth looking up: distinct, folded, five letters or more (the
    /// short ones are mostly the language's own), the title's first, at most twelve.
    public static func suggestionWords(title: String, text: String) -> [String] {
        var seen = Set<String>(), out: [String] = []
        // Folded once as a whole: folding each word alone cost more than the rest of the suggestion.
        for word in fold(title + " " + text.prefix(2_000)).split(whereSeparator: { !($0.isLetter || $0.isNumber) }) {
            let w = String(word)
            if w.count >= 5, seen.insert(w).inserted { out.append(w) }
            if out.count == 12 { break }
        }
        return out
    }

    /// Whether an article may help: at least two of the words start words of its title, text or tags.
    public static func relevant(_ a: Article, to words: [String]) -> Bool {
        let own = Set((a.title + " " + a.problem + " " + a.solution + " " + a.tags.joined(separator: " "))
            .split(whereSeparator: { !($0.isLetter || $0.isNumber) }).map { fold(String($0)) })
        return words.filter { w in own.contains { $0.hasPrefix(w) } }.count >= 2
    }

    /// How a ticket refers to an article (a `refers-to` link): `kb:12`.
    public static func reference(_ id: Int64) -> String { "kb:\(id)" }

    /// The article a `refers-to` link names, if it names one.
    public static func article(in reference: String) -> Int64? {
        reference.hasPrefix("kb:") ? Int64(reference.dropFirst(3)) : nil
    }

    static func fold(_ s: String) -> String { s.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil) }
}
