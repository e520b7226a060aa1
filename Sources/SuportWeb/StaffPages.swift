import Foundation
import Hummingbird
import SuportService
import Tickets

/// The staff pages: what each shows, as plain values for its template.
extension WebDesk {
    /// Tickets a list page shows: 50, as RT shows by default; a longer page costs its rendering for every reader.
    static let pageSize = 50

    /// The values every staff page has: who is signed in, and the form token.
    func common(_ s: StaffSession) -> [String: Any] {
        ["staff": ["name": s.staff.name, "handle": s.staff.id], "csrf": s.session.csrf]
    }

    /// A page's values without the empty strings: Mustache shows a section for any string,
    /// so an empty field is left out to leave its row out.
    static func present(_ values: [String: Any]) -> [String: Any] {
        values.filter { !(($0.value as? String)?.isEmpty ?? false) }
    }

    func stamp(_ date: Date?) -> String {
        guard let date else { return "" }
        return String(TimeRules.stamp(date, in: desk.policy.displayZone).prefix(16))
    }

    // MARK: the list

    /// The list query a page's address asks for: a saved view first, its options under the ones given.
    func listQuery(_ request: Request) throws -> (ListQuery, [(String, String)]) {
        var query = ListQuery()
        var given: [(String, String)] = []
        for (key, value) in request.uri.queryParameters {
            let k = String(key), v = String(value)
            guard !v.isEmpty, k != "page", k != "view", k != "below" else { continue }
            if query.set(k == "q" ? "search" : k, v) { given.append((k, v)) }
        }
        if let view = request.uri.queryParameters["view"].map(String.init), !view.isEmpty {
            query = query.over(try ListQuery(arguments: desk.savedView(view)))
            given.append(("view", view))
        }
        return (query, given)
    }

    func listPage(_ request: Request, _ s: StaffSession) throws -> Response {
        let language = self.language(request)
        var values = common(s)
        let page = max(1, request.uri.queryParameters["page"].flatMap { Int($0) } ?? 1)
        let below = request.uri.queryParameters["below"].flatMap { Int($0) }
        var tickets: [TicketRecord] = []
        var more = false
        var query = ListQuery(), given: [(String, String)] = []
        // Newest first (no sort, no words), a page follows from the last number shown, as deep as
        // it goes; any other order pages by offset.
        var keyset = false
        do {
            (query, given) = try listQuery(request)
            keyset = query.sort == nil && query.search == nil
            var asked = query
            asked.limit = Self.pageSize + 1
            if !keyset { asked.offset = (page - 1) * Self.pageSize }
            var filter = try asked.filter(policy: desk.policy, actor: s.staff.id)
            if keyset { filter.below = below }
            // Signed-in staff see the queues they are staff of (admins every queue). The CLI
            // does not narrow: its --actor is a claim made on the server, whose user holds the database.
            filter.visibleQueues = Authorization.visibleQueues(of: s.staff, policy: desk.policy)
            tickets = try desk.store.list(filter)
            more = tickets.count > Self.pageSize
            tickets = Array(tickets.prefix(Self.pageSize))
        } catch {
            values["problem"] = "\(error)"
        }
        let now = Date()
        values["tickets"] = tickets.map { t -> [String: Any] in
            let sla = Views.slaCell(t, now: now)
            return Self.present(["number": t.number, "tag": desk.policy.tag.tag(for: t.number), "title": t.title,
                    "requestor": t.requestors.first.map { $0.name ?? $0.address } ?? "", "organisation": t.organisation ?? "",
                    "queue": t.queue, "status": t.status.rawValue, "owner": t.owners.joined(separator: ", "), "priority": t.priority,
                    "sla": sla, "slaClass": sla.split(separator: ",").first.map(String.init) ?? "-", "due": stamp(t.effectiveDue),
                    "waiting": t.waitingFor?.rawValue ?? "", "reference": t.externalRef ?? "", "updated": stamp(t.updated)])
        }
        values["empty"] = tickets.isEmpty
        values["title"] = pages.strings[language]?["tickets"] ?? "Tickets"
        let visible = Authorization.visibleQueues(of: s.staff, policy: desk.policy) ?? desk.policy.queues.map(\.name)
        values["queues"] = visible.map { ["name": $0, "selected": $0 == query.queue] }
        values["statuses"] = Status.allCases.map { ["name": $0.rawValue, "selected": $0.rawValue == query.status] }
        values["colours"] = ["green", "yellow", "red"].map { (colour: String) -> [String: Any] in ["name": colour, "selected": colour == query.sla] }
        // Named apart from the rows' keys: a row without an owner must not find the filter's.
        values["filter"] = ["q": query.search ?? "", "owner": query.owner ?? "", "sort": query.sort ?? ""]
        let views = ((try? desk.store.views().map(\.name)) ?? []) + desk.policy.views.keys.sorted()
        values["views"] = Array(Set(views)).sorted().map { ["name": $0, "href": "/?view=" + Self.encode($0)] }
        values["has_views"] = !views.isEmpty
        func link(_ extra: [(String, String)]) -> String { "/?" + (given + extra).map { "\($0.0)=\(Self.encode($0.1))" }.joined(separator: "&") }
        if keyset {
            if below != nil { values["first"] = link([]) }
            if more, let last = tickets.last { values["next"] = link([("below", String(last.number))]) }
        } else {
            values["page"] = page
            if page > 1 { values["previous"] = link([("page", String(page - 1))]) }
            if more { values["next"] = link([("page", String(page + 1))]) }
        }
        return pages.render("list", values, language: language)
    }

