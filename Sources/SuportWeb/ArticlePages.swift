import Foundation
import Hummingbird
import SuportService
import Tickets

/// The knowledge base for signed-in staff: find, read, write and edit articles (`suport kb`
/// on the web). Each write goes to the desk, which checks that the writer is staff of the
/// article's queue.
extension WebDesk {
    func articleRoutes(_ router: Router<DeskContext>) {
        router.get("/articles") { request, _ in try await staffPage(request) { try articleList(request, $0) } }
        router.get("/articles/new") { request, _ in try await staffPage(request) { articleForm(request, $0, article: nil) } }
        router.get("/articles/:id") { request, context in
            let id = try context.parameters.require("id", as: Int64.self)
            return try await staffPage(request) { s in
                guard let a = try visibleArticle(id, s) else { return notFound(request) }
                return articleForm(request, s, article: a, versions: try desk.store.articleVersions(id))
            }
        }
        router.post("/articles") { request, _ in try await articleWrite(request, id: nil) }
        router.post("/articles/:id") { request, context in try await articleWrite(request, id: try context.parameters.require("id", as: Int64.self)) }
    }

    /// An article this staff member may read: the whole desk's, or one of their queues' (admins: all).
    func visibleArticle(_ id: Int64, _ s: StaffSession) throws -> Article? {
        guard let a = try desk.store.article(id) else { return nil }
        return mayRead(a, s) ? a : nil
    }

    func mayRead(_ a: Article, _ s: StaffSession) -> Bool {
        a.queue.map { desk.policy.isStaff(s.staff.id, ofQueue: $0) } ?? true
    }

    /// The articles, newest first, or those matching the words asked for (`?q=`), ranked.
    func articleList(_ request: Request, _ s: StaffSession) throws -> Response {
        var values = common(s)
        let words = request.uri.queryParameters["q"].map(String.init) ?? ""
        var found: [Article] = []
        do {
            found = words.isEmpty ? try desk.store.articles(queue: nil).sorted { $0.updated > $1.updated }
                                  : try desk.store.searchArticles(words, limit: 100)
        } catch {
            values["problem"] = "\(error)"
        }
        let shown = found.filter { mayRead($0, s) }.prefix(Self.pageSize)
        values["articles"] = shown.map { a -> [String: Any] in
            Self.present(["id": a.id, "title": a.title, "queue": a.queue ?? "", "version": a.version, "updated": stamp(a.updated),
                          "draft": a.isDraft, "public": a.isPublic && !a.isDraft])
        }
        values["empty"] = shown.isEmpty
        values["q"] = words
        values["title"] = pages.strings[language(request)]?["articles"] ?? "Knowledge base"
        return pages.render("articles", Self.present(values), language: language(request))
    }

    /// One article's page: its text in a form to edit it, and its versions; or the form for a new one.
    /// `written`: what a refused form held, shown again in place of the stored text.
    func articleForm(_ request: Request, _ s: StaffSession, article a: Article?, written: Article? = nil, versions: [Article] = [],
                     problem: String? = nil, status: HTTPResponse.Status = .ok) -> Response {
        let w = written ?? a
        var values = common(s)
        let policy = desk.policy
        if let problem { values["problem"] = problem }
        values["saved"] = request.uri.queryParameters["saved"] != nil && problem == nil
        values["title"] = a.map { "KB\($0.id) \($0.title)" } ?? (pages.strings[language(request)]?["new_article"] ?? "New article")
        let queues = Authorization.visibleQueues(of: s.staff, policy: policy) ?? policy.queues.map(\.name)
        values["queues"] = queues.map { ["name": $0, "selected": $0 == w?.queue] }
        values["languages"] = Language.allCases.map { ["name": $0.rawValue, "selected": $0 == w?.language] }
        values["form"] = Self.present([
            "action": a.map { "/articles/\($0.id)" } ?? "/articles", "id": a?.id ?? 0, "has_id": a != nil,
            "heading": w?.title ?? "", "articleTitle": w?.title ?? "", "problemText": w?.problem ?? "", "solution": w?.solution ?? "",
            "tags": w?.tags.joined(separator: ", ") ?? "", "isPublic": w?.isPublic ?? false, "isDraft": a?.isDraft ?? false,
            "version": a?.version ?? 0, "updated": stamp(a?.updated), "author": a.map { policy.staff($0.author)?.name ?? $0.author } ?? "",
            "source": a?.sourceTicket ?? 0, "has_source": a?.sourceTicket != nil,
        ])
        values["versions"] = versions.reversed().map { v -> [String: Any] in
            ["version": v.version, "when": stamp(v.updated), "who": policy.staff(v.author)?.name ?? v.author, "title": v.title]
        }
        values["has_versions"] = versions.count > 1
        return pages.render("article-edit", values, language: language(request), status: status)
    }

    /// A new article or an edit, from the form: the session and its token checked, the desk asked.
    func articleWrite(_ request: Request, id: Int64?) async throws -> Response {
        var reading = request
        let form = try await Form.read(&reading, limit: 1 << 20)
        guard let token = request.cookies[Self.sessionCookie]?.value else { return .redirect(to: "/login") }
        let desk = self.desk
        return try await blocking { () -> Response in
            guard let s = try desk.staffSession(token: token) else { return .redirect(to: "/login") }
            guard let sent = form["csrf"], AccessRules.same(sent, s.session.csrf) else { return forbidden(request) }
            let existing = try id.flatMap { try visibleArticle($0, s) }
            if id != nil && existing == nil { return notFound(request) }
            let tags = (form["tags"] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            let queue = form["queue"].flatMap { $0 == "*" ? nil : $0 }
            let language = form["language"].flatMap(Language.init(rawValue:))
            do {
                if let existing {
                    let edit = ArticleEdit(title: form["title"] ?? "", problem: form.raw("problem") ?? "", solution: form.raw("solution") ?? "",
                                           tags: tags, queue: .some(queue), language: language, isPublic: form["public"] == "yes",
                                           publish: form["publish"] == "yes")
                    _ = try desk.editArticle(existing.id, edit, actor: s.staff.id)
                    return .redirect(to: "/articles/\(existing.id)?saved=1")
                }
                let made = try desk.addArticle(title: form["title"] ?? "", problem: form.raw("problem") ?? "", solution: form.raw("solution") ?? "",
                                               tags: tags, queue: queue, language: language, isPublic: form["public"] == "yes", actor: s.staff.id)
                return .redirect(to: "/articles/\(made.id)?saved=1")
            } catch {
                // The form again, with what was written, and the desk's words.
                var shown = existing ?? Article(id: 0, title: "", problem: "", solution: "", tags: [], queue: nil, language: .en, isPublic: false,
                                                author: s.staff.id, created: Date(), updated: Date(), version: 0)
                shown.title = form["title"] ?? ""
                shown.problem = form.raw("problem") ?? ""
                shown.solution = form.raw("solution") ?? ""
                shown.tags = tags
                shown.queue = queue
                shown.isPublic = form["public"] == "yes"
                if let language { shown.language = language }
                return articleForm(request, s, article: existing, written: shown, problem: "\(error)", status: .unprocessableContent)
            }
        }
    }
}
