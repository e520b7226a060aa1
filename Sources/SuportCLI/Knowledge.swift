import ArgumentParser
import Foundation
import MIME
import SuportService
import Tickets
import TicketStore

struct KB: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "kb", abstract: "The knowledge base: problems and their solutions, versioned.",
                                                    subcommands: [KBAdd.self, KBFromTicket.self, KBEdit.self, KBShow.self, KBList.self, KBSearch.self])
}

/// The fields an article is written with, in `kb add` and `kb edit`.
struct ArticleOptions: ParsableArguments {
    @Option(help: "The title: one line.") var title: String?
    @Option(help: "The problem, as the requester met it.") var problem: String?
    @Option(help: "The solution.") var solution: String?
    @Option(name: .customLong("tag"), help: "A tag (repeatable; on edit, the tags replace the old ones).") var tags: [String] = []
    @Option(help: "The queue it belongs to (default: the whole desk's).") var queue: String?
    @Option(help: "ca, es or en (default: the queue's language).") var language: String?

    func parsedLanguage() throws -> Language? {
        try language.map { code in
            guard let l = Language(rawValue: code.lowercased()) else { throw ValidationError("a language is ca, es or en") }
            return l
        }
    }
}

struct KBAdd: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "add", abstract: "Add an article (staff of its queue).")
    @OptionGroup var options: DeskOptions
    @OptionGroup var article: ArticleOptions
    @Flag(help: "Shown to requesters too (default: internal, for staff).") var `public` = false
    func run() throws {
        guard let title = article.title, let problem = article.problem, let solution = article.solution else {
            throw ValidationError("an article needs --title, --problem and --solution")
        }
        let language = try article.parsedLanguage()
        try options.run { desk in
            let a = try desk.addArticle(title: title, problem: problem, solution: solution, tags: article.tags, queue: article.queue,
                                        language: language, isPublic: `public`, actor: options.actorName)
            print("KB\(a.id): \(a.title) (version 1, \(a.isPublic ? "public" : "internal"))")
        }
    }
}

struct KBFromTicket: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "from-ticket",
        abstract: "Draft an article from a resolved ticket: its title, the requester's first message, the last staff reply.",
        discussion: "The ticket and the article refer to each other. Edit the draft, then publish it: suport kb edit N --publish.")
    @OptionGroup var options: DeskOptions
    @Argument(help: "The ticket number.") var number: Int
    func run() throws {
        try options.run { desk in
            let a = try desk.draftArticle(fromTicket: number, actor: options.actorName)
            print("KB\(a.id): draft \(a.title.debugDescription) from \(desk.policy.tag.tag(for: number)); edit it, then suport kb edit \(a.id) --publish")
        }
    }
}

struct KBEdit: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "edit", abstract: "Edit an article; the text it had stays in its history.")
    @OptionGroup var options: DeskOptions
    @Argument(help: "The article's number.") var id: Int64
    @OptionGroup var article: ArticleOptions
    @Flag(help: "The whole desk's, in no queue.") var noQueue = false
    @Flag(inversion: .prefixedNo, help: "Shown to requesters too, or only to staff.") var `public`: Bool?
    @Flag(help: "Publish a draft: from now on it is suggested.") var publish = false
    func run() throws {
        var edit = ArticleEdit(title: article.title, problem: article.problem, solution: article.solution,
                               tags: article.tags.isEmpty ? nil : article.tags, language: try article.parsedLanguage(), isPublic: `public`,
                               publish: publish)
        if noQueue { edit.queue = .some(nil) } else if let q = article.queue { edit.queue = .some(q) }
        try options.run { desk in
            guard let a = try desk.editArticle(id, edit, actor: options.actorName) else {
                print("KB\(id): already so, nothing changed")
                return
            }
            print("KB\(a.id): \(a.title) (version \(a.version))")
        }
    }
}

struct KBShow: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show an article.")
    @OptionGroup var options: DeskOptions
    @Argument(help: "The article's number.") var id: Int64
    @Flag(help: "Also every earlier version: who changed what, when.") var history = false
    @Flag(help: "Print JSON.") var json = false
    func run() throws {
        try options.run { desk in
            guard let a = try desk.store.article(id) else { throw StoreError.noSuchArticle(id) }
            let versions = history ? try desk.store.articleVersions(id) : []
            if json {
                var pairs: [(String, JSONValue)] = []
                if case .object(let p) = Views.json(a) { pairs = p }
                if history { pairs.append(("versions", .array(versions.map(Views.json)))) }
                print(JSONValue.object(pairs).rendered())
                return
            }
            print(Views.show(a))
            if history {
                print("\nHistory:")
                for (old, new) in zip([nil] + versions.map(Optional.some), versions) {
                    let changed = [("title", old?.title != new.title), ("problem", old?.problem != new.problem),
                                   ("solution", old?.solution != new.solution), ("tags", old?.tags != new.tags),
                                   ("queue", old?.queue != new.queue), ("language", old?.language != new.language),
                                   ("public", old?.isPublic != new.isPublic)].filter(\.1).map(\.0)
                    print("  version \(new.version)  \(Views.time(new.updated))  \(new.author)  \(old == nil ? "written" : "changed \(changed.joined(separator: ", "))")")
                }
            }
        }
    }
}

struct KBList: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List articles, newest change first.")
    @OptionGroup var options: DeskOptions
    @Option(help: "Only this queue's (and the whole desk's).") var queue: String?
    @Flag(help: "Print JSON.") var json = false
    func run() throws {
        try options.run { desk in try printArticles(try desk.store.articles(queue: queue), json: json) }
    }
}

struct KBSearch: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "search", abstract: "Find articles by their words, best match first.")
    @OptionGroup var options: DeskOptions
    @Argument(help: "The words: each must be there (accents and case do not matter).") var words: [String]
    @Option(help: "At most this many.") var limit = 20
    @Flag(help: "Print JSON.") var json = false
    func run() throws {
        try options.run { desk in try printArticles(try desk.store.searchArticles(words.joined(separator: " "), limit: limit), json: json) }
    }
}

func printArticles(_ articles: [Article], json: Bool) throws {
    if json {
        print(JSONValue.array(articles.map(Views.json)).rendered())
    } else if articles.isEmpty {
        print("No articles.")
    } else {
        print(Views.table(["KB", "QUEUE", "LANG", "SHOWN", "V", "UPDATED", "TITLE"], articles.map {
            ["KB\($0.id)", $0.queue ?? "-", $0.language.rawValue, $0.isDraft ? "draft" : $0.isPublic ? "public" : "internal", String($0.version),
             String(Views.time($0.updated).prefix(10)), $0.title]
        }))
    }
}