    /// A value inside a query string.
    static func encode(_ s: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return s.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
    }

    // MARK: one ticket

    /// The ticket if this staff member may see it: staff of its queue, or an admin.
    func visibleTicket(_ number: Int, _ s: StaffSession) throws -> TicketRecord? {
        guard let ticket = try desk.store.ticket(number), desk.policy.isStaff(s.staff.id, ofQueue: ticket.queue) else { return nil }
        return ticket
    }

    func ticketPage(_ request: Request, number: Int, staff s: StaffSession, problem: String? = nil,
                    status: HTTPResponse.Status = .ok) throws -> Response {
        guard let t = try visibleTicket(number, s) else { return notFound(request) }
        // A merged ticket's number leads to the ticket it joined.
        if t.number != number { return .redirect(to: "/tickets/\(t.number)") }
        try desk.recordAccess(ticket: number, actor: s.staff.id, via: "web")
        let policy = desk.policy
        var values = common(s)
        let now = Date()
        let sla = Views.slaCell(t, now: now)
        values["title"] = "\(policy.tag.tag(for: t.number)) \(t.title)"
        if let problem { values["problem"] = problem }
        values["saved"] = request.uri.queryParameters["saved"] != nil && problem == nil
        let queue = policy.queue(named: t.queue)
        values["ticket"] = Self.present([
            "number": t.number, "tag": policy.tag.tag(for: t.number), "title": t.title, "queue": t.queue, "status": t.status.rawValue,
            "owner": t.owner.map { policy.staff($0)?.name ?? $0 } ?? "",
            "coOwners": t.coOwners.filter { $0 != t.owner }.map { policy.staff($0)?.name ?? $0 }.joined(separator: ", "), "priority": t.priority,
            "requestors": t.requestors.map(\.description).joined(separator: ", "), "ccs": t.ccs.map(\.description).joined(separator: ", "),
            "organisation": t.organisation ?? "", "assets": t.assets.joined(separator: ", "), "type": t.type ?? "",
            "due": stamp(t.effectiveDue), "dueBySLA": t.due == nil && t.effectiveDue != nil, "sla": sla,
            "slaClass": sla.split(separator: ",").first.map(String.init) ?? "-", "waiting": t.waitingFor?.rawValue ?? "",
            "reference": t.externalRef ?? "", "level": t.level ?? "", "worked": WorkDuration.text(t.minutesWorked),
            "billable": t.billable, "approval": t.approval?.rawValue ?? "", "created": stamp(t.created), "updated": stamp(t.updated),
        ])
        values["fields"] = (queue?.fields ?? []).map { f -> [String: Any] in
            var v: [String: Any] = ["name": f.name, "value": t.fields[f.name] ?? ""]
            if case .choice(let options) = f.kind {
                v["choices"] = options.map { ["name": $0, "selected": $0 == t.fields[f.name]] }
                v["has_choices"] = !options.isEmpty
            }
            return v
        }
        values["suggestions"] = try desk.suggestions(for: t).map { a -> [String: Any] in
            ["id": a.id, "title": a.title, "solution": a.solution]
        }
        values["links"] = try desk.store.links(number).map { link -> [String: Any] in
            var v: [String: Any] = ["text": link.description]
            if let n = link.ticket { v["linked"] = n }
            return v
        }
        // The conversation: what people wrote and what staff answered or noted, oldest first.
        let history = try desk.store.history(number)
        let conversational: Set<String> = ["create", "correspondence", "correspondence-staff", "comment"]
        values["conversation"] = conversation(t, try desk.conversation(t, history: history, kinds: conversational, staffView: true), forStaff: true)
        values["history"] = history.map { h -> [String: Any] in
            Self.present(["when": stamp(h.at), "who": h.actor, "kind": h.kind, "old": h.oldValue ?? "", "new": h.newValue ?? "",
                          "change": h.oldValue != nil || h.newValue != nil, "note": h.note ?? ""])
        }
        // Replies still in their undo window, which their author may withdraw.
        values["held"] = try desk.store.outbox(state: .pending, ticket: number).filter {
            ($0.heldUntil.map { $0 > now } ?? false) && $0.author == s.staff.id
        }.map { o -> [String: Any] in ["id": o.id, "recipient": o.recipient, "until": stamp(o.heldUntil)] }
        // Its tasks, and for a task waiting for approval, the admin's verdict.
        // Keys of their own: a task without a due date must not show the parent's (Mustache climbs to it).
        values["tasks"] = try desk.tasks(of: number).map { task -> [String: Any] in
            Self.present(["taskNumber": task.number, "taskTitle": task.title, "taskStatus": task.status.rawValue,
                          "taskOwner": task.owner.map { policy.staff($0)?.name ?? $0 } ?? "", "taskDue": stamp(task.due),
                          "pending": task.approval == .pending, "approved": task.approval == .approved])
        }
        values["is_task"] = t.isTask
        values["reviewable"] = t.isTask && t.approval == .pending && policy.admins.contains(s.staff.id)
        values["resolved"] = t.status == .resolved
        // A canned answer asked for (`?canned=NAME`) fills the reply in, for staff to edit before it goes.
        let names = desk.cannedNames(ticket: t)
        let asked = request.uri.queryParameters["canned"].map(String.init).flatMap { $0.isEmpty ? nil : $0 }
        values["cannedNames"] = names.map { ["name": $0, "selected": $0 == asked] }
        values["has_cannedNames"] = !names.isEmpty
        if let asked, problem == nil {
            do {
                values["draft"] = try desk.cannedText(asked, ticket: number, actor: s.staff.id)
                values["canned"] = asked
            } catch {
                values["problem"] = "\(error)"
            }
        }
        // The choices the forms offer.
        values["statuses"] = Status.allCases.map { ["name": $0.rawValue, "selected": $0 == t.status] }
        values["queues"] = policy.queues.map { ["name": $0.name, "selected": $0.name == t.queue] }
        values["owners"] = (queue?.staff ?? []).map { ["handle": $0.id, "name": $0.name, "selected": $0.id == t.owner] }
        values["types"] = (queue?.types ?? []).map { ["name": $0, "selected": $0 == t.type] }
        values["waitings"] = WaitingFor.allCases.map { ["name": $0.rawValue, "selected": $0 == t.waitingFor] }
        for key in ["held", "links", "types", "suggestions", "tasks"] { values["has_" + key] = !((values[key] as? [Any])?.isEmpty ?? true) }
        values["linkKinds"] = LinkKind.allCases.map { ["name": $0.rawValue] }
        values["maxUpload"] = Self.size(settings.maxUploadBytes)
        return pages.render("ticket", values, language: language(request), status: status)
    }

