import Foundation
import Hummingbird
import SuportService
import Tickets

/// Pages for anyone: the form that takes a request by web (seed 004: "by telephone, web,
/// mail"), filed through the same intake as mail.
extension WebDesk {
    /// A field people never see (hidden by the stylesheet, skipped by the keyboard): a
    /// form that fills it came from a robot, which is thanked and ignored.
    static let honeypot = "website"

    func publicRoutes(_ router: Router<DeskContext>) {
        accessRoutes(router)
        // A public article of the knowledge base, for anyone (drafts and internal ones are not there).
        router.get("/kb/:id") { request, context in
            let id = try context.parameters.require("id", as: Int64.self)
            let article = try await blocking { try desk.store.article(id) }
            guard let a = article, a.isPublic, !a.isDraft else { return notFound(request) }
            return pages.render("article", ["title": a.title, "article": ["title": a.title, "problem": a.problem, "solution": a.solution,
                                                                          "updated": stamp(a.updated)]], language: language(request))
        }
        router.get("/new") { request, _ in newRequestPage(request, values: [:]) }
        router.post("/new") { request, context in
            var reading = request
            let form = try await Form.read(&reading, limit: settings.maxUploadBytes + 64 * 1024)
            guard publicFormIsOurs(request, form) else { return forbidden(request) }
            if form[Self.honeypot] != nil {
                logger.notice("web form ignored: the hidden field was filled", metadata: ["from": "\(clientAddress(request, peer: context.peer))"])
                return publicForm("new", ["sent": true], request)
            }
            let ip = clientAddress(request, peer: context.peer)
            let (name, address, subject, text) = (form["name"] ?? "", form["email"] ?? "", form["subject"] ?? "", form.raw("text") ?? "")
            let queue = form["queue"], files = form.files
            do {
                let outcome = try await blocking {
                    try desk.webIntake(name: name, address: address, subject: subject, text: text, files: files, queue: queue, ip: ip)
                }
                logger.info("web request filed", metadata: ["ticket": "\(outcome.ticket.map(String.init) ?? "-")", "from": "\(ip)"])
                return publicForm("new", ["sent": true], request)
            } catch let refused as FormRefused {
                let status: HTTPResponse.Status = if case .tooMany = refused { .tooManyRequests } else { .unprocessableContent }
                return newRequestPage(request, values: ["problem": refused.description, "name": name, "email": address,
                                                        "subject": subject, "text": text, "chosen": queue ?? ""], status: status)
            }
        }
    }

    /// "My tickets": a requester asks for a login link by mail, follows it, and lists their tickets.
    func accessRoutes(_ router: Router<DeskContext>) {
        router.get("/access") { request, _ in publicForm("access", ["title": pages.strings[language(request)]?["my_requests"] ?? ""], request) }
        router.post("/access") { request, context in
            var reading = request
            let form = try await Form.read(&reading, limit: 64 * 1024)
            guard publicFormIsOurs(request, form) else { return forbidden(request) }
            let address = form["email"] ?? "", ip = clientAddress(request, peer: context.peer), base = settings.publicURL
            do {
                try await blocking { try desk.sendLoginLink(to: address, baseURL: base, ip: ip) }
                return publicForm("access", ["sent": true], request)
            } catch let refused as FormRefused {
                let status: HTTPResponse.Status = if case .tooMany = refused { .tooManyRequests } else { .unprocessableContent }
                return publicForm("access", ["problem": refused.description, "email": address], request, status: status)
            }
        }
        router.get("/access/:token") { request, context in
            let link = try context.parameters.require("token")
            return try await openRequesterSession(request, context) { seconds in
                (try desk.openLoginLink(link, sessionSeconds: seconds).token, "/my")
            }
        }
        router.get("/my") { request, _ in
            try await requesterPage(request) { s in
                let language = self.language(request)
                let tickets = try desk.requesterTickets(s).map { t -> [String: Any] in
                    ["number": t.number, "tag": desk.policy.tag.tag(for: t.number), "title": t.title,
                     "status": NotificationTemplates.statusName(t.status, language), "updated": stamp(t.updated)]
                }
                return pages.render("mine", ["tickets": tickets, "empty": tickets.isEmpty, "requester": ["address": s.address],
                                             "title": pages.strings[language]?["my_requests"] ?? ""], language: language)
            }
        }
    }

    func newRequestPage(_ request: Request, values: [String: Any], status: HTTPResponse.Status = .ok) -> Response {
        let language = self.language(request)
        var all = Self.present(values)
        let chosen = values["chosen"] as? String ?? desk.policy.defaultQueue
        all["queues"] = desk.policy.queues.map { q in
            ["name": q.name, "label": desk.policy.displayName(ofQueue: q.name, in: language), "selected": q.name == chosen]
        }
        all["maxUpload"] = Self.size(settings.maxUploadBytes)
        all["title"] = pages.strings[language]?["new_request"] ?? "New request"
        return publicForm("new", all, request, status: status)
    }
}
