import Foundation
import Hummingbird
import MIME
import SuportService
import Tickets

/// Pages for anyone: the form that takes a request by web (seed 004: "by telephone, web,
/// mail"), filed through the same intake as mail.
extension WebDesk {
    /// A field people never see (hidden by the stylesheet, skipped by the keyboard): a
    /// form that fills it came from a robot, which is thanked and ignored.
    static let honeypot = "website"

    func publicRoutes(_ router: Router<DeskContext>) {
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