    /// A ticket's conversation as the page's values; files download from the staff page or the requester's.
    func conversation(_ t: TicketRecord, _ messages: [ConversationEntry], forStaff: Bool) -> [[String: Any]] {
        let files = forStaff ? "/tickets/\(t.number)/attachments/" : "/my/\(t.number)/attachments/"
        return messages.map { m -> [String: Any] in
            var entry: [String: Any] = [
                "has_attachments": !m.files.isEmpty, "who": m.who, "when": stamp(m.at), "staff": m.byStaff, "text": m.text,
                "attachments": m.files.map { f -> [String: Any] in
                    var file: [String: Any] = ["href": files + "\(f.id)", "name": f.name, "size": Self.size(f.size)]
                    if forStaff { file["type"] = f.type }
                    return file
                },
            ]
            if forStaff { entry["internal"] = m.isInternal }
            return entry
        }
    }

    static func size(_ bytes: Int) -> String {
        bytes >= 1024 * 1024 ? String(format: "%.1f MB", Double(bytes) / 1048576) : bytes >= 1024 ? "\(bytes / 1024) KB" : "\(bytes) B"
    }

    /// An attachment of a ticket staff may see, always downloaded (never shown in the page's origin), its type not sniffed.
    func attachment(number: Int, id: Int64, staff s: StaffSession) throws -> Response {
        guard try visibleTicket(number, s) != nil else { return Response(status: .notFound) }
        return try download(number: number, id: id)
    }

