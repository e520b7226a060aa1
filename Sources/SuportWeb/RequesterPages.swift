import Foundation
import Hummingbird
import SuportService
import Tickets

/// The requester's side: a personal link opens their ticket's page, where they read the
/// public conversation (never internal comments), write, and approve a resolution.
extension WebDesk {
    static let requesterCookie = "suport_requester"
    /// What a requester reads of the history: their words and staff's answers.
    static let publicKinds: Set<String> = ["create", "correspondence", "correspondence-staff"]

    func requesterRoutes(_ router: Router<DeskContext>) {
        router.get("/r/:token") { request, context in
            let link = try context.parameters.require("token")
            return try await openRequesterSession(request, context) { seconds in
                let (token, session) = try desk.openRequesterLink(link, sessionSeconds: seconds)
                return (token, "/my/\(session.ticket ?? 0)")
            }
        }
        router.get("/my/:number") { request, context in
            let number = try context.parameters.require("number", as: Int.self)
            return try await requesterPage(request) { try requesterTicketPage(request, number: number, session: $0) }
        }
        router.get("/my/:number/attachments/:id") { request, context in
            let number = try context.parameters.require("number", as: Int.self)
            let id = try context.parameters.require("id", as: Int64.self)
            return try await requesterPage(request) { s in
                guard try desk.requesterTicket(number, for: s) != nil else { return notFound(request) }
                // Only the files of the messages a requester reads.
                let shown = Set(try desk.store.history(number).filter { Self.publicKinds.contains($0.kind) }.compactMap(\.message))
                guard let record = try desk.store.attachments(number).first(where: { $0.id == id }), shown.contains(record.message) else {
                    return notFound(request)
                }
                return try download(number: number, id: id)
            }
        }
        router.post("/my/:number/:action") { request, context in
            let number = try context.parameters.require("number", as: Int.self)
            let action = try context.parameters.require("action")
            var reading = request
            let form = try await Form.read(&reading, limit: settings.maxUploadBytes + 64 * 1024)
            let language = self.language(request)
            return try await requesterPage(request) { s in
                guard let sent = form["csrf"], AccessRules.same(sent, s.session.csrf) else { return forbidden(request) }
                guard try desk.requesterTicket(number, for: s) != nil else { return notFound(request) }
                let text: String
                switch action {
                case "reply": text = form.raw("text") ?? ""
                // Approving is saying so, as a reply by mail does: the words count as approval.
                case "approve": text = pages.strings[language]?["approve_text"] ?? "OK"
                default: return notFound(request)
                }
                do {
                    _ = try desk.requesterWrites(ticket: number, from: s, text: text, files: action == "reply" ? form.files : [])
                    logger.info("web reply by requester", metadata: ["ticket": "\(number)", "action": "\(action)"])
                    return .redirect(to: "/my/\(number)?saved=\(action)")
                } catch {
                    return try requesterTicketPage(request, number: number, session: s, problem: "\(error)", status: .unprocessableContent)
                }
            }
        }
    }

    /// Follows a requester's link (`open` checks it and keeps the session): the session's cookie
    /// is set and the browser sent on to a plain address at once, so the link stays neither in
    /// the address bar nor in the history. A link that opens nothing says so, and nothing more.
    func openRequesterSession(_ request: Request, _ context: DeskContext,
                              _ open: @escaping @Sendable (Double) throws -> (token: String, next: String)) async throws -> Response {
        let seconds = settings.sessionSeconds, secure = isSecure(request, peer: context.peer)
        do {
            let (token, next) = try await blocking { try open(seconds) }
            var response = Response.redirect(to: next)
            response.setCookie(cookie(Self.requesterCookie, token, maxAge: Int(seconds), secure: secure))
            return response
        } catch let refused as LinkRefused {
            return pages.render("problem", ["problem": refused.description], language: language(request), status: .notFound)
        }
    }

    /// A page for a requester with a session; anyone else learns nothing.
    func requesterPage(_ request: Request, _ page: @escaping @Sendable (RequesterSession) throws -> Response) async throws -> Response {
        let token = request.cookies[Self.requesterCookie]?.value
        let outcome: Response? = try await blocking {
            guard let token, let session = try desk.requesterSession(token: token) else { return nil }
            return try page(session)
        }
        return outcome ?? notFound(request)
    }

    func requesterTicketPage(_ request: Request, number: Int, session s: RequesterSession, problem: String? = nil,
                             status: HTTPResponse.Status = .ok) throws -> Response {
        guard let t = try desk.requesterTicket(number, for: s) else { return notFound(request) }
        let language = self.language(request)
        var values: [String: Any] = ["csrf": s.session.csrf, "requester": ["address": s.address]]
        if let problem { values["problem"] = problem }
        values["saved"] = request.uri.queryParameters["saved"] != nil && problem == nil
        values["title"] = "\(desk.policy.tag.tag(for: t.number)) \(t.title)"
        values["ticket"] = ["number": t.number, "tag": desk.policy.tag.tag(for: t.number), "title": t.title,
                            "status": NotificationTemplates.statusName(t.status, language),
                            "queue": desk.policy.displayName(ofQueue: t.queue, in: language)]
        values["approvable"] = t.approval == .pending
        values["conversation"] = conversation(t, try desk.conversation(t, kinds: Self.publicKinds, staffView: false), forStaff: false)
        values["maxUpload"] = Self.size(settings.maxUploadBytes)
        return pages.render("requester", values, language: language, status: status)
    }
}
