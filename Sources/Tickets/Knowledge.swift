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

    public init(id: Int64, title: String, problem: String, solution: String, tags: [String], queue: String?, language: Language,
                isPublic: Bool, author: String, created: Date, updated: Date, version: Int) {
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

    public init(title: String? = nil, problem: String? = nil, solution: String? = nil, tags: [String]? = nil, queue: String?? = nil,
                language: Language? = nil, isPublic: Bool? = nil) {
        self.title = title
        self.problem = problem
        self.solution = solution
        self.tags = tags
        self.queue = queue
        self.language = language
        self.isPublic = isPublic
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
        b = try checked(b)
        guard b != a else { return nil }
        b.author = staff.id
        b.updated = at
        b.version = a.version + 1
        return b
    }
}