    /// The response that downloads an attachment, for whoever was let see it.
    func download(number: Int, id: Int64) throws -> Response {
        let (record, bytes) = try desk.store.attachment(id, ofTicket: number)
        let name = record.filename ?? "attachment-\(id)"
        return Response(status: .ok, headers: [.contentType: "application/octet-stream", .contentDisposition: Self.disposition(name)],
                        body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// `attachment; filename="…"; filename*=UTF-8''…` (RFC 6266): a plain fallback and the real name.
    static func disposition(_ name: String) -> String {
        let plain = String(name.unicodeScalars.map { $0.isASCII && $0.value >= 32 && $0 != "\"" && $0 != "\\" ? Character($0) : "_" })
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return "attachment; filename=\"\(plain)\"; filename*=UTF-8''\(name.addingPercentEncoding(withAllowedCharacters: allowed) ?? plain)"
    }

    // MARK: the dashboard

    func dashboardPage(_ request: Request, _ s: StaffSession) throws -> Response {
        var values = common(s)
        let visible = Authorization.visibleQueues(of: s.staff, policy: desk.policy)
        let board = try desk.dashboard()
        values["queues"] = board.queues.filter { visible?.contains($0.name) ?? true }.map { q -> [String: Any] in
            var v: [String: Any] = ["name": q.name, "unowned": q.unownedNew, "yellow": q.yellow, "red": q.red,
                                    "waitingRequester": q.waiting["requester"] ?? 0, "waitingSupplier": q.waiting["supplier"] ?? 0,
                                    "hours": WorkDuration.text(q.minutesThisMonth)]
            v["statuses"] = Status.allCases.map { st in
                ["status": st.rawValue, "count": q.byStatus[st.rawValue] ?? 0,
                 "href": "/?queue=\(Self.encode(q.name))&status=\(st.rawValue)"]
            }
            if let o = q.oldestWaiting { v["oldest"] = ["number": o.number, "tag": desk.policy.tag.tag(for: o.number), "since": stamp(o.since)] }
            v["redHref"] = "/?queue=\(Self.encode(q.name))&sla=red"
            v["yellowHref"] = "/?queue=\(Self.encode(q.name))&sla=yellow"
            return v
        }
        values["statusNames"] = Status.allCases.map { ["name": $0.rawValue] }
        return pages.render("dashboard", values, language: language(request))
    }
}
